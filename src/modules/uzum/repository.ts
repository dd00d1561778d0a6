import { and, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { productSnapshots, products, shops, skuSnapshots, skus } from "../../db/schema";
import type { UzumProduct } from "./client";

export type ProductRow = typeof products.$inferSelect;
export type ShopRow = typeof shops.$inferSelect;
export type SkuRow = typeof skus.$inferSelect;
export type SnapshotRow = typeof productSnapshots.$inferSelect;
export type NewSnapshot = typeof productSnapshots.$inferInsert;

/** Sources that read the page's own banner, as opposed to the orders-delta estimate. */
export const bannerSources = ["graphql", "html", "browser"] as const;

/**
 * Stores a fetched product with its shop and SKUs, and upserts the day's product and
 * SKU snapshots, all in one transaction. A later write on the same Tashkent day updates
 * that day's rows; a banner reading already on the row is kept.
 */
export async function saveAnalysis(
  db: Database,
  product: UzumProduct,
  snapshot: NewSnapshot,
  capturedAt: Date,
): Promise<SnapshotRow> {
  return db.transaction(async (tx) => {
    if (product.shop) {
      const shop = {
        id: product.shop.id,
        title: product.shop.title,
        link: product.shop.link,
        rating: product.shop.rating,
        reviewsCount: product.shop.reviewsCount,
        ordersQuantity: product.shop.ordersQuantity,
        isOfficial: product.shop.isOfficial,
        updatedAt: capturedAt,
      };
      await tx.insert(shops).values(shop).onConflictDoUpdate({ target: shops.id, set: excludedOf(shop, ["id"]) });
    }

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
    await tx
      .insert(products)
      .values(productValues)
      .onConflictDoUpdate({ target: products.id, set: excludedOf(productValues, ["id", "firstSeenAt"]) });

    if (product.skus.length > 0) {
      const skuValues = product.skus.map((sku) => ({
        id: sku.id,
        productId: product.id,
        title: sku.title,
        sellPriceSom: sku.sellPriceSom,
        fullPriceSom: sku.fullPriceSom,
        stockUnits: sku.stockUnits,
        stockType: sku.stockType,
        updatedAt: capturedAt,
      }));
      await tx.insert(skus).values(skuValues).onConflictDoUpdate({ target: skus.id, set: excludedOf(skuValues[0], ["id"]) });

      const skuSnapshotValues = product.skus.map((sku) => ({
        skuId: sku.id,
        productId: product.id,
        snapshotDate: snapshot.snapshotDate,
        capturedAt,
        sellPriceSom: sku.sellPriceSom,
        fullPriceSom: sku.fullPriceSom,
        stockUnits: sku.stockUnits,
        stockType: sku.stockType,
      }));
      await tx
        .insert(skuSnapshots)
        .values(skuSnapshotValues)
        .onConflictDoUpdate({
          target: [skuSnapshots.skuId, skuSnapshots.snapshotDate],
          set: excludedOf(skuSnapshotValues[0], ["skuId", "snapshotDate", "productId"]),
        });
    }

    const [row] = await tx
      .insert(productSnapshots)
      .values(snapshot)
      .onConflictDoUpdate({
        target: [productSnapshots.productId, productSnapshots.snapshotDate],
        set: { ...excludedOf(snapshot, ["productId", "snapshotDate"]), ...keepBannerReading() },
      })
      .returning();
    return row;
  });
}

/**
 * Builds `SET column = EXCLUDED.column` for every key of `values` except those listed,
 * so an upsert writes what the insert would have written.
 */
function excludedOf<T extends Record<string, unknown>>(values: T, except: Array<keyof T>) {
  const set: Record<string, ReturnType<typeof sql>> = {};
  for (const key of Object.keys(values)) {
    if (except.includes(key as keyof T)) continue;
    set[key] = sql.raw(`excluded.${toSnakeCase(key)}`);
  }
  return set;
}

function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Keeps a banner reading already stored for the day when the new row only has an estimate,
 * because a banner is the stronger figure and a concurrent analysis must not erase it.
 */
function keepBannerReading() {
  const banner = `('graphql', 'html', 'browser')`;
  const hasBanner = `product_snapshots.weekly_buyers_source IN ${banner} AND COALESCE(excluded.weekly_buyers_source, 'none') NOT IN ${banner}`;
  const keep = (column: string) =>
    sql.raw(`CASE WHEN ${hasBanner} THEN product_snapshots.${column} ELSE excluded.${column} END`);
  return {
    weeklyBuyers: keep("weekly_buyers"),
    weeklyBuyersSource: keep("weekly_buyers_source"),
    weeklyBuyersText: keep("weekly_buyers_text"),
    weeklyBuyersConfidence: keep("weekly_buyers_confidence"),
    weeklyBuyersReadAt: keep("weekly_buyers_read_at"),
  };
}

/** The product's snapshots up to `untilDate`, newest first; 20 rows cover the 14-day look-back and a 7-day reference. */
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

export interface StoredProduct {
  product: ProductRow;
  shop: ShopRow | null;
  snapshot: SnapshotRow;
}

/** The stored product with its shop and newest snapshot, or undefined when never analysed. */
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

/** The SKUs of a product as last stored, cheapest first. */
export async function productSkus(db: Database, productId: number): Promise<SkuRow[]> {
  return db.select().from(skus).where(eq(skus.productId, productId)).orderBy(skus.sellPriceSom, skus.id);
}
