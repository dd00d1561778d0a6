/**
 * Restores a backup into a scratch database and compares its row counts and key-table
 * checksums with the manifest written at backup time. Prints PASS or FAIL and exits 0 or 1.
 *
 *   bun run scripts/verify-backup.ts FILE [--server-url URL]
 *
 * A PostgreSQL backup is restored into a new database on the server of --server-url (default
 * DATABASE_URL), which is dropped afterwards. A PGlite backup is loaded into an in-memory PGlite.
 * Without a manifest the figures are compared with the live source database instead.
 */
import { parseArgs } from "node:util";
import { targetFromEnv, verifyBackup } from "../src/db/backup";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { "server-url": { type: "string" } } });
const file = positionals[0];
if (!file) {
  console.error("Usage: bun run scripts/verify-backup.ts FILE [--server-url URL]");
  process.exit(2);
}

try {
  const report = await verifyBackup(file, {
    scratchServerUrl: values["server-url"] ?? process.env.DATABASE_URL,
    source: targetFromEnv(process.env),
  });

  for (const problem of report.problems) console.log(`  problem: ${problem}`);
  for (const mismatch of report.mismatches) console.log(`  ${mismatch.table}: expected ${mismatch.expected}, restored ${mismatch.actual}`);
  const scope = `${report.tables} tables by row count, ${report.checksummedTables} key tables by checksum, against the ${report.comparedWith}`;
  console.log(report.passed ? `PASS: ${file} restores with the same figures (${scope})` : `FAIL: ${file} does not restore with the same figures (${scope})`);
  process.exit(report.passed ? 0 : 1);
} catch (error) {
  console.log(`FAIL: ${file} could not be verified: ${(error as Error).message}`);
  process.exit(1);
}
