import { createHash } from "node:crypto";
import { inArray, sql } from "drizzle-orm";
import type { Database } from "../../src/db/client";
import {
  accounts,
  legacyRecords,
  products,
  shops,
  skus,
  stagedProductSnapshots,
  stagedSkuSnapshots,
  trackedProducts,
  users,
} from "../../src/db/schema";
import { tashkentDate } from "../../src/lib/time";
import type { SourceRow, SourceTable } from "./source";

/** One source table and how its rows become ours. */
export interface ImportStep {
  source: SourceTable;
  /** Writes one page of rows; returns how many rows were new in the target. */
  write(db: Database, rows: SourceRow[], origin: string): Promise<number>;
}

/** Tables this version has no home for yet, kept whole in `legacy_records`. */
export const keptAsRecords = ["category_runs", "category_winners", "alert_rules"];

const roles = ["SUPER_ADMIN", "ADMIN", "MODERATOR", "USER"] as const;

export const importSteps: ImportStep[] = [
  {
    source: { name: "accounts", columns: ["name", "status", "created_at"], required: ["name"], timestamps: ["created_at"] },
    async write(db, rows) {
      const values = rows.map((row) => ({
        id: String(row.id),
        name: text(row.name) ?? "Account",
        status: /^(suspended|blocked|disabled)$/i.test(text(row.status) ?? "") ? ("SUSPENDED" as const) : ("ACTIVE" as const),
        createdAt: instant(row.created_at) ?? new Date(),
      }));
      return inserted(await db.insert(accounts).values(values).onConflictDoNothing().returning({ id: accounts.id }));
    },
  },
  {
    source: {
      name: "users",
      columns: ["account_id", "email", "password_hash", "role", "is_active", "created_at", "last_login_at"],
      required: ["account_id", "email", "password_hash"],
      timestamps: ["created_at", "last_login_at"],
    },
    async write(db, rows) {
      const known = await existingIds(db, accounts, accounts.id, rows.map((row) => String(row.account_id)));
      const values = rows
        .filter((row) => known.has(String(row.account_id)))
        .map((row) => ({
          id: String(row.id),
          accountId: String(row.account_id),
          email: String(row.email).trim().toLowerCase(),
          // bcrypt hashes are kept as they are; login verifies them and stores Argon2id instead.
          passwordHash: String(row.password_hash),
          role: mapRole(text(row.role)),
          isActive: row.is_active === null ? true : Boolean(row.is_active),
          createdAt: instant(row.created_at) ?? new Date(),
          lastLoginAt: instant(row.last_login_at),
        }));
      // A user whose email already exists here keeps the account they have here.
      return inserted(await db.insert(users).values(values).onConflictDoNothing().returning({ id: users.id }));
    },
  },
  {
    source: { name: "shops", columns: ["title", "rating", "orders_quantity"], required: [] },
    async write(db, rows) {
      const values = rows.map((row) => ({
        id: Number(row.id),
        title: text(row.title) ?? `Shop ${row.id}`,
        rating: numberOrNull(row.rating),
        ordersQuantity: integerOrNull(row.orders_quantity),
      }));
      return inserted(await db.insert(shops).values(values).onConflictDoNothing().returning({ id: shops.id }));
    },
  },
  {
    source: {
      name: "products",
      columns: ["shop_id", "category_id", "title", "rating", "feedback_quantity", "orders_quantity", "created_at", "updated_at"],
      required: ["title"],
      timestamps: ["created_at", "updated_at"],
    },
    async write(db, rows) {
      const knownShops = await existingIds(db, shops, shops.id, rows.map((row) => row.shop_id).filter((id) => id !== null).map(Number));
      const values = rows.map((row) => {
        const seenAt = instant(row.created_at) ?? new Date();
        return {
          id: Number(row.id),
          title: text(row.title) ?? `Product ${row.id}`,
          categoryId: integerOrNull(row.category_id),
          shopId: row.shop_id !== null && knownShops.has(Number(row.shop_id)) ? Number(row.shop_id) : null,
          rating: numberOrNull(row.rating),
          reviewsCount: integerOrNull(row.feedback_quantity),
          ordersQuantity: integerOrNull(row.orders_quantity),
          firstSeenAt: seenAt,
          // Raised to the last imported snapshot once snapshots are merged; see markLastAnalyzed.
          lastAnalyzedAt: seenAt,
        };
      });
      return inserted(await db.insert(products).values(values).onConflictDoNothing().returning({ id: products.id }));
    },
  },
  {
    source: { name: "skus", columns: ["product_id", "title", "sell_price", "full_price", "stock"], required: ["product_id"] },
    async write(db, rows) {
      const knownProducts = await existingIds(db, products, products.id, rows.map((row) => Number(row.product_id)));
      const values = rows
        .filter((row) => knownProducts.has(Number(row.product_id)))
        .map((row) => ({
          id: Number(row.id),
          productId: Number(row.product_id),
          title: text(row.title),
          sellPriceSom: integerOrNull(row.sell_price),
          fullPriceSom: integerOrNull(row.full_price),
          stockUnits: integerOrNull(row.stock) ?? 0,
        }));
      if (values.length === 0) return 0;
      return inserted(await db.insert(skus).values(values).onConflictDoNothing().returning({ id: skus.id }));
    },
  },
  {
    source: {
      name: "tracked_products",
      columns: ["account_id", "product_id", "is_active", "created_at", "updated_at"],
      required: ["account_id", "product_id"],
      timestamps: ["created_at", "updated_at"],
    },
    async write(db, rows) {
      const knownAccounts = await existingIds(db, accounts, accounts.id, rows.map((row) => String(row.account_id)));
      const knownProducts = await existingIds(db, products, products.id, rows.map((row) => Number(row.product_id)));
      const values = rows
        .filter((row) => knownAccounts.has(String(row.account_id)) && knownProducts.has(Number(row.product_id)))
        .map((row) => {
          const since = instant(row.created_at) ?? new Date();
          const active = row.is_active === null || Boolean(row.is_active);
          return {
            // The same source row always maps to the same id, so a rerun inserts nothing twice.
            id: uuidFrom(`tracked_products:${row.id}`),
            accountId: String(row.account_id),
            productId: Number(row.product_id),
            trackedSince: since,
            untrackedAt: active ? null : (instant(row.updated_at) ?? since),
          };
        });
      if (values.length === 0) return 0;
      return inserted(await db.insert(trackedProducts).values(values).onConflictDoNothing().returning({ id: trackedProducts.id }));
    },
  },
  {
    source: {
      name: "product_snapshots",
      columns: ["product_id", "orders_quantity", "weekly_bought", "rating", "feedback_quantity", "score", "snapshot_at"],
      required: ["product_id", "snapshot_at"],
      timestamps: ["snapshot_at"],
    },
    async write(db, rows, origin) {
      // The old score used another formula; snapshot cleanup scores these rows again.
      const values = rows.map((row) => {
        const capturedAt = instant(row.snapshot_at)!;
        return {
          origin,
          originId: String(row.id),
          productId: Number(row.product_id),
          snapshotDate: tashkentDate(capturedAt),
          capturedAt,
          ordersQuantity: integerOrNull(row.orders_quantity),
          rating: numberOrNull(row.rating),
          reviewsCount: integerOrNull(row.feedback_quantity),
          // The old system recorded no source for its weekly figure.
          weeklyBuyers: integerOrNull(row.weekly_bought),
          weeklyBuyersSource: null,
        };
      });
      return inserted(
        await db.insert(stagedProductSnapshots).values(values).onConflictDoNothing().returning({ id: stagedProductSnapshots.id }),
      );
    },
  },
  {
    source: {
      name: "sku_snapshots",
      columns: ["sku_id", "sell_price", "full_price", "stock", "snapshot_at"],
      required: ["sku_id", "snapshot_at"],
      timestamps: ["snapshot_at"],
      extra: { product_id: `(SELECT k.product_id FROM skus k WHERE k.id = t.sku_id)` },
    },
    async write(db, rows, origin) {
      const values = rows
        .filter((row) => row.product_id !== null)
        .map((row) => {
          const capturedAt = instant(row.snapshot_at)!;
          return {
            origin,
            originId: String(row.id),
            skuId: Number(row.sku_id),
            productId: Number(row.product_id),
            snapshotDate: tashkentDate(capturedAt),
            capturedAt,
            sellPriceSom: integerOrNull(row.sell_price),
            fullPriceSom: integerOrNull(row.full_price),
            stockUnits: integerOrNull(row.stock) ?? 0,
          };
        });
      if (values.length === 0) return 0;
      return inserted(await db.insert(stagedSkuSnapshots).values(values).onConflictDoNothing().returning({ id: stagedSkuSnapshots.id }));
    },
  },
];

/**
 * Sets each product's last analysis time to its newest snapshot when that is later, because
 * the scheduled refresh takes the least recently analysed products first.
 */
export async function markLastAnalyzed(db: Database): Promise<void> {
  await db.execute(sql`
    UPDATE products p SET last_analyzed_at = latest.captured_at
    FROM (SELECT product_id, max(captured_at) AS captured_at FROM product_snapshots GROUP BY product_id) latest
    WHERE latest.product_id = p.id AND latest.captured_at > p.last_analyzed_at`);
}

/** Writes whole source rows of a table kept as records. */
export async function writeRecords(db: Database, table: string, rows: Array<{ id: string; data: SourceRow }>): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((row) => ({ sourceTable: table, sourceId: row.id, data: row.data }));
  return inserted(await db.insert(legacyRecords).values(values).onConflictDoNothing().returning({ id: legacyRecords.sourceId }));
}

async function existingIds<Id extends string | number>(db: Database, table: any, column: any, ids: Id[]): Promise<Set<Id>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows = (await db.select({ id: column }).from(table).where(inArray(column, unique))) as Array<{ id: Id }>;
  return new Set(rows.map((row) => row.id));
}

/** Builds a stable UUID (version 5 layout) from a name, so a source row always gets the same id. */
export function uuidFrom(name: string): string {
  const bytes = createHash("sha1").update(`ventra-import:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function mapRole(role: string | null): (typeof roles)[number] {
  const upper = (role ?? "").toUpperCase();
  if (upper === "OWNER") return "ADMIN";
  return (roles as readonly string[]).includes(upper) ? (upper as (typeof roles)[number]) : "USER";
}

function inserted(rows: unknown[]): number {
  return rows.length;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

function instant(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(Number(value));
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function integerOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value));
}
