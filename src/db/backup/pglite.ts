import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lockDataDir } from "../data-dir-lock";
import { collectTableStats, type SqlRunner, type TableStats } from "./table-stats";

/**
 * PGlite backups: a gzipped tarball of the data directory from PGlite's `dumpDataDir`.
 * PGlite allows one process per data directory, so these take the directory's lock and
 * fail with DataDirLockedError while the service runs on it.
 */

/** Where PGlite keeps its files inside DATA_DIR, as `openDatabase` opens it. */
function pgdataOf(dataDir: string): string {
  return join(dataDir, "pgdata");
}

/** Writes the tarball of the database in `dataDir` to `file`, and returns its figures. */
export async function dumpPglite(dataDir: string, file: string): Promise<TableStats[]> {
  if (!existsSync(pgdataOf(dataDir))) throw new Error(`No PGlite database in ${dataDir}: ${pgdataOf(dataDir)} does not exist`);

  const lock = lockDataDir(dataDir);
  try {
    const client = await PGlite.create(pgdataOf(dataDir), { extensions: { pg_trgm } });
    try {
      const tables = await collectTableStats(runnerOf(client));
      const tarball = await client.dumpDataDir("gzip");
      const partial = `${file}.partial`;
      writeFileSync(partial, new Uint8Array(await tarball.arrayBuffer()));
      renameSync(partial, file);
      return tables;
    } finally {
      await client.close();
    }
  } finally {
    lock.release();
  }
}

/** Unpacks `file` into `dataDir`, which must hold no database yet. */
export async function restorePglite(dataDir: string, file: string): Promise<void> {
  const pgdata = pgdataOf(dataDir);
  if (existsSync(pgdata) && readdirSync(pgdata).length > 0) {
    throw new Error(`${pgdata} already holds a database; restore into an empty DATA_DIR.`);
  }

  const lock = lockDataDir(dataDir);
  try {
    const client = await PGlite.create(pgdata, { extensions: { pg_trgm }, loadDataDir: tarballOf(file) });
    await client.close();
  } catch (error) {
    rmSync(pgdata, { recursive: true, force: true });
    throw error;
  } finally {
    lock.release();
  }
}

/** Opens the tarball in memory, collects its figures and closes it again. */
export async function collectPgliteBackupStats(file: string): Promise<TableStats[]> {
  const client = await PGlite.create({ extensions: { pg_trgm }, loadDataDir: tarballOf(file) });
  try {
    return await collectTableStats(runnerOf(client));
  } finally {
    await client.close();
  }
}

/** Collects the figures of the database in `dataDir`; fails while the service runs on it. */
export async function collectPgliteStats(dataDir: string): Promise<TableStats[]> {
  const lock = lockDataDir(dataDir);
  try {
    const client = await PGlite.create(pgdataOf(dataDir), { extensions: { pg_trgm } });
    try {
      return await collectTableStats(runnerOf(client));
    } finally {
      await client.close();
    }
  } finally {
    lock.release();
  }
}

function tarballOf(file: string): Blob {
  return new Blob([readFileSync(file)], { type: "application/x-gzip" });
}

function runnerOf(client: PGlite): SqlRunner {
  return async (statement) => (await client.query<Record<string, unknown>>(statement)).rows;
}
