/**
 * Row counts of every table and checksums of the key tables, the figures a backup's manifest
 * stores and a verification compares after restoring.
 */

/** Runs one SQL statement and returns its rows, whichever driver is behind it. */
export type SqlRunner = (statement: string) => Promise<Record<string, unknown>[]>;

export interface TableStats {
  /** `schema.table`, such as `public.products`. */
  table: string;
  rows: number;
  /** md5 over the md5 of every row's text form, in sorted order; only for key tables. */
  checksum?: string;
}

/**
 * Tables whose contents are compared row by row: what sellers entered or cannot get back
 * from Uzum (accounts, users, tracking) and the history a later fetch cannot recreate
 * (products, shops, daily snapshots). Every other table is compared by row count only,
 * which keeps a verification of a large database to one pass over these tables.
 */
export const keyTables = [
  "public.accounts",
  "public.users",
  "public.tracked_products",
  "public.shops",
  "public.products",
  "public.product_snapshots",
] as const;

/** Schemas backed up: the service's tables and drizzle's record of applied migrations. */
const schemas = ["public", "drizzle"];

/**
 * Session settings that fix how values print as text, so a checksum taken before a backup
 * and one taken after a restore read the same characters.
 */
const stableOutput = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  "SET extra_float_digits = 1",
  "SET bytea_output = 'hex'",
];

export async function collectTableStats(run: SqlRunner): Promise<TableStats[]> {
  for (const statement of stableOutput) await run(statement);

  const tables = await run(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema IN (${schemas.map((schema) => `'${schema}'`).join(", ")})
     ORDER BY 1`,
  );

  const stats: TableStats[] = [];
  for (const { name } of tables) {
    const table = String(name);
    const quoted = quoteQualified(table);
    const [{ rows }] = await run(`SELECT count(*)::bigint AS rows FROM ${quoted}`);
    const entry: TableStats = { table, rows: Number(rows) };

    if ((keyTables as readonly string[]).includes(table)) {
      // Sorting by each row's hash keeps the order independent of collation and physical layout.
      const [{ checksum }] = await run(
        `SELECT md5(coalesce(string_agg(row_hash, '' ORDER BY row_hash), '')) AS checksum
         FROM (SELECT md5(t::text) AS row_hash FROM ${quoted} t) hashes`,
      );
      entry.checksum = String(checksum);
    }
    stats.push(entry);
  }
  return stats;
}

export interface StatsMismatch {
  table: string;
  expected: string;
  actual: string;
}

/** Lists every table whose presence, row count or checksum differs between the two sides. */
export function compareTableStats(expected: TableStats[], actual: TableStats[]): StatsMismatch[] {
  const actualByTable = new Map(actual.map((entry) => [entry.table, entry]));
  const mismatches: StatsMismatch[] = [];

  for (const want of expected) {
    const got = actualByTable.get(want.table);
    actualByTable.delete(want.table);
    if (!got) {
      mismatches.push({ table: want.table, expected: `${want.rows} rows`, actual: "table missing" });
    } else if (got.rows !== want.rows) {
      mismatches.push({ table: want.table, expected: `${want.rows} rows`, actual: `${got.rows} rows` });
    } else if (want.checksum !== got.checksum) {
      mismatches.push({ table: want.table, expected: `checksum ${want.checksum}`, actual: `checksum ${got.checksum}` });
    }
  }
  for (const extra of actualByTable.values()) {
    mismatches.push({ table: extra.table, expected: "no such table", actual: `${extra.rows} rows` });
  }
  return mismatches;
}

function quoteQualified(table: string): string {
  return table
    .split(".")
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join(".");
}
