/**
 * Benchmark of product analysis: distinct products analysed against a local Uzum stub that
 * answers at once, on PGlite and (with --database-url) on PostgreSQL. Reports products per
 * second and the peak resident memory of this process.
 *
 *   bun run scripts/bench/analyze.ts [--products 3000] [--concurrency 32] [--database-url postgres://...]
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/lib/logger";
import { systemClock } from "../../src/lib/time";
import { UzumClient } from "../../src/modules/uzum/client";
import { ProductService } from "../../src/modules/uzum/service";
import { countRows, openBenchDatabase, runPool, startUzumStub, trackPeakRss } from "./common";

const { values } = parseArgs({
  options: {
    products: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "32" },
    "database-url": { type: "string", default: process.env.TEST_DATABASE_URL },
    only: { type: "string" },
  },
});
const productCount = Number(values.products);
const concurrency = Number(values.concurrency);

const stub = await startUzumStub(0);
// Pass --only pglite or --only postgres to measure one kind per process: PGlite's memory
// stays with the process and would inflate the PostgreSQL figure measured after it.
const kinds = (values["database-url"] ? ["pglite", "postgres"] : ["pglite"]).filter(
  (kind) => !values.only || kind === values.only,
) as Array<"pglite" | "postgres">;

console.log(`analysis benchmark: ${productCount} distinct products, concurrency ${concurrency}, stub ${stub.url}`);
for (const kind of kinds) {
  const database = await openBenchDatabase(kind, values["database-url"]);
  const config = loadConfig({ JWT_SECRET: "x".repeat(32), UZUM_API_URL: stub.url, UZUM_MAX_CONCURRENCY: String(concurrency) });
  const logger = createLogger("silent");
  const uzum = new UzumClient({ ...config.uzum, logger });
  const service = new ProductService({ db: database.db, uzum, clock: systemClock, logger });

  // Warm up code paths and connections on products outside the measured range.
  await runPool(Array.from({ length: 100 }, (_, i) => 9_000_000 + i), concurrency, async (id) => void (await service.analyze(id)));

  const ids = Array.from({ length: productCount }, (_, i) => 1_000_000 + i);
  const memory = trackPeakRss();
  const startedAt = performance.now();
  await runPool(ids, concurrency, async (id) => void (await service.analyze(id)));
  const seconds = (performance.now() - startedAt) / 1000;
  const peakMiB = memory.stop();

  const snapshots = await countRows(database, "product_snapshots");
  console.log(
    `${kind.padEnd(8)} ${(productCount / seconds).toFixed(0).padStart(6)} products/s  ` +
      `${seconds.toFixed(2)} s  peak RSS ${peakMiB} MiB  snapshots ${snapshots}`,
  );
  await database.close();
}
stub.stop();
process.exit(0);
