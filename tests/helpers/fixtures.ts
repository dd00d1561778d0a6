import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Recorded real Uzum responses, kept outside the repository beside it. */
export const sharedFixturesDir = resolve(import.meta.dir, "../../../shared/fixtures/uzum");

export const hasSharedFixtures = existsSync(join(sharedFixturesDir, "PROVENANCE.md"));

const warned = new Set<string>();

/** Prints once per suite why real-data tests are skipped; returns whether they must be. */
export function skipWithoutSharedFixtures(suite: string): boolean {
  if (!hasSharedFixtures && !warned.has(suite)) {
    warned.add(suite);
    console.warn(`[skip] ${suite}: ${sharedFixturesDir} is absent, so the tests on recorded Uzum data are skipped.`);
  }
  return !hasSharedFixtures;
}

export function readSharedFixture(name: string): string {
  return readFileSync(join(sharedFixturesDir, name), "utf8");
}

export function readSharedJson<T = unknown>(name: string): T {
  return JSON.parse(readSharedFixture(name)) as T;
}
