import { renameSync, rmSync } from "node:fs";
import postgres from "postgres";
import { collectTableStats, type SqlRunner, type TableStats } from "./table-stats";

/**
 * PostgreSQL backups with pg_dump's custom format. pg_dump and pg_restore must be on PATH, of
 * the server's major version or newer. The connection goes to them as libpq variables
 * (PGHOST, PGPASSWORD, ...), not as arguments, so a password never shows in a process list.
 */

/** Dumps the database at `url` into `file`, and returns the figures of the same snapshot. */
export async function dumpPostgres(url: string, file: string): Promise<TableStats[]> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const partial = `${file}.partial`;
  try {
    // pg_dump reads the snapshot this transaction exported, so the figures and the dump
    // describe the same moment even while the service keeps writing.
    const tables = await client.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY", async (transaction) => {
      const [{ snapshot }] = await transaction`SELECT pg_export_snapshot() AS snapshot`;
      const stats = await collectTableStats(runnerOf(transaction));
      await runTool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", `--snapshot=${snapshot}`, `--file=${partial}`], url);
      return stats;
    });
    renameSync(partial, file);
    return tables;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Restores `file` into the empty database at `url` in one transaction. Throws when the database has tables. */
export async function restorePostgres(url: string, file: string): Promise<void> {
  const tables = await withClient(url, (run) => run(
    `SELECT count(*)::int AS count FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')`,
  ));
  const count = Number(tables[0].count);
  if (count > 0) {
    throw new Error(`The database ${redactUrl(url)} already has ${count} tables; restore into an empty database, such as one made with CREATE DATABASE.`);
  }
  // Without a database name pg_restore writes a script to stdout. The rest of the connection comes from the environment.
  const database = libpqEnv(url).PGDATABASE;
  await runTool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", `--dbname=${database}`, file], url);
}

export async function collectPostgresStats(url: string): Promise<TableStats[]> {
  return withClient(url, (run) => collectTableStats(run));
}

async function withClient<T>(url: string, work: (run: SqlRunner) => Promise<T>): Promise<T> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await client.begin("ISOLATION LEVEL REPEATABLE READ READ ONLY", (transaction) => work(runnerOf(transaction)))) as T;
  } finally {
    await client.end({ timeout: 5 });
  }
}

function runnerOf(transaction: postgres.TransactionSql): SqlRunner {
  return async (statement) => [...(await transaction.unsafe(statement))] as Record<string, unknown>[];
}

async function runTool(tool: "pg_dump" | "pg_restore", args: string[], url: string): Promise<void> {
  let child;
  try {
    child = Bun.spawn([tool, ...args], { env: { ...process.env, ...libpqEnv(url) }, stdout: "ignore", stderr: "pipe" });
  } catch (error) {
    throw new Error(`${tool} could not be started; install the PostgreSQL client tools (Debian: postgresql-client): ${(error as Error).message}`);
  }
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`${tool} exited with ${code}: ${stderr.trim()}`);
}

/** Turns a postgres:// URL into libpq's environment variables. */
export function libpqEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  const env: Record<string, string> = {
    PGHOST: decodeURIComponent(parsed.hostname),
    PGPORT: parsed.port || "5432",
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)) || "postgres",
  };
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const sslmode = parsed.searchParams.get("sslmode");
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "redacted";
  return parsed.toString();
}
