/**
 * Measures the refresh-tracked job: 10,000 tracked products against a local Uzum stub that
 * returns each product after 50 ms, with 16 Uzum requests at a time. The floor is
 * products × delay / concurrency (31.25 s with the defaults); the target is within 1.2× the
 * floor and under 250 MB of peak resident memory.
 *
 *   bun run scripts/bench/refresh.ts [--products=10000] [--delay-ms=50] [--concurrency=16] [--workers=32] [--postgres=URL]
 *
 * Without --postgres it runs on in-memory PGlite; with it, on a new database on that server,
 * dropped afterwards. Prints one JSON line with the figures.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config";
import { accounts, products, trackedProducts } from "../../src/db/schema";
import { createScheduler } from "../../src/jobs";
import { createLogger } from "../../src/lib/logger";
import { systemClock } from "../../src/lib/time";
import { UzumClient } from "../../src/modules/uzum/client";
import { ProductService } from "../../src/modules/uzum/service";
import { countRows, openBenchDatabase, startUzumStub, trackPeakRss } from "./common";

const { values } = parseArgs({
  options: {
    products: { type: "string", default: "10000" },
    "delay-ms": { type: "string", default: "50" },
    concurrency: { type: "string", default: "16" },
    workers: { type: "string" },
    postgres: { type: "string" },
  },
});
const productCount = Number(values.products);
const delayMs = Number(values["delay-ms"]);
const concurrency = Number(values.concurrency);
// Products in progress at once; twice the request limit lets storing one product overlap fetching another.
const workers = Number(values.workers ?? 2 * concurrency);
const kind = values.postgres ? "postgres" : "pglite";

const stub = await startUzumStub(delayMs);
const database = await openBenchDatabase(kind, values.postgres);
const logger = createLogger("warn");

try {
  await seedTrackedProducts(productCount);

  // Uzum requests in flight are capped by the client at `concurrency`, which is what the floor assumes.
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256",
    UZUM_API_URL: stub.url,
    UZUM_MAX_CONCURRENCY: String(concurrency),
    REFRESH_CONCURRENCY: String(workers),
    REFRESH_RATE_PER_SECOND: "0",
    DATA_DIR: "/tmp/ventra-bench-refresh",
  });
  const uzum = new UzumClient({ ...config.uzum, logger });
  const productService = new ProductService({ db: database.db, uzum, clock: systemClock, logger });
  const scheduler = createScheduler({
    db: database.db,
    clock: systemClock,
    logger,
    config: config.jobs,
    products: productService,
    weeklyBuyers: undefined,
  });

  const rowsBefore = await tableCounts();
  // Resident memory once the database is open and seeded, to tell the job's share from the database's.
  const rssBeforeMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
  const memory = trackPeakRss();
  const startedAt = performance.now();
  const run = await scheduler.tick("refresh-tracked");
  const wallMs = performance.now() - startedAt;
  const peakRssMb = memory.stop();
  const rowsAfter = await tableCounts();

  const floorMs = (productCount * delayMs) / concurrency;
  console.log(
    JSON.stringify({
      database: kind,
      products: productCount,
      delayMs,
      concurrency,
      workers,
      outcome: run?.outcome,
      counts: run?.counts,
      wallSeconds: round(wallMs / 1000),
      floorSeconds: round(floorMs / 1000),
      ratioToFloor: round(wallMs / floorMs),
      rssBeforeMb,
      peakRssMb,
      // Snapshot, SKU and shop rows are new; the product rows existed and are updated.
      rowsWritten: {
        productSnapshots: rowsAfter.productSnapshots - rowsBefore.productSnapshots,
        skuSnapshots: rowsAfter.skuSnapshots - rowsBefore.skuSnapshots,
        productsUpdated: run?.counts.refreshed,
        skus: rowsAfter.skus - rowsBefore.skus,
        shops: rowsAfter.shops - rowsBefore.shops,
      },
    }),
  );
} finally {
  await database.close();
  stub.stop();
}

/** Inserts the products as analysed long ago and tracked by one account, in chunks of 1,000. */
async function seedTrackedProducts(count: number): Promise<void> {
  const [account] = await database.db.insert(accounts).values({ name: "Bench" }).returning();
  const longAgo = new Date(Date.now() - 7 * 24 * 3600 * 1000);
  for (let start = 0; start < count; start += 1000) {
    const ids = Array.from({ length: Math.min(1000, count - start) }, (_, index) => 1_000_000 + start + index);
    await database.db.insert(products).values(ids.map((id) => ({ id, title: `Mahsulot ${id}`, lastAnalyzedAt: longAgo })));
    await database.db
      .insert(trackedProducts)
      .values(ids.map((productId) => ({ accountId: account.id, productId, trackedSince: longAgo })));
  }
}

async function tableCounts() {
  return {
    productSnapshots: await countRows(database, "product_snapshots"),
    skuSnapshots: await countRows(database, "sku_snapshots"),
    skus: await countRows(database, "skus"),
    shops: await countRows(database, "shops"),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
