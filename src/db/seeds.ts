import { sql } from "drizzle-orm";
import type { Logger } from "../lib/logger";
import { settingDefinitions, settingKeys } from "../modules/admin/settings";
import type { DatabaseHandle } from "./client";
import { cargoProviders, supplierPlatforms, systemSettings } from "./schema";

type CargoSeed = Omit<typeof cargoProviders.$inferInsert, "isActive" | "updatedAt" | "updatedBy">;
type PlatformSeed = Omit<typeof supplierPlatforms.$inferInsert, "isActive" | "updatedAt" | "updatedBy">;

/**
 * Starting figures for an operator to correct from current quotes; they are typical of
 * consolidated freight to Tashkent, not a quote from any provider.
 */
export const cargoSeeds: CargoSeed[] = [
  { code: "china-cargo", name: "China → Uzbekistan, consolidated cargo by truck", originRegion: "china", mode: "cargo", ratePerKgUsd: 3.5, deliveryDaysMin: 12, deliveryDaysMax: 20, minWeightKg: 1 },
  { code: "china-rail", name: "China → Uzbekistan, rail", originRegion: "china", mode: "rail", ratePerKgUsd: 2.2, deliveryDaysMin: 20, deliveryDaysMax: 30, minWeightKg: 50 },
  { code: "china-air", name: "China → Uzbekistan, air", originRegion: "china", mode: "air", ratePerKgUsd: 7.5, deliveryDaysMin: 5, deliveryDaysMax: 8, minWeightKg: 1 },
  { code: "europe-road", name: "Europe → Uzbekistan, road", originRegion: "europe", mode: "road", ratePerKgUsd: 3.8, deliveryDaysMin: 14, deliveryDaysMax: 21, minWeightKg: 10 },
  { code: "europe-air", name: "Europe → Uzbekistan, air", originRegion: "europe", mode: "air", ratePerKgUsd: 9.5, deliveryDaysMin: 5, deliveryDaysMax: 9, minWeightKg: 1 },
  { code: "europe-turkey", name: "Europe → Uzbekistan, road via Turkey", originRegion: "europe", mode: "road_via_turkey", ratePerKgUsd: 3.2, deliveryDaysMin: 18, deliveryDaysMax: 28, minWeightKg: 20 },
];

/** Marketplaces searched by keyword through their public search page; `{query}` is the URL-encoded search text. */
export const platformSeeds: PlatformSeed[] = [
  { code: "1688", name: "1688.com", country: "CN", currency: "CNY", baseUrl: "https://www.1688.com", searchMethod: "keyword", searchUrlTemplate: "https://s.1688.com/selloffer/offer_search.htm?keywords={query}" },
  { code: "taobao", name: "Taobao", country: "CN", currency: "CNY", baseUrl: "https://www.taobao.com", searchMethod: "keyword", searchUrlTemplate: "https://s.taobao.com/search?q={query}" },
  { code: "aliexpress", name: "AliExpress", country: "CN", currency: "USD", baseUrl: "https://www.aliexpress.com", searchMethod: "keyword", searchUrlTemplate: "https://www.aliexpress.com/wholesale?SearchText={query}" },
  { code: "alibaba", name: "Alibaba.com", country: "CN", currency: "USD", baseUrl: "https://www.alibaba.com", searchMethod: "keyword", searchUrlTemplate: "https://www.alibaba.com/trade/search?SearchText={query}" },
  { code: "amazon_de", name: "Amazon.de", country: "DE", currency: "EUR", baseUrl: "https://www.amazon.de", searchMethod: "keyword", searchUrlTemplate: "https://www.amazon.de/s?k={query}" },
];

/** Rows inserted or changed by one seed run, per table; all zero on a rerun. */
export interface SeedCounts {
  cargoProviders: number;
  supplierPlatforms: number;
  systemSettings: number;
}

/**
 * Inserts the seed rows that are missing and refreshes seeded rows whose values differ,
 * leaving every row an admin edited (`updated_by` set) as it is. Safe to run on every start.
 */
export async function applySeeds(handle: DatabaseHandle, logger?: Logger): Promise<SeedCounts> {
  const counts = await handle.db.transaction(async (tx) => {
    const cargo = await tx
      .insert(cargoProviders)
      .values(cargoSeeds)
      .onConflictDoUpdate({
        target: cargoProviders.code,
        set: {
          name: sql`excluded.name`,
          originRegion: sql`excluded.origin_region`,
          mode: sql`excluded.mode`,
          ratePerKgUsd: sql`excluded.rate_per_kg_usd`,
          deliveryDaysMin: sql`excluded.delivery_days_min`,
          deliveryDaysMax: sql`excluded.delivery_days_max`,
          minWeightKg: sql`excluded.min_weight_kg`,
          updatedAt: sql`now()`,
        },
        setWhere: sql`${cargoProviders.updatedBy} IS NULL AND
          (${cargoProviders.name}, ${cargoProviders.originRegion}, ${cargoProviders.mode}, ${cargoProviders.ratePerKgUsd},
           ${cargoProviders.deliveryDaysMin}, ${cargoProviders.deliveryDaysMax}, ${cargoProviders.minWeightKg})
          IS DISTINCT FROM
          (excluded.name, excluded.origin_region, excluded.mode, excluded.rate_per_kg_usd,
           excluded.delivery_days_min, excluded.delivery_days_max, excluded.min_weight_kg)`,
      })
      .returning({ code: cargoProviders.code });

    const platforms = await tx
      .insert(supplierPlatforms)
      .values(platformSeeds)
      .onConflictDoUpdate({
        target: supplierPlatforms.code,
        set: {
          name: sql`excluded.name`,
          country: sql`excluded.country`,
          currency: sql`excluded.currency`,
          baseUrl: sql`excluded.base_url`,
          searchMethod: sql`excluded.search_method`,
          searchUrlTemplate: sql`excluded.search_url_template`,
          updatedAt: sql`now()`,
        },
        setWhere: sql`${supplierPlatforms.updatedBy} IS NULL AND
          (${supplierPlatforms.name}, ${supplierPlatforms.country}, ${supplierPlatforms.currency}, ${supplierPlatforms.baseUrl},
           ${supplierPlatforms.searchMethod}, ${supplierPlatforms.searchUrlTemplate})
          IS DISTINCT FROM
          (excluded.name, excluded.country, excluded.currency, excluded.base_url,
           excluded.search_method, excluded.search_url_template)`,
      })
      .returning({ code: supplierPlatforms.code });

    const settings = await tx
      .insert(systemSettings)
      .values(settingKeys.map((key) => ({ key, value: settingDefinitions[key].default })))
      .onConflictDoUpdate({
        target: systemSettings.key,
        set: { value: sql`excluded.value`, updatedAt: sql`now()` },
        setWhere: sql`${systemSettings.updatedBy} IS NULL AND ${systemSettings.value} IS DISTINCT FROM excluded.value`,
      })
      .returning({ key: systemSettings.key });

    return { cargoProviders: cargo.length, supplierPlatforms: platforms.length, systemSettings: settings.length };
  });

  logger?.info(counts, "seeds.applied");
  return counts;
}
