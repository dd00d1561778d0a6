import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Env } from "../src/config";
import { repositoryRoot } from "./helpers/service-process";

/**
 * Keeps three lists of the configuration in step: the variables the config module and the
 * code read, `.env.example`, and the configuration table of README.md.
 */

/** Parses `NAME=value` lines, dropping comments and the quotes around a value. */
function readEnvExample(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync(join(repositoryRoot, ".env.example"), "utf8").split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.set(match[1], match[2].replace(/^"(.*)"$/, "$1"));
  }
  return entries;
}

/** Returns each variable of README's configuration table with its Default cell, split where one row names several. */
function readReadmeTable(): Map<string, string> {
  const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");
  const section = /^## Configuration\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
  const entries = new Map<string, string>();

  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (cells.length < 4 || !cells[1].startsWith("`")) continue;

    const names = [...cells[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]);
    const defaults = cells[2].split(/,\s*/);
    names.forEach((name, index) => entries.set(name, names.length === defaults.length ? defaults[index] : cells[2]));
  }
  return entries;
}

/** Records every variable `loadConfig` reads, by handing it an environment that notes each lookup. */
function variablesReadByConfig(): Set<string> {
  const read = new Set<string>();
  const fixed: Env = { DATA_DIR: mkdtempSync(join(tmpdir(), "ventra-config-docs-")), JWT_SECRET: "x".repeat(40) };
  const tracing = new Proxy(fixed, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return target[key as string];
    },
  });
  loadConfig(tracing);
  return read;
}

/** Collects the variables named as `process.env.NAME` in the TypeScript files under `directory`. */
function processEnvReads(directory: string, recursive: boolean): Set<string> {
  const names = new Set<string>();
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      if (recursive) for (const found of processEnvReads(path, true)) names.add(found);
      continue;
    }
    if (!path.endsWith(".ts")) continue;
    for (const match of readFileSync(path, "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1]);
  }
  return names;
}

describe("configuration docs", () => {
  const envExample = readEnvExample();
  const readme = readReadmeTable();
  const serviceVariables = new Set([...variablesReadByConfig(), ...processEnvReads(join(repositoryRoot, "src"), true)]);
  // The command-line scripts in scripts/ may document their own variables, such as BACKUP_DIR.
  const scriptVariables = processEnvReads(join(repositoryRoot, "scripts"), false);

  test(".env.example lists every variable read", () => {
    const missing = [...serviceVariables].filter((name) => !envExample.has(name));
    expect(missing).toEqual([]);
  });

  test(".env.example lists nothing unread", () => {
    const unread = [...envExample.keys()].filter((name) => !serviceVariables.has(name) && !scriptVariables.has(name));
    expect(unread).toEqual([]);
  });

  test("README table names the same variables", () => {
    const missingFromReadme = [...envExample.keys()].filter((name) => !readme.has(name));
    const missingFromExample = [...readme.keys()].filter((name) => !envExample.has(name));
    expect(missingFromReadme).toEqual([]);
    expect(missingFromExample).toEqual([]);
  });

  test("README defaults match .env.example", () => {
    const differing: string[] = [];
    for (const [name, cell] of readme) {
      const literal = /^`(.*)`$/.exec(cell)?.[1];
      const example = envExample.get(name);
      if (literal !== undefined && example !== undefined && literal !== example) differing.push(`${name}: README ${literal}, .env.example ${example}`);
      if (literal === undefined && example) differing.push(`${name}: README "${cell}", .env.example ${example}`);
    }
    expect(differing).toEqual([]);
  });

  test(".env.example values are the defaults", () => {
    // Values that are generated or paths that differ per run are fixed on both sides.
    const fixed = { DATA_DIR: mkdtempSync(join(tmpdir(), "ventra-config-docs-")), JWT_SECRET: "y".repeat(40), JOB_INSTANCE_ID: "docs-test" };
    const fromExample = loadConfig({ ...Object.fromEntries(envExample), ...fixed });
    const fromNothing = loadConfig(fixed);
    expect(fromExample).toEqual(fromNothing);
  });
});
