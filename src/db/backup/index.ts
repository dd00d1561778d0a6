import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { backupFileName, detectBackupKind, readManifest, sha256File, writeManifest, type BackupKind, type BackupManifest } from "./manifest";
import { collectPgliteBackupStats, collectPgliteStats, dumpPglite, restorePglite } from "./pglite";
import { createScratchDatabase } from "../scratch-database";
import { collectPostgresStats, dumpPostgres, restorePostgres } from "./postgres";
import { compareTableStats, type StatsMismatch, type TableStats } from "./table-stats";

/** The database a backup is taken from or restored into. */
export type BackupTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

/** DATABASE_URL when set, else the PGlite database in DATA_DIR (default ./data), as the service chooses. */
export function targetFromEnv(env: Record<string, string | undefined>): BackupTarget {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: "postgres", url };
  return { kind: "pglite", dataDir: resolve(env.DATA_DIR?.trim() || "./data") };
}

/** Writes a backup and its manifest into `directory` and returns the backup's path and manifest. */
export async function createBackup(target: BackupTarget, directory: string, now = new Date()): Promise<{ file: string; manifest: BackupManifest }> {
  mkdirSync(directory, { recursive: true });
  const file = join(resolve(directory), backupFileName(target.kind, now));

  const tables = target.kind === "postgres" ? await dumpPostgres(target.url, file) : await dumpPglite(target.dataDir, file);
  const manifest = await writeManifest(file, target.kind, tables, now);
  return { file, manifest };
}

/** Restores `file` into an empty target of the same kind. */
export async function restoreBackup(target: BackupTarget, file: string): Promise<void> {
  const kind = detectBackupKind(file);
  if (kind !== target.kind) {
    throw new Error(`${file} is a ${kind} backup, but the target is ${target.kind}; set ${kind === "postgres" ? "DATABASE_URL" : "DATA_DIR without DATABASE_URL"}.`);
  }
  if (target.kind === "postgres") await restorePostgres(target.url, file);
  else await restorePglite(target.dataDir, file);
}

export interface VerifyOptions {
  /** URL of any database on the server that gets the scratch database. A PostgreSQL backup needs one. */
  scratchServerUrl?: string;
  /** Database compared with when the backup has no manifest. Its figures are read now, so writes since the backup show as differences. */
  source?: BackupTarget;
}

export interface VerifyReport {
  passed: boolean;
  kind: BackupKind;
  /** Source of the expected figures. */
  comparedWith: "manifest" | "source";
  tables: number;
  checksummedTables: number;
  mismatches: StatsMismatch[];
  /** Failures before any figure could be compared, such as a file that changed since it was written. */
  problems: string[];
}

/**
 * Restores `file` into a scratch database (a new database on the PostgreSQL server, or an
 * in-memory PGlite), collects its figures and compares them with the manifest written with
 * the backup, or with the source when there is no manifest. The scratch database is removed.
 */
export async function verifyBackup(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const kind = detectBackupKind(file);
  const manifest = readManifest(file);
  const report: VerifyReport = { passed: false, kind, comparedWith: manifest ? "manifest" : "source", tables: 0, checksummedTables: 0, mismatches: [], problems: [] };

  if (manifest) {
    const sha256 = await sha256File(file);
    if (sha256 !== manifest.sha256) report.problems.push(`the file's SHA-256 is ${sha256}, but the manifest records ${manifest.sha256}`);
  }

  let expected: TableStats[];
  if (manifest) {
    expected = manifest.tables;
  } else if (options.source?.kind === kind) {
    expected = options.source.kind === "postgres" ? await collectPostgresStats(options.source.url) : await collectPgliteStats(options.source.dataDir);
  } else {
    report.problems.push(`no manifest at ${file}.manifest.json and no ${kind} source database to compare with`);
    return report;
  }

  const actual = await restoredStats(file, kind, options).catch((error: unknown) => {
    report.problems.push(`restoring into a scratch database failed: ${(error as Error).message}`);
    return undefined;
  });
  if (actual) {
    report.mismatches = compareTableStats(expected, actual);
    report.tables = expected.length;
    report.checksummedTables = expected.filter((entry) => entry.checksum !== undefined).length;
  }
  report.passed = actual !== undefined && report.problems.length === 0 && report.mismatches.length === 0;
  return report;
}

async function restoredStats(file: string, kind: BackupKind, options: VerifyOptions): Promise<TableStats[]> {
  if (kind === "pglite") return collectPgliteBackupStats(file);

  if (!options.scratchServerUrl) throw new Error("a PostgreSQL backup needs a server for the scratch database: set DATABASE_URL or pass --server-url");
  const scratch = await createScratchDatabase(options.scratchServerUrl, `ventra_verify_${process.pid}_${Date.now()}`);
  try {
    await restorePostgres(scratch.url, file);
    return await collectPostgresStats(scratch.url);
  } finally {
    await scratch.drop();
  }
}
