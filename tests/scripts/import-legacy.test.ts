import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import postgres from "postgres";
import { importLegacy } from "../../scripts/import-legacy";
import { auditLog, dailySales, legacyRecords, productSnapshots, skuSnapshots, users } from "../../src/db/schema";
import { createTestApp, type TestApp } from "../helpers/app";
import { testDatabaseKinds } from "../helpers/database";

const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) {
  console.warn("[skip] import-legacy: TEST_DATABASE_URL is unset, and the old database can only be built on a PostgreSQL server.");
}

const accountId = "6f1c2a64-3a8e-4b8e-9d3e-2b1f0c9a7e01";
const userId = "0b7e0d4c-5d0a-4f6e-8c55-96a3d2f4e102";
const oldPassword = "Eski-parol-2025!";

/** Tables in the shape of the previous system's Prisma schema: timestamp(3) without a time zone, in UTC. */
const legacySchema = `
  CREATE TABLE accounts (id uuid PRIMARY KEY, name text NOT NULL, status text NOT NULL DEFAULT 'ACTIVE', created_at timestamp(3) NOT NULL);
  CREATE TABLE users (id uuid PRIMARY KEY, account_id uuid NOT NULL REFERENCES accounts(id), email text NOT NULL UNIQUE,
    password_hash text NOT NULL, role text NOT NULL DEFAULT 'USER', is_active boolean NOT NULL DEFAULT true,
    created_at timestamp(3) NOT NULL, last_login_at timestamp(3));
  CREATE TABLE shops (id bigint PRIMARY KEY, title text NOT NULL, rating double precision);
  CREATE TABLE products (id bigint PRIMARY KEY, shop_id bigint REFERENCES shops(id), title text NOT NULL, rating double precision,
    feedback_quantity integer, orders_quantity integer, created_at timestamp(3), updated_at timestamp(3));
  CREATE TABLE skus (id bigint PRIMARY KEY, product_id bigint REFERENCES products(id), sell_price bigint, full_price bigint, stock integer);
  CREATE TABLE product_snapshots (id bigserial PRIMARY KEY, product_id bigint NOT NULL REFERENCES products(id), orders_quantity integer,
    weekly_bought integer, rating double precision, feedback_quantity integer, score double precision, snapshot_at timestamp(3) NOT NULL);
  CREATE TABLE sku_snapshots (id bigserial PRIMARY KEY, sku_id bigint NOT NULL REFERENCES skus(id), sell_price bigint, full_price bigint,
    stock integer, snapshot_at timestamp(3) NOT NULL);
  CREATE TABLE tracked_products (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), account_id uuid NOT NULL, product_id bigint NOT NULL,
    is_active boolean NOT NULL DEFAULT true, created_at timestamp(3) NOT NULL, updated_at timestamp(3));
  CREATE TABLE category_runs (id serial PRIMARY KEY, category_id bigint, started_at timestamp(3));
  CREATE TABLE category_winners (id serial PRIMARY KEY, run_id integer, product_id bigint);
  CREATE TABLE alert_rules (id uuid PRIMARY KEY, account_id uuid, product_id bigint, kind text, threshold integer);
`;

async function seedLegacy(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(legacySchema);
  const hash = await Bun.password.hash(oldPassword, { algorithm: "bcrypt" });
  await sql`INSERT INTO accounts VALUES (${accountId}, 'Eski do''kon', 'ACTIVE', '2025-06-01 08:00:00')`;
  await sql`INSERT INTO users VALUES (${userId}, ${accountId}, 'Old.Seller@Example.uz', ${hash}, 'ADMIN', true, '2025-06-01 08:00:00', NULL)`;
  await sql`INSERT INTO shops VALUES (77, 'Eski do''kon', 4.7)`;
  await sql`INSERT INTO products VALUES (5001, 77, 'Choynak 2 litr', 4.8, 310, 44600, '2025-06-02 09:00:00', '2026-02-03 09:00:00')`;
  await sql`INSERT INTO skus VALUES (50011, 5001, 189000, 250000, 7)`;
  // Several snapshots a day; the weekly figure 44,500 is the rounded total orders, stored as weekly.
  await sql`INSERT INTO product_snapshots (product_id, orders_quantity, weekly_bought, rating, feedback_quantity, score, snapshot_at) VALUES
    (5001, 44400, 44500, 4.8, 300, 87.5, '2026-02-01 06:00:00'),
    (5001, 44450, NULL, 4.8, 301, 80.1, '2026-02-01 10:00:00'),
    (5001, 44480, 44500, 4.8, 302, 87.6, '2026-02-01 19:30:00'),
    (5001, 44520, 44500, 4.8, 305, 87.7, '2026-02-02 12:00:00'),
    (5001, 44600, 120, 4.8, 310, 40.2, '2026-02-03 09:00:00')`;
  await sql`INSERT INTO sku_snapshots (sku_id, sell_price, full_price, stock, snapshot_at) VALUES
    (50011, 189000, 250000, 9, '2026-02-01 06:00:00'),
    (50011, 185000, 250000, 7, '2026-02-01 10:00:00')`;
  await sql`INSERT INTO tracked_products (account_id, product_id, is_active, created_at) VALUES (${accountId}, 5001, true, '2025-06-02 09:00:00')`;
  await sql`INSERT INTO alert_rules VALUES ('9a0c5b1e-2f47-4d3a-8e61-7c2b9d0e4f13', ${accountId}, 5001, 'price_drop', 10)`;
}

for (const kind of testDatabaseKinds()) {
  describe.skipIf(!serverUrl)(`import-legacy into ${kind}`, () => {
    let app: TestApp;
    let legacyUrl: string;
    let admin: postgres.Sql;
    let legacy: postgres.Sql;
    const legacyName = `ventra_legacy_${process.pid}_${kind}`;

    beforeAll(async () => {
      admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${legacyName} WITH (FORCE)`);
      await admin.unsafe(`CREATE DATABASE ${legacyName}`);
      const url = new URL(serverUrl!);
      url.pathname = `/${legacyName}`;
      legacyUrl = url.toString();
      legacy = postgres(legacyUrl, { max: 1, onnotice: () => {} });
      await seedLegacy(legacy);
      app = await createTestApp({ kind, clock: undefined });
    }, 120_000);

    afterAll(async () => {
      await app?.close();
      await legacy?.end({ timeout: 5 });
      await admin?.unsafe(`DROP DATABASE IF EXISTS ${legacyName} WITH (FORCE)`);
      await admin?.end({ timeout: 5 });
    });

    const snapshots = () => app.database.db.select().from(productSnapshots).orderBy(asc(productSnapshots.snapshotDate));

    test("imports history with one row a day", async () => {
      const summary = await importLegacy({ from: legacyUrl, database: app.database, batchSize: 2 });

      expect(summary.tables.product_snapshots).toEqual({ read: 5, written: 5 });
      expect(summary.tables.users).toEqual({ read: 1, written: 1 });
      const rows = await snapshots();
      expect(rows.map((row) => row.snapshotDate)).toEqual(["2026-02-01", "2026-02-02", "2026-02-03"]);
      // 19:30 UTC on 1 February is 00:30 on 2 February in Tashkent, so 1 February ends with the 10:00 row.
      expect(rows.map((row) => row.ordersQuantity)).toEqual([44_450, 44_520, 44_600]);
      expect(rows.map((row) => row.weeklyBuyers)).toEqual([null, null, 120]);
      expect(rows.map((row) => row.scoreVersion)).toEqual([1, 1, 1]);
      expect(rows[2].scoreWeeklyBuyers).toBe(120);

      const skuRows = await app.database.db.select().from(skuSnapshots);
      expect(skuRows).toHaveLength(1);
      expect(skuRows[0].stockUnits).toBe(7);

      const sales = await app.database.db.select().from(dailySales).orderBy(asc(dailySales.salesDate));
      expect(sales.map((row) => row.unitsSold)).toEqual([null, 70, 80]);

      const records = await app.database.db.select().from(legacyRecords);
      expect(records).toHaveLength(1);
      expect(records[0].sourceTable).toBe("alert_rules");
      expect(records[0].data).toMatchObject({ kind: "price_drop", threshold: 10 });
    }, 60_000);

    test("second run changes nothing", async () => {
      const before = { snapshots: await snapshots(), audits: await app.database.db.select().from(auditLog) };

      const summary = await importLegacy({ from: legacyUrl, database: app.database });

      expect(Object.values(summary.tables).every((table) => table.read === 0 && table.written === 0)).toBe(true);
      expect(summary.dedupe.stagedRows).toBe(0);
      expect(summary.cleanup.scoresRecomputed).toBe(0);
      expect(summary.dailySales.rowsWritten).toBe(0);
      expect(await snapshots()).toEqual(before.snapshots);
      expect(await app.database.db.select().from(auditLog)).toEqual(before.audits);
    }, 60_000);

    test("old password signs in and is upgraded", async () => {
      const [stored] = await app.database.db.select().from(users).where(eq(users.id, userId));
      expect(stored.passwordHash.startsWith("$2")).toBe(true);

      const login = await app.request("POST", "/api/v1/auth/login", { body: { email: "old.seller@example.uz", password: oldPassword } });

      expect(login.status).toBe(200);
      expect(login.body.user.account_id).toBe(accountId);
      const [upgraded] = await app.database.db.select().from(users).where(eq(users.id, userId));
      expect(upgraded.passwordHash.startsWith("$argon2id$")).toBe(true);
      const tracked = await app.request("GET", "/api/v1/products/tracked", { token: login.body.access_token });
      expect(tracked.body.items.map((item: { product_id: number }) => item.product_id)).toEqual([5001]);
    }, 60_000);

    test("rerun picks up new source rows", async () => {
      await legacy`INSERT INTO product_snapshots (product_id, orders_quantity, weekly_bought, snapshot_at) VALUES (5001, 44650, NULL, '2026-02-04 09:00:00')`;

      const summary = await importLegacy({ from: legacyUrl, database: app.database });

      expect(summary.tables.product_snapshots).toEqual({ read: 1, written: 1 });
      const rows = await snapshots();
      expect(rows.at(-1)?.snapshotDate).toBe("2026-02-04");
      const [sale] = await app.database.db.select().from(dailySales).where(eq(dailySales.salesDate, "2026-02-04"));
      expect(sale.unitsSold).toBe(50);
    }, 60_000);
  });
}

describe("import-legacy command", () => {
  test("prints help with the columns read", async () => {
    const child = Bun.spawn([process.execPath, "run", "scripts/import-legacy.ts", "--help"], { stdout: "pipe", stderr: "pipe" });
    const output = await new Response(child.stdout).text();

    expect(await child.exited).toBe(0);
    expect(output).toContain("--from postgres://");
    expect(output).toContain("weekly_bought");
  }, 60_000);

  test("rejects a missing source", async () => {
    const child = Bun.spawn([process.execPath, "run", "scripts/import-legacy.ts"], { stdout: "pipe", stderr: "pipe" });
    const errors = await new Response(child.stderr).text();

    expect(await child.exited).toBe(2);
    expect(errors).toContain("Missing or invalid --from");
  }, 60_000);
});
