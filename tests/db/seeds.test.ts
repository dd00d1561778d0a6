import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { cargoProviders, supplierPlatforms, systemSettings, users } from "../../src/db/schema";
import { applySeeds, cargoSeeds, platformSeeds } from "../../src/db/seeds";
import { createTestApp, type TestApp } from "../helpers/app";
import { signInOperator } from "../helpers/admin";
import { testDatabaseKinds } from "../helpers/database";

for (const kind of testDatabaseKinds()) {
  describe(`seeds (${kind})`, () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await createTestApp({ kind });
    });

    afterAll(() => app.close());

    test("inserts every seed once", async () => {
      const first = await applySeeds(app.database);
      expect(first).toEqual({ cargoProviders: cargoSeeds.length, supplierPlatforms: platformSeeds.length, systemSettings: 3 });

      const again = await applySeeds(app.database);
      expect(again).toEqual({ cargoProviders: 0, supplierPlatforms: 0, systemSettings: 0 });

      const platforms = await app.database.db.select().from(supplierPlatforms);
      expect(platforms.map((platform) => platform.code).sort()).toEqual(["1688", "alibaba", "aliexpress", "amazon_de", "taobao"]);
      const routes = await app.database.db.select().from(cargoProviders);
      expect(new Set(routes.map((route) => `${route.originRegion}:${route.mode}`))).toEqual(
        new Set(["china:cargo", "china:rail", "china:air", "europe:road", "europe:air", "europe:road_via_turkey"]),
      );
    });

    test("keeps values an admin edited", async () => {
      await applySeeds(app.database);
      const operator = await signInOperator(app);
      const [admin] = await app.database.db.select().from(users).where(eq(users.id, operator.userId));

      await app.database.db
        .update(cargoProviders)
        .set({ ratePerKgUsd: 4.25, updatedBy: admin.id })
        .where(eq(cargoProviders.code, "china-air"));
      const edit = await app.request("PUT", "/api/v1/admin/settings/ai.monthly_budget_usd", { token: operator.token, body: { value: 12.5 } });
      expect(edit.status).toBe(200);
      // A seeded row nobody edited goes back to the seed value.
      await app.database.db.update(cargoProviders).set({ ratePerKgUsd: 99 }).where(eq(cargoProviders.code, "china-rail"));

      const counts = await applySeeds(app.database);
      expect(counts.cargoProviders).toBe(1);
      expect(counts.systemSettings).toBe(0);

      const [air] = await app.database.db.select().from(cargoProviders).where(eq(cargoProviders.code, "china-air"));
      expect(air.ratePerKgUsd).toBe(4.25);
      const [rail] = await app.database.db.select().from(cargoProviders).where(eq(cargoProviders.code, "china-rail"));
      expect(rail.ratePerKgUsd).toBe(cargoSeeds.find((seed) => seed.code === "china-rail")!.ratePerKgUsd);
      const [budget] = await app.database.db.select().from(systemSettings).where(eq(systemSettings.key, "ai.monthly_budget_usd"));
      expect(budget.value).toBe(12.5);
    });
  });
}
