/**
 * Imports a database of the previous VENTRA system into this one. Run with --help for usage.
 */
import { and, eq, sql } from "drizzle-orm";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { openDatabase, type Database, type DatabaseHandle } from "../src/db/client";
import { DataDirLockedError } from "../src/db/data-dir-lock";
import { runMigrations } from "../src/db/migrate";
import { importCheckpoints } from "../src/db/schema";
import { updateDailySales } from "../src/jobs/daily-sales";
import { cleanupSnapshots } from "../src/jobs/snapshot-cleanup";
import { dedupeSnapshots } from "../src/jobs/snapshot-dedupe";
import { writeAudit } from "../src/modules/admin/audit";
import { LegacySource } from "./legacy-import/source";
import { importSteps, keptAsRecords, markLastAnalyzed, writeRecords } from "./legacy-import/steps";

const help = `Import the previous VENTRA database into this one.

  bun run scripts/import-legacy.ts --from postgres://user:password@host:5432/old_ventra [--batch-size 1000]

The target is DATABASE_URL, or without it the embedded PGlite database in DATA_DIR (default
./data). PGlite takes one process at a time, so stop the service on that folder first.

Running it again resumes where it stopped and writes nothing that is already there: each table
is read in id order and the last id written is kept in import_checkpoints. Rows added to the
old database since the last run are picked up. Rows that exist here already (same id, or a
user with the same email) are left as they are.

Columns read (a missing optional column reads as null; * marks a required one):
  accounts           id* (uuid), name*, status (SUSPENDED/BLOCKED/DISABLED suspend), created_at
  users              id* (uuid), account_id*, email*, password_hash* (bcrypt is kept and
                     replaced by Argon2id at the user's next login), role, is_active,
                     created_at, last_login_at
  shops              id* (bigint), title, rating, orders_quantity
  products           id* (bigint), title*, shop_id, category_id, rating, feedback_quantity,
                     orders_quantity, created_at, updated_at
  skus               id* (bigint), product_id*, title, sell_price, full_price, stock
  tracked_products   id*, account_id*, product_id*, is_active, created_at, updated_at
  product_snapshots  id*, product_id*, snapshot_at*, orders_quantity, weekly_bought, rating,
                     feedback_quantity, score (not used: scores are computed again)
  sku_snapshots      id*, sku_id*, snapshot_at*, sell_price, full_price, stock
  category_runs, category_winners, alert_rules
                     id*, every column kept as JSON in legacy_records for later features

Timestamps without a time zone are read as UTC, as Prisma writes them. Snapshots are grouped
by Tashkent day (UTC+5) of snapshot_at. Then, as the nightly jobs do: each day keeps its last
snapshot (snapshot dedupe), weekly figures above 5,000 a week without a banner source are
cleared and every imported snapshot is scored (snapshot cleanup), and daily sales are computed.
`;

export interface ImportSummary {
  tables: Record<string, { read: number; written: number }>;
  dedupe: Record<string, number>;
  cleanup: Record<string, number>;
  dailySales: Record<string, number>;
  durationMs: number;
}

/** Receives progress while one table is read; `total` counts the rows left when it started. */
export type ProgressListener = (table: string, done: number, total: number) => void;

export interface ImportOptions {
  from: string;
  database: DatabaseHandle;
  batchSize?: number;
  onProgress?: ProgressListener;
  /** Called when a step after the copy starts, such as "Merging snapshots, one per day". */
  onStep?: (description: string) => void;
}

/** Copies every source table in order, then dedupes, cleans and computes daily sales. */
export async function importLegacy(options: ImportOptions): Promise<ImportSummary> {
  const startedAt = performance.now();
  const db = options.database.db;
  const batchSize = options.batchSize ?? 1000;
  const origin = LegacySource.describe(options.from);
  const source = new LegacySource(options.from);
  const tables: ImportSummary["tables"] = {};

  try {
    for (const step of importSteps) {
      if (!(await source.columnsOf(step.source.name))) throw new Error(`The source database has no table ${step.source.name}`);
      tables[step.source.name] = await copyTable(db, origin, step.source.name, batchSize, options.onProgress, {
        count: (afterId) => source.count(step.source, afterId),
        read: (afterId) => source.page(step.source, afterId, batchSize),
        write: (tx, rows) => step.write(tx, rows, origin),
      });
    }
    for (const table of keptAsRecords) {
      if (!(await source.columnsOf(table))) continue;
      tables[table] = await copyTable(db, origin, table, batchSize, options.onProgress, {
        count: (afterId) => source.count({ name: table, columns: [], required: [] }, afterId),
        read: (afterId) => source.rawPage(table, afterId, batchSize),
        write: (tx, rows) => writeRecords(tx, table, rows),
      });
    }
  } finally {
    await source.close();
  }

  options.onStep?.("Merging snapshots, one per product per Tashkent day");
  const dedupe = await dedupeSnapshots(db, { dryRun: false });
  await markLastAnalyzed(db);
  options.onStep?.("Clearing impossible weekly figures and scoring snapshots");
  const cleanup = await cleanupSnapshots(db, { dryRun: false });
  options.onStep?.("Computing daily sales");
  const dailySales = await updateDailySales(db);
  const summary = { tables, dedupe, cleanup, dailySales, durationMs: Math.round(performance.now() - startedAt) };

  const written = Object.values(tables).reduce((sum, table) => sum + table.written, 0);
  if (written > 0 || dedupe.snapshotsWritten > 0 || cleanup.scoresRecomputed > 0) {
    // Only a run that changed something is recorded, so a repeated run leaves the database as it was.
    await writeAudit(db, { actorUserId: null, action: "import.legacy", targetType: "database", targetId: origin, after: summary });
  }
  return summary;
}

interface TableCopy<Row extends { id: unknown }> {
  count(afterId: string | null): Promise<number>;
  read(afterId: string | null): Promise<Row[]>;
  write(db: Database, rows: Row[]): Promise<number>;
}

/** Copies a table page by page; each page and its checkpoint commit together, so a crash loses no progress. */
async function copyTable<Row extends { id: unknown }>(
  db: Database,
  origin: string,
  table: string,
  batchSize: number,
  onProgress: ProgressListener | undefined,
  copy: TableCopy<Row>,
): Promise<{ read: number; written: number }> {
  const checkpoint = and(eq(importCheckpoints.source, origin), eq(importCheckpoints.sourceTable, table));
  const [saved] = await db.select().from(importCheckpoints).where(checkpoint);
  let afterId = saved?.lastId ?? null;

  const total = await copy.count(afterId);
  const result = { read: 0, written: 0 };
  onProgress?.(table, 0, total);

  for (;;) {
    const rows = await copy.read(afterId);
    if (rows.length === 0) break;
    const lastId = String(rows.at(-1)!.id);

    await db.transaction(async (tx) => {
      result.written += await copy.write(tx as unknown as Database, rows);
      await tx
        .insert(importCheckpoints)
        .values({ source: origin, sourceTable: table, lastId, rowsRead: rows.length })
        .onConflictDoUpdate({
          target: [importCheckpoints.source, importCheckpoints.sourceTable],
          set: { lastId, rowsRead: sql`${importCheckpoints.rowsRead} + ${rows.length}`, updatedAt: sql`now()` },
        });
    });
    result.read += rows.length;
    afterId = lastId;
    onProgress?.(table, result.read, total);
    if (rows.length < batchSize) break;
  }
  return result;
}

/** Draws `table [#####.....] 1,234/5,678 410 rows/s` on one terminal line. */
function progressBar(stream: NodeJS.WriteStream): ProgressListener {
  let table = "";
  let startedMs = 0;
  return (name, done, total) => {
    if (name !== table) {
      if (table) stream.write("\n");
      table = name;
      startedMs = performance.now();
    }
    const width = 30;
    const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
    const seconds = (performance.now() - startedMs) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const figures = `${done.toLocaleString("en")}/${total.toLocaleString("en")} ${rate.toLocaleString("en")} rows/s`;
    stream.write(`\r${name.padEnd(18)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${figures}`);
  };
}

function printSummary(summary: ImportSummary): void {
  console.log("\nImported:");
  for (const [table, counts] of Object.entries(summary.tables)) {
    console.log(`  ${table.padEnd(18)} read ${String(counts.read).padStart(8)}  new ${String(counts.written).padStart(8)}`);
  }
  console.log(`Dedupe:      ${JSON.stringify(summary.dedupe)}`);
  console.log(`Cleanup:     ${JSON.stringify(summary.cleanup)}`);
  console.log(`Daily sales: ${JSON.stringify(summary.dailySales)}`);
  console.log(`Done in ${(summary.durationMs / 1000).toFixed(1)} s.`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { from: { type: "string" }, "batch-size": { type: "string", default: "1000" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(help);
    return;
  }
  if (!values.from || !/^postgres(ql)?:\/\//.test(values.from)) {
    console.error("Missing or invalid --from: give the old database as postgres://user:password@host:5432/name (see --help).");
    process.exit(2);
  }
  const batchSize = Number(values["batch-size"]);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error(`Invalid --batch-size ${values["batch-size"]}: expected a whole number from 1 to 10000.`);
    process.exit(2);
  }

  const databaseUrl = process.env.DATABASE_URL?.trim() || undefined;
  let database: DatabaseHandle;
  try {
    database = await openDatabase({ url: databaseUrl, dataDir: resolve(process.env.DATA_DIR?.trim() || "./data") });
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  try {
    await runMigrations(database, databaseUrl);
    const onProgress = process.stderr.isTTY ? progressBar(process.stderr) : undefined;
    const onStep = (description: string) => process.stderr.write(`\n${description}…`);
    printSummary(await importLegacy({ from: values.from, database, batchSize, onProgress, onStep }));
  } finally {
    await database.close();
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`\nImport failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error("Nothing committed is lost; run the same command again to resume.");
    process.exit(1);
  });
}
