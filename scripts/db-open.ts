import { loadConfig } from "../src/config";
import { openDatabase, type DatabaseHandle } from "../src/db/client";
import { DataDirLockedError } from "../src/db/data-dir-lock";
import { runMigrations } from "../src/db/migrate";

/**
 * Opens and migrates the database the service would use: DATABASE_URL, or the PGlite folder in
 * DATA_DIR. Exits with one line when the PGlite folder is held by a running service.
 */
export async function openServiceDatabase(): Promise<DatabaseHandle> {
  const config = loadConfig();
  try {
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
    await runMigrations(database, config.databaseUrl);
    return database;
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      console.error(`${error.message}\nStop the service on that folder first, or set DATABASE_URL.`);
      process.exit(1);
    }
    throw error;
  }
}
