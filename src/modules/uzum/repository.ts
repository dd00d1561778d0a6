import { and, desc, eq, exists, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { accounts, productSnapshots, products, shops, skuSnapshots, skus, trackedProducts } from "../../db/schema";
import { fromColumnRow, jsonUpsertSql, toColumnJson } from "../../db/json-upsert";
import type { UzumProduct } from "./client";

export type ProductRow = typeof products.$inferSelect;
export type ShopRow = typeof shops.$inferSelect;
export type SkuRow = typeof skus.$inferSelect;
export type SnapshotRow = typeof productSnapshots.$inferSelect;
export type NewSnapshot = typeof productSnapshots.$inferInsert;

/** Sources that read the page's own banner, as opposed to the orders-delta estimate. */
export const bannerSources = ["graphql", "html", "browser"] as const;

/**
 * Stores a fetched product with its shop and SKUs and upserts the day's product and SKU
 * snapshots. It is one statement, so the write is atomic and costs one round trip.
 * A later write on the same Tashkent day updates that day's rows, but keeps a banner reading
 * already stored there. Returns what the analysis response needs.
 */
export async function saveAnalysis(
  db: Database,
  product: UzumProduct,
  snapshot: NewSnapshot,
  capturedAt: Date,
): Promise<StoredProduct> {
  const shop = product.shop
    ? {
        id: product.shop.id,
        title: product.shop.title,
        link: product.shop.link,
        rating: product.shop.rating,
        reviewsCount: product.shop.reviewsCount,
        ordersQuantity: product.shop.ordersQuantity,
        isOfficial: product.shop.isOfficial,
        updatedAt: capturedAt,
      }
    : null;

  const productValues = {
    id: product.id,
    title: product.title,
    titleUz: product.titleUz,
    titleRu: product.titleRu,
    categoryId: product.categoryPath.at(-1)?.id ?? null,
    categoryPath: product.categoryPath,
    shopId: product.shop?.id ?? null,
    rating: product.rating,
    reviewsCount: product.reviewsCount,
    ordersQuantity: product.ordersQuantity,
    stockUnits: product.stockUnits,
    photoUrl: product.photoUrls[0] ?? null,
    photoUrls: product.photoUrls,
    firstSeenAt: capturedAt,
    lastAnalyzedAt: capturedAt,
  };

  // Uzum has not been seen to repeat a SKU id, but a repeat would abort an upsert that
  // touches the same row twice, so keep the first of each.
  const uniqueSkus = [...new Map(product.skus.map((sku) => [sku.id, sku])).values()];
  const skuValues = uniqueSkus.map((sku) => ({
    id: sku.id,
    productId: product.id,
    title: sku.title,
    sellPriceSom: sku.sellPriceSom,
    fullPriceSom: sku.fullPriceSom,
    stockUnits: sku.stockUnits,
    stockType: sku.stockType,
    updatedAt: capturedAt,
  }));
  const skuSnapshotValues = uniqueSkus.map((sku) => ({
    skuId: sku.id,
    productId: product.id,
    snapshotDate: snapshot.snapshotDate,
    capturedAt,
    sellPriceSom: sku.sellPriceSom,
    fullPriceSom: sku.fullPriceSom,
    stockUnits: sku.stockUnits,
    stockType: sku.stockType,
  }));

  const upserts: string[] = [];
  if (shop) {
    upserts.push(`shop_upsert AS (${jsonUpsertSql(shops, Object.keys(shop), { source: "(SELECT d FROM doc)->'shop'", conflict: ["id"], returning: "id" })})`);
  }
  upserts.push(
    `product_upsert AS (${jsonUpsertSql(products, Object.keys(productValues), {
      source: "(SELECT d FROM doc)->'product'",
      conflict: ["id"],
      keep: ["firstSeenAt"],
      returning: "id",
    })})`,
  );
  if (skuValues.length > 0) {
    upserts.push(
      `sku_upsert AS (${jsonUpsertSql(skus, Object.keys(skuValues[0]), { source: "(SELECT d FROM doc)->'skus'", conflict: ["id"], returning: "id" })})`,
      `sku_snapshot_upsert AS (${jsonUpsertSql(skuSnapshots, Object.keys(skuSnapshotValues[0]), {
        source: "(SELECT d FROM doc)->'sku_snapshots'",
        conflict: ["skuId", "snapshotDate"],
        keep: ["productId"],
        returning: "id",
      })})`,
    );
  }
  const snapshotUpsert = jsonUpsertSql(productSnapshots, Object.keys(snapshot), {
    source: "(SELECT d FROM doc)->'snapshot'",
    conflict: ["productId", "snapshotDate"],
    setOverrides: keepBannerReading(),
    returning: "*",
  });

  const document = JSON.stringify({
    shop: shop ? toColumnJson(shops, shop) : null,
    product: toColumnJson(products, productValues),
    skus: skuValues.map((values) => toColumnJson(skus, values)),
    sku_snapshots: skuSnapshotValues.map((values) => toColumnJson(skuSnapshots, values)),
    snapshot: toColumnJson(productSnapshots, snapshot),
  });
  // Data-modifying CTEs all run, in one statement, so the whole write is atomic and the
  // foreign keys see the shop and product written beside them.
  const statement = sql`WITH doc AS (SELECT ${document}::jsonb AS d), ${sql.raw(upserts.join(", "))} ${sql.raw(snapshotUpsert)}`;
  const [raw] = rowsOf(await db.execute(statement));
  const row = fromColumnRow(productSnapshots, raw);

  return { product: productValues, shop, snapshot: row };
}

/** The rows of `db.execute`, which postgres.js returns as an array and PGlite inside `rows`. */
function rowsOf(result: unknown): Array<Record<string, unknown>> {
  return Array.isArray(result) ? result : (result as { rows: Array<Record<string, unknown>> }).rows;
}

/**
 * Keeps a banner reading already stored for the day when the new row only has an estimate,
 * because a banner is the stronger figure and a concurrent analysis must not erase it.
 */
function keepBannerReading(): Record<string, string> {
  const banner = `('graphql', 'html', 'browser')`;
  const hasBanner = `product_snapshots.weekly_buyers_source IN ${banner} AND COALESCE(excluded.weekly_buyers_source, 'none') NOT IN ${banner}`;
  const keep = (column: string) => `CASE WHEN ${hasBanner} THEN product_snapshots.${column} ELSE excluded.${column} END`;
  return {
    weeklyBuyers: keep("weekly_buyers"),
    weeklyBuyersSource: keep("weekly_buyers_source"),
    weeklyBuyersText: keep("weekly_buyers_text"),
    weeklyBuyersConfidence: keep("weekly_buyers_confidence"),
    weeklyBuyersReadAt: keep("weekly_buyers_read_at"),
  };
}

/** Reads the product's snapshots up to `untilDate`, newest first; 20 rows cover the 14-day look-back and a 7-day reference. */
export async function recentSnapshots(db: Database, productId: number, untilDate: string, limit = 20): Promise<SnapshotRow[]> {
  return db
    .select()
    .from(productSnapshots)
    .where(and(eq(productSnapshots.productId, productId), lte(productSnapshots.snapshotDate, untilDate)))
    .orderBy(desc(productSnapshots.snapshotDate))
    .limit(limit);
}

/** Snapshots of one product from `fromDate` on, oldest first. */
export async function snapshotsSince(db: Database, productId: number, fromDate: string): Promise<SnapshotRow[]> {
  return db
    .select()
    .from(productSnapshots)
    .where(and(eq(productSnapshots.productId, productId), gte(productSnapshots.snapshotDate, fromDate)))
    .orderBy(productSnapshots.snapshotDate);
}

/** The product fields an analysis response shows. */
export type ProductFields = Pick<ProductRow, "id" | "title" | "titleUz" | "titleRu" | "categoryPath" | "photoUrl" | "photoUrls">;
export type ShopFields = Pick<ShopRow, "id" | "title" | "rating" | "ordersQuantity">;

export interface StoredProduct {
  product: ProductFields;
  shop: ShopFields | null;
  snapshot: SnapshotRow;
}

/** Reads the stored product with its shop and newest snapshot, or undefined when never analysed. */
export async function findStoredProduct(db: Database, productId: number): Promise<StoredProduct | undefined> {
  const [found] = await findStoredProducts(db, [productId]);
  return found;
}

/** Like findStoredProduct for many ids in one query; ids never analysed are left out. */
export async function findStoredProducts(db: Database, productIds: number[]): Promise<StoredProduct[]> {
  if (productIds.length === 0) return [];

  const rows = await db
    .selectDistinctOn([productSnapshots.productId], { snapshot: productSnapshots, product: products, shop: shops })
    .from(productSnapshots)
    .innerJoin(products, eq(products.id, productSnapshots.productId))
    .leftJoin(shops, eq(shops.id, products.shopId))
    .where(inArray(productSnapshots.productId, productIds))
    .orderBy(productSnapshots.productId, desc(productSnapshots.snapshotDate));
  return rows;
}

/** Reads the SKUs of a product as last stored, cheapest first. */
export async function productSkus(db: Database, productId: number): Promise<SkuRow[]> {
  return db.select().from(skus).where(eq(skus.productId, productId)).orderBy(skus.sellPriceSom, skus.id);
}

/** A condition on `products`: some active account tracks the product now. */
export function isTrackedByActiveAccount(db: Database) {
  return exists(
    db
      .select({ one: sql`1` })
      .from(trackedProducts)
      .innerJoin(accounts, eq(accounts.id, trackedProducts.accountId))
      .where(and(eq(trackedProducts.productId, products.id), isNull(trackedProducts.untrackedAt), eq(accounts.status, "ACTIVE"))),
  );
}
