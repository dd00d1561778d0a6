/**
 * Benchmark of a category scan: a 500-product category against a local Uzum stand-in whose
 * every response waits 50 ms, on PGlite and (with --database-url) on PostgreSQL. Reports the
 * wall time against the floor that the configured concurrency sets, the peak resident memory of
 * this process, and the Uzum requests made.
 *
 * The floor: one round trip for the first listing page, then ceil(products / concurrency) round
 * trips, because each product needs its REST fetch and the GraphQL banner read that runs beside it.
 * Later listing pages load while products are fetched, so they add nothing to it.
 *
 *   bun run scripts/bench/discovery.ts [--products 500] [--concurrency 8] [--delay-ms 50] [--database-url postgres://...] [--only pglite]
 */
import { parseArgs } from "node:util";
import { createServices } from "../../src/app";
import { loadConfig } from "../../src/config";
import { accounts } from "../../src/db/schema";
import { createLogger } from "../../src/lib/logger";
import { systemClock } from "../../src/lib/time";
import { countRows, openBenchDatabase, trackPeakRss } from "./common";

const { values } = parseArgs({
  options: {
    products: { type: "string", default: "500" },
    concurrency: { type: "string", default: "8" },
    "delay-ms": { type: "string", default: "50" },
    "database-url": { type: "string", default: process.env.TEST_DATABASE_URL },
    only: { type: "string" },
  },
});
const productCount = Number(values.products);
const concurrency = Number(values.concurrency);
const delayMs = Number(values["delay-ms"]);

const stub = await startStub();
// Pass --only to measure one kind per process: PGlite's memory stays with the process and
// would inflate the PostgreSQL figure measured after it.
const kinds = (values["database-url"] ? ["pglite", "postgres"] : ["pglite"]).filter(
  (kind) => !values.only || kind === values.only,
) as Array<"pglite" | "postgres">;

const floorMs = delayMs * (1 + Math.ceil(productCount / concurrency));
console.log(
  `discovery benchmark: ${productCount} products, concurrency ${concurrency}, every response after ${delayMs} ms, ` +
    `floor ${floorMs} ms; load average ${(await import("node:os")).loadavg().map((load) => load.toFixed(1)).join(" ")}`,
);

for (const kind of kinds) {
  const database = await openBenchDatabase(kind, values["database-url"]);
  const config = loadConfig({
    JWT_SECRET: "x".repeat(32),
    UZUM_API_URL: stub.url,
    UZUM_GRAPHQL_URL: stub.url,
    UZUM_WEB_URL: stub.url,
    UZUM_ID_URL: `${stub.url}/id`,
    UZUM_MAX_CONCURRENCY: String(Math.max(16, concurrency)),
    DISCOVERY_CONCURRENCY: String(concurrency),
    DISCOVERY_MAX_PRODUCTS: String(productCount),
    // The floor is the one the concurrency sets, so the polite rate limit is off here.
    DISCOVERY_RATE_PER_SECOND: "0",
    CHROMIUM_PATH: "/nonexistent/chromium",
    LOG_LEVEL: "silent",
  });
  const services = createServices({ config, database, clock: systemClock, logger: createLogger("silent") });
  const [account] = await database.db.insert(accounts).values({ name: "Bench" }).returning();

  // Warms up code paths, the token and connections on category 1, whose 48 products are not measured.
  await services.discovery.create(account.id, null, "1");
  await services.discoveryWorker.processNext();

  const before = await stub.counts();
  const memory = trackPeakRss();
  const startedAt = performance.now();
  const run = await services.discovery.create(account.id, null, "2");
  await services.discoveryWorker.processNext();
  const wallMs = performance.now() - startedAt;
  const peakMiB = memory.stop();
  const after = await stub.counts();

  const { run: finished, winners } = await services.discovery.get(account.id, run.id);
  const requests = Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - (before[name] ?? 0)]));
  console.log(
    `${kind.padEnd(8)} ${finished.status} ${finished.fetchedProductIds.length} fetched, ${winners.length} winners  ` +
      `wall ${Math.round(wallMs)} ms = ${(wallMs / floorMs).toFixed(2)}× floor  peak RSS ${peakMiB} MiB  ` +
      `Uzum requests ${JSON.stringify(requests)}  snapshots ${await countRows(database, "product_snapshots")}`,
  );
  await services.browser.close();
  await database.close();
}
stub.stop();
process.exit(0);

/** Starts `discovery-stub.ts` in its own process, so its 50 ms waits do not share this event loop. */
async function startStub() {
  const child = Bun.spawn(
    [process.execPath, `${import.meta.dir}/discovery-stub.ts`, `--delay-ms=${delayMs}`, `--products=${productCount}`],
    { stdout: "pipe", stderr: "inherit" },
  );
  const { value } = await child.stdout.getReader().read();
  const url = new TextDecoder().decode(value).trim().split("\n")[0];
  return {
    url,
    counts: async () => (await (await fetch(`${url}/__counts`)).json()) as Record<string, number>,
    stop: () => child.kill(),
  };
}
