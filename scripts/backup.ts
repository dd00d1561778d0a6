/**
 * Backs up the service's database: pg_dump's custom format when DATABASE_URL is set, else a
 * tarball of the PGlite database in DATA_DIR (the service must be stopped for that one).
 *
 *   bun run scripts/backup.ts [--out DIR]
 *
 * DIR defaults to BACKUP_DIR, then ./backups. A manifest with row counts and checksums is
 * written beside the backup for scripts/verify-backup.ts.
 */
import { parseArgs } from "node:util";
import { createBackup, targetFromEnv } from "../src/db/backup";

const { values } = parseArgs({ options: { out: { type: "string" } } });
const directory = values.out ?? (process.env.BACKUP_DIR?.trim() || "./backups");

try {
  const target = targetFromEnv(process.env);
  const { file, manifest } = await createBackup(target, directory);
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Wrote ${file} (${target.kind}, ${manifest.sizeBytes} bytes, ${manifest.tables.length} tables, ${rows} rows)`);
  console.log(`Manifest: ${file}.manifest.json`);
} catch (error) {
  console.error(`Backup failed: ${(error as Error).message}`);
  process.exit(1);
}
