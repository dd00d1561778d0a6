import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { TableStats } from "./table-stats";

export type BackupKind = "postgres" | "pglite";

/** The file written beside each backup: what it holds, so a verification has figures to compare. */
export interface BackupManifest {
  format: "ventra-backup/1";
  kind: BackupKind;
  /** Name of the backup file, beside this manifest. */
  file: string;
  createdAt: string;
  sizeBytes: number;
  sha256: string;
  /** Figures of the source database, taken from the same snapshot as the backup. */
  tables: TableStats[];
}

export function manifestPath(backupFile: string): string {
  return `${backupFile}.manifest.json`;
}

/** Names a backup by kind and UTC time, such as `ventra-postgres-20261204T070000Z.dump`. */
export function backupFileName(kind: BackupKind, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `ventra-${kind}-${stamp}.${kind === "postgres" ? "dump" : "tar.gz"}`;
}

export async function writeManifest(backupFile: string, kind: BackupKind, tables: TableStats[], createdAt: Date): Promise<BackupManifest> {
  const manifest: BackupManifest = {
    format: "ventra-backup/1",
    kind,
    file: basename(backupFile),
    createdAt: createdAt.toISOString(),
    sizeBytes: statSync(backupFile).size,
    sha256: await sha256File(backupFile),
    tables,
  };
  writeFileSync(manifestPath(backupFile), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/** Returns the manifest beside `backupFile`, or undefined when there is none. */
export function readManifest(backupFile: string): BackupManifest | undefined {
  const path = manifestPath(backupFile);
  if (!existsSync(path)) return undefined;

  const manifest = JSON.parse(readFileSync(path, "utf8")) as BackupManifest;
  if (manifest.format !== "ventra-backup/1") throw new Error(`${path} is not a VENTRA backup manifest (format ${String(manifest.format)})`);
  return manifest;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** Tells the two kinds apart by content: pg_dump's custom format starts with `PGDMP`, a gzip file with 1f 8b. */
export function detectBackupKind(file: string): BackupKind {
  const head = Buffer.alloc(5);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString("latin1") === "PGDMP") return "postgres";
  if (head[0] === 0x1f && head[1] === 0x8b) return "pglite";
  throw new Error(`${file} is neither a pg_dump custom-format archive nor a PGlite data directory tarball`);
}
