import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killRunningServices, repositoryRoot, startService } from "./helpers/service-process";

/**
 * Checks of the container and deploy files, standing in for a Dockerfile linter and a
 * container engine where neither exists: the essentials are read from the files, and the
 * image's start command and health check run as plain processes.
 */

afterEach(killRunningServices);

interface Dockerfile {
  from: string[];
  /** Each instruction with its arguments, line continuations joined. */
  instructions: Array<{ keyword: string; args: string }>;
  env: Record<string, string>;
}

function readDockerfile(): Dockerfile {
  const text = readFileSync(join(repositoryRoot, "Dockerfile"), "utf8").replace(/\\\n/g, " ");
  const instructions = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });

  const env: Record<string, string> = {};
  for (const { args } of instructions.filter((instruction) => instruction.keyword === "ENV")) {
    for (const [, name, value] of args.matchAll(/(\w+)=(\S+)/g)) env[name] = value;
  }
  return { from: instructions.filter((instruction) => instruction.keyword === "FROM").map((instruction) => instruction.args), instructions, env };
}

/** Parses the JSON array of the last exec-form instruction `keyword`, such as CMD ["bun", "run"]. */
function execForm(dockerfile: Dockerfile, keyword: string): string[] {
  const found = dockerfile.instructions.filter((instruction) => instruction.keyword === keyword).pop();
  expect(found).toBeDefined();
  return JSON.parse(found!.args) as string[];
}

function healthcheckCommand(dockerfile: Dockerfile): string[] {
  const healthcheck = dockerfile.instructions.find((instruction) => instruction.keyword === "HEALTHCHECK");
  expect(healthcheck).toBeDefined();
  return JSON.parse(healthcheck!.args.slice(healthcheck!.args.indexOf("CMD") + 3).trim()) as string[];
}

describe("Dockerfile", () => {
  const dockerfile = readDockerfile();

  test("builds on an official Debian base with a pinned major", () => {
    expect(dockerfile.from).toHaveLength(1);
    expect(dockerfile.from[0]).toMatch(/^(node:\d+-bookworm(-slim)?|oven\/bun:\d+(\.\d+)*-debian)$/);
  });

  test("installs Debian's chromium and production dependencies only", () => {
    const runs = dockerfile.instructions.filter((instruction) => instruction.keyword === "RUN").map((instruction) => instruction.args);
    expect(runs.some((run) => /apt-get install .*\bchromium\b/.test(run))).toBe(true);
    expect(runs.some((run) => /npm ci .*--omit=dev/.test(run))).toBe(true);
    expect(runs.some((run) => /npm (install|i)\b/.test(run))).toBe(false);
    expect(dockerfile.env.NODE_ENV).toBe("production");
    expect(dockerfile.env.CHROMIUM_PATH).toBe("/usr/bin/chromium");
  });

  test("runs as a non-root user", () => {
    const keywords = dockerfile.instructions.map((instruction) => instruction.keyword);
    const user = dockerfile.instructions.filter((instruction) => instruction.keyword === "USER").pop();
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user!.args.split(":")[0]);
    // Every RUN before the USER line, so nothing later runs as root.
    expect(keywords.lastIndexOf("RUN")).toBeLessThan(keywords.lastIndexOf("USER"));
  });

  test("checks /health and forwards signals", () => {
    expect(healthcheckCommand(dockerfile).join(" ")).toContain("/health");
    expect(execForm(dockerfile, "ENTRYPOINT")).toEqual(["/usr/bin/tini", "--"]);
    expect(execForm(dockerfile, "CMD")[0]).toBe("node_modules/.bin/bun");
  });

  test("start command serves and stops cleanly", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ventra-image-"));
    const service = await startService({
      command: execForm(dockerfile, "CMD"),
      env: {
        ...dockerfile.env,
        DATA_DIR: dataDir,
        PORT: "0",
        JWT_SECRET: "image-start-secret-at-least-32-characters",
        // Outside a container the image's chromium path may not exist, and the service starts without it.
        CHROMIUM_PATH: "/nonexistent/chromium",
      },
    });
    const port = new URL(service.url).port;

    const check = Bun.spawn(healthcheckCommand(dockerfile), { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PORT: port } });
    expect(await check.exited).toBe(0);

    const railway = JSON.parse(readFileSync(join(repositoryRoot, "railway.json"), "utf8"));
    const railwayCheck = await fetch(`${service.url}${railway.deploy.healthcheckPath}`);
    expect(railwayCheck.status).toBe(200);

    service.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  }, 120_000);
});

describe("railway.json", () => {
  const railway = JSON.parse(readFileSync(join(repositoryRoot, "railway.json"), "utf8"));
  const dockerfile = readDockerfile();

  test("starts the image's own command", () => {
    expect(railway.build.builder).toBe("DOCKERFILE");
    // Railway's start command replaces the image's ENTRYPOINT, so it repeats tini.
    expect(railway.deploy.startCommand).toBe([...execForm(dockerfile, "ENTRYPOINT"), ...execForm(dockerfile, "CMD")].join(" "));
  });

  test("waits past the shutdown timeout before SIGKILL", () => {
    const defaultShutdownSeconds = 25;
    expect(Number(railway.deploy.drainingSeconds)).toBeGreaterThan(defaultShutdownSeconds);
  });
});

describe(".dockerignore", () => {
  test("keeps local state and secrets out of the image", () => {
    const ignored = readFileSync(join(repositoryRoot, ".dockerignore"), "utf8").split("\n").map((line) => line.trim());
    for (const entry of ["node_modules", "data", ".env", ".git", "backups"]) expect(ignored).toContain(entry);
  });
});

describe("GitHub workflow", () => {
  const workflow = Bun.YAML.parse(readFileSync(join(repositoryRoot, ".github/workflows/ci.yml"), "utf8")) as any;

  test("runs .ci/run beside a PostgreSQL service", () => {
    const steps: string[] = workflow.jobs.test.steps.map((step: { run?: string }) => step.run ?? "");
    expect(steps).toContain("bash .ci/run");
    expect(workflow.jobs.test.services.postgres.image).toMatch(/^postgres:15/);
    expect(workflow.jobs.test.env.PGHOST).toBe("postgres");
  });

  test("builds, starts and stops the image", () => {
    const script = workflow.jobs.image.steps.map((step: { run?: string }) => step.run ?? "").join("\n");
    expect(script).toContain("docker build");
    expect(script).toContain("docker run");
    expect(script).toContain("docker stop");
    expect(script).toContain(".State.ExitCode");
  });
});

describe("production dependencies", () => {
  test("cover every package src imports", () => {
    const manifest = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8"));
    const production = new Set(Object.keys(manifest.dependencies));
    const builtins = new Set(builtinModules);

    const missing = new Set<string>();
    for (const file of sourceFiles(join(repositoryRoot, "src"))) {
      const text = readFileSync(file, "utf8");
      // Static imports and exports with a value. `import type` is erased, so it needs no package at run time.
      for (const [, specifier] of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?from\s+"([^"]+)"/gm)) {
        const name = packageName(specifier);
        if (name && !production.has(name) && !builtins.has(name)) missing.add(`${name} (${file.slice(repositoryRoot.length + 1)})`);
      }
      for (const [, specifier] of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) {
        const name = packageName(specifier);
        if (name && !production.has(name) && !builtins.has(name)) missing.add(`${name} (${file.slice(repositoryRoot.length + 1)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

/** Returns the npm package of an import specifier, or undefined for relative, `node:` and `bun:` imports. */
function packageName(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:") || specifier.startsWith("bun:") || specifier === "bun") return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}
