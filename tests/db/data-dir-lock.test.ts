import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DataDirLockedError, lockDataDir } from "../../src/db/data-dir-lock";

const entrypoint = resolve(import.meta.dir, "../../src/index.ts");

describe("data directory lock", () => {
  test("stops a second service on the same data directory", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ventra-lock-"));
    const env = { ...process.env, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info", DATABASE_URL: "" };

    const first = Bun.spawn([process.execPath, entrypoint], { env, stdout: "pipe", stderr: "pipe" });
    try {
      await waitForLine(first.stdout, "service.started");

      const second = Bun.spawn([process.execPath, entrypoint], { env, stdout: "pipe", stderr: "pipe" });
      const exitCode = await second.exited;
      const stderr = await new Response(second.stderr).text();

      expect(exitCode).toBe(1);
      expect(stderr).toContain(`is in use by process ${first.pid}`);
      expect(stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      first.kill("SIGTERM");
      await first.exited;
    }
    // Two service start-ups take a few seconds on a quiet machine and far longer on a busy one.
  }, 120_000);

  test("takes over the lock of a process that is gone", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ventra-lock-"));
    // PIDs are far below 2^22 on Linux, so this one cannot be alive.
    writeFileSync(join(dataDir, "ventra.lock"), "4194999");

    const lock = lockDataDir(dataDir);
    expect(() => lockDataDir(join(dataDir))).not.toThrow();
    lock.release();
  });

  test("refuses a directory locked by a live process", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ventra-lock-"));
    writeFileSync(join(dataDir, "ventra.lock"), String(process.ppid));

    expect(() => lockDataDir(dataDir)).toThrow(DataDirLockedError);
  });
});

async function waitForLine(stream: ReadableStream<Uint8Array>, needle: string, timeoutMs = 90_000): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value);
    if (seen.includes(needle)) {
      reader.releaseLock();
      return;
    }
  }
  throw new Error(`"${needle}" did not appear; output so far:\n${seen}`);
}
