import postgres from "postgres";

/** A table of the previous system, read in pages ordered by its `id`. */
export interface SourceTable {
  name: string;
  /** Columns the import reads; a missing optional column reads as null. */
  columns: string[];
  /** Columns the import cannot do without; a missing one stops the import with its name. */
  required: string[];
  /** Timestamp columns, read as epoch milliseconds so `timestamp` and `timestamptz` both mean UTC. */
  timestamps?: string[];
  /** Extra select expressions keyed by output name, written against the alias `t`. */
  extra?: Record<string, string>;
}

export type SourceRow = { id: string } & Record<string, unknown>;

/**
 * Reads the previous VENTRA database. Prisma stores `DateTime` as `timestamp(3)` without a
 * time zone holding UTC, so timestamps are read through `extract(epoch …)`, which treats such
 * a value as UTC and a `timestamptz` as the instant it is.
 */
export class LegacySource {
  private readonly client: postgres.Sql;
  private readonly columnCache = new Map<string, Map<string, string>>();

  constructor(url: string) {
    this.client = postgres(url, { max: 2, onnotice: () => {}, idle_timeout: 5 });
  }

  /** Name and database of the source, which keys the import checkpoints. */
  static describe(url: string): string {
    const parsed = new URL(url);
    return `legacy:${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  }

  /** The table's columns and their types, or undefined when the source has no such table. */
  async columnsOf(table: string): Promise<Map<string, string> | undefined> {
    if (!this.columnCache.has(table)) {
      const rows = await this.client<{ column_name: string; data_type: string }[]>`
        SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ${table}`;
      this.columnCache.set(table, new Map(rows.map((row) => [row.column_name, row.data_type])));
    }
    const columns = this.columnCache.get(table)!;
    return columns.size === 0 ? undefined : columns;
  }

  /** Rows with an id after `afterId`, or all of them when it is null. */
  async count(table: SourceTable, afterId: string | null): Promise<number> {
    const idType = await this.idType(table.name);
    const where = afterId === null ? "" : `WHERE id > $1::${idType}`;
    const rows = await this.client.unsafe(`SELECT count(*)::int AS count FROM "${table.name}" ${where}`, afterId === null ? [] : [afterId]);
    return Number(rows[0].count);
  }

  /** The next page of rows after `afterId`, in id order; ids come back as text. */
  async page(table: SourceTable, afterId: string | null, limit: number): Promise<SourceRow[]> {
    const present = (await this.columnsOf(table.name))!;
    const missing = table.required.filter((column) => !present.has(column));
    if (missing.length > 0) {
      throw new Error(`The source table ${table.name} has no column ${missing.join(", ")}; see --help for the columns read`);
    }

    const timestamps = new Set(table.timestamps ?? []);
    const selects = table.columns.map((column) => {
      if (!present.has(column)) return `NULL AS "${column}"`;
      if (timestamps.has(column)) return `(extract(epoch FROM t."${column}") * 1000)::float8 AS "${column}"`;
      return `t."${column}"`;
    });
    for (const [name, expression] of Object.entries(table.extra ?? {})) selects.push(`${expression} AS "${name}"`);

    const idType = await this.idType(table.name);
    const where = afterId === null ? "" : `WHERE t.id > $1::${idType}`;
    const statement = `SELECT t.id::text AS id, ${selects.join(", ")} FROM "${table.name}" t ${where} ORDER BY t.id LIMIT ${limit}`;
    return this.client.unsafe(statement, afterId === null ? [] : [afterId]);
  }

  /** Whole rows as JSON, for tables this version keeps as they are. */
  async rawPage(table: string, afterId: string | null, limit: number): Promise<Array<{ id: string; data: SourceRow }>> {
    const idType = await this.idType(table);
    const where = afterId === null ? "" : `WHERE t.id > $1::${idType}`;
    return this.client.unsafe(
      `SELECT t.id::text AS id, to_jsonb(t) AS data FROM "${table}" t ${where} ORDER BY t.id LIMIT ${limit}`,
      afterId === null ? [] : [afterId],
    );
  }

  close(): Promise<void> {
    return this.client.end({ timeout: 5 });
  }

  private async idType(table: string): Promise<string> {
    const type = (await this.columnsOf(table))?.get("id");
    if (!type) throw new Error(`The source table ${table} has no id column`);
    // information_schema spells some types in words PostgreSQL casts do not accept.
    return type === "character varying" ? "varchar" : type === "timestamp without time zone" ? "timestamp" : type;
  }
}
