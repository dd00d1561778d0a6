/**
 * Restores a backup made by scripts/backup.ts into an empty database.
 *
 *   bun run scripts/restore.ts FILE [--database-url URL | --data-dir DIR]
 *
 * Without an option the target is DATABASE_URL, else DATA_DIR, as the service would use them.
 * A PostgreSQL target must have no tables (create it with CREATE DATABASE); a PGlite target
 * must be a DATA_DIR without a database. The service applies newer migrations when it starts.
 */
import { parseArgs } from "node:util";
import { restoreBackup, targetFromEnv } from "../src/db/backup";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { "database-url": { type: "string" }, "data-dir": { type: "string" } },
});
const file = positionals[0];
if (!file) {
  console.error("Usage: bun run scripts/restore.ts FILE [--database-url URL | --data-dir DIR]");
  process.exit(2);
}

const target = targetFromEnv({
  DATABASE_URL: values["data-dir"] ? undefined : (values["database-url"] ?? process.env.DATABASE_URL),
  DATA_DIR: values["data-dir"] ?? process.env.DATA_DIR,
});

try {
  await restoreBackup(target, file);
  console.log(`Restored ${file} into ${target.kind === "postgres" ? "the PostgreSQL database" : target.dataDir}`);
} catch (error) {
  console.error(`Restore failed: ${(error as Error).message}`);
  process.exit(1);
}
