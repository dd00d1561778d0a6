import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { openDatabase, type Database, type DatabaseHandle } from "../../src/db/client";
import { runMigrations } from "../../src/db/migrate";
import { createScratchDatabase } from "../../src/db/scratch-database";
import * as schema from "../../src/db/schema";

export type DatabaseKind = "pglite" | "postgres";

/** PGlite always; the real server too when TEST_DATABASE_URL names one. */
export function testDatabaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

let pgliteTemplate: Promise<File | Blob> | undefined;

/**
 * A migrated PGlite image made once per test process: starting PGlite from it takes well
 * under a second, where a fresh initdb and migration takes several.
 */
function migratedPgliteImage(): Promise<File | Blob> {
  pgliteTemplate ??= (async () => {
    const handle = await openDatabase({});
    await runMigrations(handle);
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    const image = await client.dumpDataDir("none");
    await handle.close();
    return image;
  })();
  return pgliteTemplate;
}

let databaseCounter = 0;

/** A fresh, migrated, empty database of the given kind; close() removes it. */
export async function openTestDatabase(kind: DatabaseKind): Promise<DatabaseHandle & { url?: string }> {
  if (kind === "pglite") {
    const client = await PGlite.create({ loadDataDir: await migratedPgliteImage(), extensions: { pg_trgm } });
    const db = drizzlePglite({ client, schema }) as unknown as Database;
    return {
      db,
      kind: "pglite",
      query: async <Row>(statement: ReturnType<typeof sql>) => ((await db.execute(statement)) as unknown as { rows: Row[] }).rows,
      close: () => client.close(),
    };
  }

  const name = `ventra_test_${process.pid}_${++databaseCounter}_${Date.now() % 100000}`;
  const scratch = await createScratchDatabase(process.env.TEST_DATABASE_URL!, name);
  const handle = await openDatabase({ url: scratch.url, maxConnections: 10 });
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
