/**
 * Benchmark of the weekly-buyers reader against a local stub of Uzum (scripts/bench/weekly-buyers-stub.ts)
 * on in-memory PGlite:
 *
 * 1. The scrape of 200 tracked products through each source alone. GraphQL responds in the first
 *    run. In the second it fails, so the page HTML is read. In the third both fail to show the banner,
 *    because the page gets it from a script, so the browser reads it. Reports products per second, whether a browser was launched, the peak RSS of this process and
 *    the peak PSS of the Chromium process tree, read from /proc.
 * 2. Analyses while GraphQL hangs, with the reader's memory of the failure and without it.
 * 3. findMotivationInHtml on the recorded 337 KB product page.
 *
 *   bun run scripts/bench/weekly-buyers.ts [--products 200] [--analyses 24] [--only graphql,html,browser,analyses,parse]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { BrowserPool } from "../../src/lib/browser-pool";
import { createLogger } from "../../src/lib/logger";
import { systemClock } from "../../src/lib/time";
import { BannerReader } from "../../src/modules/uzum/banner-reader";
import { UzumClient } from "../../src/modules/uzum/client";
import { UzumGraphqlClient } from "../../src/modules/uzum/graphql-client";
import { findMotivationInHtml } from "../../src/modules/uzum/page-banner";
import { UzumPageClient } from "../../src/modules/uzum/page-client";
import { ProductService } from "../../src/modules/uzum/service";
import { WeeklyBuyersService } from "../../src/modules/uzum/weekly-buyers";
import { hasSharedFixtures, readSharedFixture } from "../../tests/helpers/fixtures";
import { processTree } from "../../tests/helpers/process-tree";
import { openBenchDatabase, runPool, trackPeakRss } from "./common";

const { values } = parseArgs({
  options: {
    products: { type: "string", default: "200" },
    analyses: { type: "string", default: "24" },
    only: { type: "string", default: "graphql,html,browser,analyses,parse" },
  },
});
const parts = new Set(values.only.split(","));
const productCount = Number(values.products);
const analysisCount = Number(values.analyses);
const logger = createLogger("silent");

const stub = await startStub();
const config = loadConfig({ JWT_SECRET: "x".repeat(32), UZUM_API_URL: stub.url, UZUM_ID_URL: stub.url, UZUM_MAX_RETRIES: "1" });
console.log(`weekly-buyers benchmark: ${productCount} tracked products, scrape concurrency ${config.weeklyBuyers.concurrency}, ` +
  `browser pages ${config.browser.maxPages}, stub ${stub.url} (${stub.data})`);

const database = await openBenchDatabase("pglite");
const ids = Array.from({ length: productCount }, (_, index) => 2_000_000 + index);
await seedTrackedProducts(ids);

console.log("\nscrape of tracked products, one source each");
if (parts.has("graphql")) await measureScrape("graphql", { graphqlPath: "/gql-ok", webPath: "/web-page" });
if (parts.has("html")) await measureScrape("html", { graphqlPath: "/gql-fail", webPath: "/web-page" });
if (parts.has("browser")) await measureScrape("browser", { graphqlPath: "/gql-fail", webPath: "/web-shell" });

if (parts.has("analyses")) {
  console.log(`\nanalyses while GraphQL hangs (budget ${config.weeklyBuyers.budgetMs} ms, concurrency 4)`);
  await measureAnalyses("remembering the failure", false);
  await measureAnalyses("forgetting it (a new reader per analysis)", true);
}

if (parts.has("parse")) {
  console.log("\nfindMotivationInHtml on the recorded product page");
  measureHtmlParsing();
}

await database.close();
stub.stop();
process.exit(0);

function sourcesFor(paths: { graphqlPath: string; webPath: string }, browser: BrowserPool) {
  const uzum = { ...config.uzum, graphqlUrl: `${stub.url}${paths.graphqlPath}`, webUrl: `${stub.url}${paths.webPath}` };
  return new BannerReader({
    graphql: new UzumGraphqlClient({ ...uzum, clock: systemClock, logger }),
    pages: new UzumPageClient({ ...uzum, logger }),
    browser,
    clock: systemClock,
    logger,
  });
}

function newBrowserPool(): BrowserPool {
  return new BrowserPool({ executablePath: config.browser.chromiumPath, maxConcurrentPages: config.browser.maxPages, pageTimeoutMs: config.browser.pageTimeoutMs, logger });
}

/** Analyses every product once without the banner, so today's snapshots exist, and tracks them for one account. */
async function seedTrackedProducts(productIds: number[]): Promise<void> {
  const products = new ProductService({ db: database.db, uzum: new UzumClient({ ...config.uzum, logger }), clock: systemClock, logger });
  await runPool(productIds, 16, async (id) => void (await products.analyze(id, { readBanner: false })));

  const [account] = await database.query<{ id: string }>(sql`INSERT INTO accounts (name) VALUES ('bench') RETURNING id`);
  await database.query(sql`
    INSERT INTO tracked_products (account_id, product_id, tracked_since)
    SELECT ${account.id}::uuid, id, now() FROM products`);
}

async function measureScrape(source: "graphql" | "html" | "browser", paths: { graphqlPath: string; webPath: string }): Promise<void> {
  const browser = newBrowserPool();
  if (source === "browser" && !browser.isAvailable()) {
    console.log(`  ${source.padEnd(8)} skipped: no Chromium at ${config.browser.chromiumPath}`);
    return;
  }
  const reader = sourcesFor(paths, browser);
  const products = new ProductService({ db: database.db, uzum: new UzumClient({ ...config.uzum, logger }), clock: systemClock, logger });
  const scrape = new WeeklyBuyersService({ db: database.db, reader, products, clock: systemClock, logger, concurrency: config.weeklyBuyers.concurrency });

  const rssBeforeMiB = mib(process.memoryUsage.rss());
  const processPeak = trackPeakRss();
  const browserPeak = trackBrowserPss(browser);
  const summary = await scrape.scrapeTracked();
  const browserPeakMiB = browserPeak.stop();
  const processPeakMiB = processPeak.stop();
  const launches = browser.stats().launches;
  await browser.close();

  const perSecond = (summary.total / (summary.durationMs / 1000)).toFixed(1);
  console.log(
    `  ${source.padEnd(8)} ${perSecond.padStart(6)} products/s  ${(summary.durationMs / 1000).toFixed(2)} s  ` +
      `read ${summary.read} (graphql ${summary.bySource.graphql}, html ${summary.bySource.html}, browser ${summary.bySource.browser}), failed ${summary.failed}  ` +
      `browser launched: ${launches > 0 ? `yes (${launches})` : "no"}  ` +
      `process RSS ${rssBeforeMiB} -> peak ${processPeakMiB} MiB` +
      (launches > 0 ? `  Chromium tree peak PSS ${browserPeakMiB} MiB` : ""),
  );
}

/** Runs analyses of fresh products while GraphQL never responds; `forget` gives each analysis a reader with no memory. */
async function measureAnalyses(label: string, forget: boolean): Promise<void> {
  const browser = newBrowserPool();
  const paths = { graphqlPath: "/gql-hang", webPath: "/web-page" };
  const uzum = new UzumClient({ ...config.uzum, logger });
  const shared = new ProductService({ db: database.db, uzum, clock: systemClock, logger, banners: sourcesFor(paths, browser), weeklyBuyersBudgetMs: config.weeklyBuyers.budgetMs });
  const serviceFor = () =>
    forget ? new ProductService({ db: database.db, uzum, clock: systemClock, logger, banners: sourcesFor(paths, browser), weeklyBuyersBudgetMs: config.weeklyBuyers.budgetMs }) : shared;

  const base = forget ? 3_100_000 : 3_000_000;
  const durationsMs: number[] = [];
  const sources: Record<string, number> = {};
  const startedAt = performance.now();
  await runPool(Array.from({ length: analysisCount }, (_, index) => base + index), 4, async (id) => {
    const analysisStartedAt = performance.now();
    const stored = await serviceFor().analyze(id);
    durationsMs.push(performance.now() - analysisStartedAt);
    const source = stored.snapshot.weeklyBuyersSource ?? "none";
    sources[source] = (sources[source] ?? 0) + 1;
  });
  const totalSeconds = (performance.now() - startedAt) / 1000;
  await browser.close();

  durationsMs.sort((a, b) => a - b);
  const median = durationsMs[Math.floor(durationsMs.length / 2)];
  const p95 = durationsMs[Math.min(durationsMs.length - 1, Math.floor(durationsMs.length * 0.95))];
  console.log(
    `  ${label.padEnd(42)} ${analysisCount} analyses in ${totalSeconds.toFixed(2)} s  median ${median.toFixed(0)} ms  p95 ${p95.toFixed(0)} ms  ` +
      `weekly source ${JSON.stringify(sources)}`,
  );
}

function measureHtmlParsing(): void {
  if (!hasSharedFixtures) {
    console.log("  skipped: ../shared/fixtures/uzum is absent");
    return;
  }
  const html = readSharedFixture("product-page-1552187.uz.html");
  // A service parses many pages, so the speed after JIT compilation is the one that matters.
  for (let run = 0; run < 20; run++) findMotivationInHtml(html);

  const durationsMs: number[] = [];
  for (let run = 0; run < 101; run++) {
    const startedAt = performance.now();
    findMotivationInHtml(html);
    durationsMs.push(performance.now() - startedAt);
  }
  durationsMs.sort((a, b) => a - b);
  console.log(`  ${(html.length / 1024).toFixed(0)} KB page, 101 runs: median ${durationsMs[50].toFixed(2)} ms  p95 ${durationsMs[95].toFixed(2)} ms  max ${durationsMs[100].toFixed(2)} ms`);
}

/** Samples the proportional set size of the pool's Chromium and all its descendants; returns the peak in MiB. */
function trackBrowserPss(browser: BrowserPool, intervalMs = 100): { stop(): number } {
  let peakKiB = 0;
  const timer = setInterval(() => {
    const rootPid = browser.browserPid();
    if (rootPid === undefined) return;
    const total = processTree(rootPid).reduce((sum, pid) => sum + pssKiB(pid), 0);
    peakKiB = Math.max(peakKiB, total);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.round((peakKiB / 1024) * 10) / 10;
    },
  };
}

function pssKiB(pid: number): number {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function mib(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/** Starts the stub in its own process, so serving pages does not share this event loop. */
async function startStub(): Promise<{ url: string; data: string; stop(): void }> {
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/weekly-buyers-stub.ts`], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let output = "";
  while (output.split("\n").length < 3) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stub exited before printing its URL: ${output}`);
    output += new TextDecoder().decode(value);
  }
  const [url, data] = output.split("\n");
  return { url, data, stop: () => child.kill() };
}
