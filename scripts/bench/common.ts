import { sql } from "drizzle-orm";
import { openDatabase, type DatabaseHandle } from "../../src/db/client";
import { runMigrations } from "../../src/db/migrate";
import { createScratchDatabase } from "../../src/db/scratch-database";

/** Starts `scripts/bench/uzum-stub.ts` in its own process so it does not share our event loop. */
export async function startUzumStub(delayMs: number): Promise<{ url: string; stop(): void }> {
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/uzum-stub.ts`, `--delay-ms=${delayMs}`], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const url = new TextDecoder().decode(value).trim().split("\n")[0];
  return { url, stop: () => child.kill() };
}

/** A fresh migrated database: in-memory PGlite, or a new database on the server at `serverUrl`. */
export async function openBenchDatabase(kind: "pglite" | "postgres", serverUrl?: string): Promise<DatabaseHandle & { url?: string }> {
  if (kind === "pglite") {
    const handle = await openDatabase({});
    await runMigrations(handle);
    return handle;
  }

  const scratch = await createScratchDatabase(serverUrl!, `ventra_bench_${Date.now()}`);
  const handle = await openDatabase({ url: scratch.url, maxConnections: 20 });
  await runMigrations(handle, scratch.url);
  return {
    ...handle,
    url: scratch.url,
    close: async () => {
      await handle.close();
      await scratch.drop();
    },
  };
}

/** Samples this process's resident memory until stopped; returns the peak in MiB. */
export function trackPeakRss(intervalMs = 25): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.round((Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024) * 10) / 10;
    },
  };
}

/** Runs `task` for every item with at most `concurrency` at once. */
export async function runPool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item);
    }
  });
  await Promise.all(workers);
}

export async function countRows(handle: DatabaseHandle, table: string): Promise<number> {
  const [row] = await handle.query<{ count: number }>(sql.raw(`SELECT count(*)::int AS count FROM ${table}`));
  return Number(row.count);
}
