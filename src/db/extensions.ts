import { sql } from "drizzle-orm";
import type { Logger } from "../lib/logger";
import type { DatabaseHandle } from "./client";

/** Extensions the service uses when present: trigram search for discovery, and vectors where the server has them. */
export const optionalExtensions = ["pg_trgm", "vector"] as const;

export interface ExtensionStatus {
  name: string;
  /** The server can install it (listed in pg_available_extensions). */
  available: boolean;
  /** Installed in this database. */
  enabled: boolean;
  version: string | null;
}

/** Reports each optional extension as pg_available_extensions lists it for this database. */
export async function extensionStatus(handle: DatabaseHandle): Promise<ExtensionStatus[]> {
  const rows = await handle.query<{ name: string; installed_version: string | null }>(
    sql`SELECT name, installed_version FROM pg_available_extensions WHERE name IN ('pg_trgm', 'vector')`,
  );
  const byName = new Map(rows.map((row) => [row.name, row.installed_version]));
  return optionalExtensions.map((name) => ({
    name,
    available: byName.has(name),
    enabled: (byName.get(name) ?? null) !== null,
    version: byName.get(name) ?? null,
  }));
}

/**
 * Installs each optional extension the server offers and the database lacks. A missing
 * extension or a role without the right to create it is logged and left, never fatal.
 */
export async function enableExtensions(handle: DatabaseHandle, logger?: Logger): Promise<ExtensionStatus[]> {
  const before = await extensionStatus(handle);
  for (const extension of before) {
    if (!extension.available || extension.enabled) continue;
    try {
      await handle.query(sql.raw(`CREATE EXTENSION IF NOT EXISTS ${extension.name}`));
      logger?.info({ extension: extension.name }, "database.extension_enabled");
    } catch (error) {
      logger?.warn({ extension: extension.name, err: error }, "database.extension_not_enabled");
    }
  }

  const after = await extensionStatus(handle);
  const missing = after.filter((extension) => !extension.enabled).map((extension) => extension.name);
  if (missing.length > 0) logger?.info({ missing }, "database.extensions_missing");
  return after;
}
