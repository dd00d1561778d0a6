import { getTableColumns, getTableName, type InferSelectModel } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

/**
 * Upserts written as plain SQL that read their rows from one jsonb parameter.
 *
 * Building a large multi-table upsert with drizzle's query builder on every call cost more
 * CPU than PostgreSQL spent running it (about 40% of a product analysis, measured with
 * `bun --cpu-prof` on scripts/bench/analyze.ts). The SQL text here is built once per table
 * and column set; the rows travel as JSON keyed by column name.
 */

export interface JsonUpsertOptions<T extends PgTable> {
  /** The jsonb expression holding the row (an object) or rows (an array). */
  source: string;
  /** Columns of the ON CONFLICT target. */
  conflict: Array<keyof T["$inferInsert"] & string>;
  /** Columns left as they are when the row already exists. */
  keep?: Array<keyof T["$inferInsert"] & string>;
  /** SQL that replaces `excluded.<column>` for some columns, written with the table name. */
  setOverrides?: Partial<Record<keyof T["$inferInsert"] & string, string>>;
  returning?: string;
}

const statements = new Map<string, string>();

/**
 * Returns `INSERT INTO … SELECT … FROM jsonb_to_recordset(source) … ON CONFLICT … DO UPDATE`
 * for the given property names of the table's drizzle columns; the text is cached.
 */
export function jsonUpsertSql<T extends PgTable>(table: T, properties: string[], options: JsonUpsertOptions<T>): string {
  const cacheKey = `${getTableName(table)}|${properties.join(",")}|${JSON.stringify(options)}`;
  const cached = statements.get(cacheKey);
  if (cached) return cached;

  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const name = getTableName(table);
  const pick = (property: string) => {
    const column = columns[property];
    if (!column) throw new Error(`${name} has no column for property ${property}`);
    return column;
  };

  const insertColumns = properties.map((property) => pick(property).name);
  const recordTypes = properties.map((property) => `${pick(property).name} ${pick(property).getSQLType()}`).join(", ");
  const conflictColumns = options.conflict.map((property) => pick(property).name);
  const keep = new Set([...(options.keep ?? []), ...options.conflict]);
  const overrides = (options.setOverrides ?? {}) as Record<string, string>;

  const assignments = properties
    .filter((property) => !keep.has(property as never))
    .map((property) => `${pick(property).name} = ${overrides[property] ?? `excluded.${pick(property).name}`}`);

  const statement =
    `INSERT INTO ${name} (${insertColumns.join(", ")}) ` +
    `SELECT ${insertColumns.join(", ")} FROM jsonb_to_recordset(CASE jsonb_typeof(${options.source}) ` +
    `WHEN 'array' THEN ${options.source} WHEN 'object' THEN jsonb_build_array(${options.source}) ELSE '[]'::jsonb END) ` +
    `AS input(${recordTypes}) ` +
    `ON CONFLICT (${conflictColumns.join(", ")}) DO ` +
    (assignments.length > 0 ? `UPDATE SET ${assignments.join(", ")}` : "NOTHING") +
    (options.returning ? ` RETURNING ${options.returning}` : "");
  statements.set(cacheKey, statement);
  return statement;
}

/** Turns a drizzle insert object into the JSON object the statement reads, keyed by column name. */
export function toColumnJson<T extends PgTable>(table: T, values: Record<string, unknown>): Record<string, unknown> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const row: Record<string, unknown> = {};
  for (const [property, value] of Object.entries(values)) {
    const column = columns[property];
    if (!column || value === undefined) continue;
    row[column.name] = value instanceof Date ? value.toISOString() : value;
  }
  return row;
}

/** Maps a raw `RETURNING *` row to drizzle's typed row, with drizzle's own conversions. */
export function fromColumnRow<T extends PgTable>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const row: Record<string, unknown> = {};
  for (const [property, column] of Object.entries(columns)) {
    const value = raw[column.name];
    row[property] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as InferSelectModel<T>;
}
