import type { Subprocess } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DatabaseKind } from "./database";
import { createScratchDatabase } from "../../src/db/scratch-database";

/** The repository root, where `src/index.ts` and `drizzle/` are. */
export const repositoryRoot = resolve(import.meta.dir, "../..");

/** One JSON line of the service's pino log. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  /** `http://127.0.0.1:<port>` of the running service. */
  url: string;
  pid: number;
  logs: LogLine[];
  /** The process's exit code; resolves once it has exited. */
  exited: Promise<number>;
  /** Resolves with the first log line, already written or still to come, for which `match` is true. */
  waitForLog(match: string | ((line: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>;
  kill(signal: NodeJS.Signals): void;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

export interface StartServiceOptions {
  env: Record<string, string>;
  /** Command to run; defaults to `bun run src/index.ts`. */
  command?: string[];
  /** Time to wait for the `service.started` line. */
  startTimeoutMs?: number;
}

const running = new Set<Subprocess>();

/** Sends SIGKILL to every service a test started and that still runs, such as after a failed assertion. */
export async function killRunningServices(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((child) => child.exited));
}

/** Environment every spawned service gets; tests add the database, Uzum stubs and job settings. */
export const baseServiceEnv: Record<string, string> = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
  NODE_ENV: "test",
  PORT: "0",
  LOG_LEVEL: "info",
  JWT_SECRET: "service-process-secret-long-enough-for-hs256",
  UZUM_API_URL: "http://127.0.0.1:9",
  UZUM_GRAPHQL_URL: "http://127.0.0.1:9",
  UZUM_WEB_URL: "http://127.0.0.1:9",
  UZUM_ID_URL: "http://127.0.0.1:9",
  WEEKLY_BUYERS_BUDGET_MS: "0",
  CHROMIUM_PATH: "/nonexistent/chromium",
  ...Object.fromEntries(
    ["JOB_REFRESH_TRACKED_SCHEDULE", "JOB_SCRAPE_WEEKLY_BUYERS_SCHEDULE", "JOB_SNAPSHOT_DEDUPE_SCHEDULE", "JOB_SNAPSHOT_CLEANUP_SCHEDULE", "JOB_DAILY_SALES_SCHEDULE"].map(
      (name) => [name, "off"],
    ),
  ),
};

/**
 * Spawns the real service as its own process and waits until it listens. Its stdout is read
 * as pino JSON lines; the port comes from the `service.started` line, so PORT=0 works.
 */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const command = options.command ?? [process.execPath, "run", "src/index.ts"];
  const child: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(command, {
    cwd: repositoryRoot,
    env: { ...baseServiceEnv, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });

  running.add(child);
  void child.exited.then(() => running.delete(child));

  const logs: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let stderr = "";

  const readLines = async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of chunks(child.stdout)) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const text of lines) {
        if (!text.startsWith("{")) continue;
        const line = JSON.parse(text) as LogLine;
        logs.push(line);
        for (const waiter of [...waiters]) {
          if (!waiter.match(line)) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  };
  const readErrors = async () => {
    for await (const chunk of chunks(child.stderr)) stderr += new TextDecoder().decode(chunk);
  };
  const reading = Promise.all([readLines(), readErrors()]);
  const exited = child.exited.then(async (code) => {
    await reading;
    return code;
  });

  const waitForLog = (match: string | ((line: LogLine) => boolean), timeoutMs = 60_000): Promise<LogLine> => {
    const test = typeof match === "string" ? (line: LogLine) => line.msg === match : match;
    const found = logs.find(test);
    if (found) return Promise.resolve(found);

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No log line ${String(match)} within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      const waiter = {
        match: test,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      waiters.push(waiter);
      void exited.then((code) => {
        if (!waiters.includes(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`The service exited with ${code} before log line ${String(match)}; stderr: ${stderr}`));
      });
    });
  };

  const started = await waitForLog("service.started", options.startTimeoutMs ?? 90_000);
  return {
    url: `http://127.0.0.1:${started.port}`,
    pid: child.pid,
    logs,
    exited,
    waitForLog,
    kill: (signal) => child.kill(signal),
    stderr: () => stderr,
  };
}

async function* chunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

export interface ServiceDatabase {
  /** DATA_DIR for PGlite, or DATABASE_URL and a DATA_DIR for the JWT secret on PostgreSQL. */
  env: Record<string, string>;
  /** Removes the PostgreSQL database; a PGlite folder stays in the temp directory. */
  drop(): Promise<void>;
}

let databaseCounter = 0;

/** An empty database for a spawned service, which migrates it at start. */
export async function createServiceDatabase(kind: DatabaseKind): Promise<ServiceDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), "ventra-service-"));
  if (kind === "pglite") return { env: { DATA_DIR: dataDir }, drop: async () => {} };

  const name = `ventra_service_${process.pid}_${++databaseCounter}_${Date.now() % 100000}`;
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!, name);
  return { env: { DATA_DIR: dataDir, DATABASE_URL: scratch.url }, drop: scratch.drop };
}
