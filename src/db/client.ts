import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { join } from "node:path";
import postgres from "postgres";
import { lockDataDir, type DataDirLock } from "./data-dir-lock";
import * as schema from "./schema";

export type Schema = typeof schema;

/** The drizzle database, whichever driver is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Runs raw SQL and returns its rows, hiding the drivers' different result shapes. */
  query<Row = Record<string, unknown>>(statement: SQL): Promise<Row[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; without one the embedded PGlite is used. */
  url?: string;
  /** Folder for PGlite's files; without one PGlite keeps everything in memory (tests). */
  dataDir?: string;
  /** Connections in the postgres.js pool. */
  maxConnections?: number;
}

/** Opens the database named by the options; see DatabaseOptions. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.maxConnections ?? 10);
  return openPglite(options.dataDir);
}

function openPostgres(url: string, maxConnections: number): DatabaseHandle {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Database;

  return {
    db,
    kind: "postgres",
    query: async <Row>(statement: SQL) => (await db.execute(statement)) as unknown as Row[],
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  let lock: DataDirLock | undefined;
  if (dataDir) lock = lockDataDir(dataDir);

  let client: PGlite;
  try {
    client = await PGlite.create(dataDir ? join(dataDir, "pgdata") : undefined, {
      extensions: { pg_trgm },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Database;

  return {
    db,
    kind: "pglite",
    query: async <Row>(statement: SQL) => {
      const result = (await db.execute(statement)) as unknown as { rows: Row[] };
      return result.rows;
    },
    close: async () => {
      await client.close();
      lock?.release();
    },
  };
}
