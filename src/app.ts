import { openapi } from "@elysiajs/openapi";
import { Elysia, t } from "elysia";
import { sql } from "drizzle-orm";
import type { Config } from "./config";
import type { DatabaseHandle } from "./db/client";
import { extensionStatus, type ExtensionStatus } from "./db/extensions";
import { appliedMigrationCount, expectedMigrationCount } from "./db/migrate";
import { disabledReporter, type ErrorReporter } from "./lib/error-reporter";
import { cors } from "./lib/cors";
import { httpBase, methodsByPath } from "./lib/http";
import type { Logger } from "./lib/logger";
import { BrowserPool } from "./lib/browser-pool";
import { Metrics } from "./lib/metrics";
import { expensiveLimits } from "./lib/expensive-limits";
import { RateLimiter, requestGuard } from "./lib/rate-limit";
import { SharedRateLimiter } from "./lib/shared-rate-limit";
import { UpstreamWindow } from "./lib/upstream-window";
import type { Clock } from "./lib/time";
import { createScheduler } from "./jobs";
import { RefreshEvents } from "./jobs/refresh-events";
import { authRoutes } from "./modules/admin";
import { accountsRoutes } from "./modules/admin/accounts-routes";
import { AccountsService } from "./modules/admin/accounts-service";
import { SettingsService } from "./modules/admin/settings";
import { collectStats } from "./modules/admin/stats";
import { toExtensionView, extensionView } from "./modules/admin/stats-model";
import { UsersService } from "./modules/admin/users-service";
import { aiRoutes } from "./modules/ai";
import { alertRoutes } from "./modules/alerts";
import { AlertEvaluator } from "./modules/alerts/evaluator";
import { AlertService } from "./modules/alerts/service";
import { botRoutes, telegramWebhookRoutes } from "./modules/bot";
import { botStatusView, toBotStatusView } from "./modules/bot/model";
import { BotService } from "./modules/bot/service";
import { AnthropicClient } from "./modules/ai/anthropic-client";
import { AiService } from "./modules/ai/service";
import { AuthService } from "./modules/admin/auth-service";
import { jobsRoutes } from "./modules/admin/jobs-routes";
import { TokenSigner } from "./modules/admin/tokens";
import { metricsRoutes } from "./modules/operations";
import { discoveryRoutes } from "./modules/discovery";
import { CategoryListingClient } from "./modules/discovery/listing-client";
import { countPendingRuns } from "./modules/discovery/repository";
import { DiscoveryService } from "./modules/discovery/service";
import { DiscoveryWorker } from "./modules/discovery/worker";
import { productRoutes, uzumRoutes } from "./modules/uzum";
import { BannerReader } from "./modules/uzum/banner-reader";
import { UzumClient } from "./modules/uzum/client";
import { UzumGraphqlClient } from "./modules/uzum/graphql-client";
import { UzumPageClient } from "./modules/uzum/page-client";
import { ProductService } from "./modules/uzum/service";
import { TrackingService } from "./modules/uzum/tracking";
import { WeeklyBuyersService } from "./modules/uzum/weekly-buyers";

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  /** The process's metrics; tests leave it out and get a registry of their own. */
  metrics?: Metrics;
  /** Sentry when SENTRY_DSN is set; the default sends nothing. */
  errorReporter?: ErrorReporter;
}

export type Services = ReturnType<typeof createServices>;

/** Wires the services from configuration; one instance of each per process. */
export function createServices(deps: AppDeps) {
  const { config, database, clock, logger } = deps;
  const db = database.db;
  const metrics = deps.metrics ?? new Metrics();
  const errorReporter = deps.errorReporter ?? disabledReporter;
  // The admin stats read the Uzum error rate of the last hour from uzumAttempts.
  const uzumAttempts = new UpstreamWindow(clock);
  const onAttempt: typeof metrics.recordUpstreamAttempt = (event) => {
    metrics.recordUpstreamAttempt(event);
    uzumAttempts.record(event);
  };

  const uzum = new UzumClient({ ...config.uzum, logger, onAttempt });
  // Nothing here launches Chromium: the pool starts it on the first browser reading, so the
  // service runs without it. Shutdown must call browser.close().
  const browser = new BrowserPool({
    executablePath: config.browser.chromiumPath,
    wsEndpoint: config.browser.wsEndpoint,
    proxyUrl: config.uzum.proxyUrl,
    maxConcurrentPages: config.browser.maxPages,
    pageTimeoutMs: config.browser.pageTimeoutMs,
    logger,
  });
  // One GraphQL client serves the banner and the category listing, so they share a token and a request limit.
  const graphql = new UzumGraphqlClient({ ...config.uzum, clock, logger, onAttempt });
  const banners = new BannerReader({
    graphql,
    pages: new UzumPageClient({ ...config.uzum, logger, onAttempt }),
    browser,
    clock,
    logger,
  });
  const refreshEvents = new RefreshEvents(logger);
  const products = new ProductService({ db, uzum, clock, logger, banners, weeklyBuyersBudgetMs: config.weeklyBuyers.budgetMs, events: refreshEvents });
  const weeklyBuyers = new WeeklyBuyersService({ db, reader: banners, products, clock, logger, concurrency: config.weeklyBuyers.concurrency });
  const tracking = new TrackingService({ db, clock, products });
  const signer = new TokenSigner(config.jwtSecret, config.accessTokenTtlSeconds);
  const auth = new AuthService({ db, signer, refreshTtlSeconds: config.refreshTokenTtlSeconds, clock, logger });

  const discoveryWorker = new DiscoveryWorker({
    db,
    clock,
    logger,
    products,
    listing: new CategoryListingClient(graphql),
    browser,
    webUrl: config.uzum.webUrl,
    // Leaves the pool time to open and close the page around the scan's own work.
    browserBudgetMs: Math.max(1_000, config.browser.pageTimeoutMs - 2_000),
    config: config.discovery,
    workerId: config.jobs.instanceId,
    events: refreshEvents,
  });
  const discovery = new DiscoveryService({ db, clock, logger, worker: discoveryWorker });
  const scheduler = createScheduler({ db, clock, logger, config: config.jobs, products, weeklyBuyers, onRunFinished: metrics.recordJobRun });
  metrics.watchBrowserPool(() => browser.stats());
  metrics.watchDiscoveryQueue(() => countPendingRuns(db));

  // Per-IP counting runs on every request, so it stays in each process's memory. Login and the
  // expensive routes count in the database, so several instances share one limit.
  const limiter = new RateLimiter(clock);
  const sharedLimiter = new SharedRateLimiter({ db, clock });
  const settings = new SettingsService({ db, clock });
  const accounts = new AccountsService({ db, clock, logger });
  const users = new UsersService({ db, clock, logger });
  const aiProvider = config.ai.apiKey ? new AnthropicClient({ ...config.ai, apiKey: config.ai.apiKey }, logger) : undefined;
  const ai = new AiService({ db, clock, logger, config: config.ai, settings, provider: aiProvider });

  // Alert rules are checked on every stored analysis; the bot delivers what fires.
  const alerts = new AlertService({ db, clock, logger });
  const alertEvaluator = new AlertEvaluator({ db, clock, logger, alerts });
  refreshEvents.onProductRefreshed((event) => alertEvaluator.evaluate(event).then(() => undefined));
  const bot = new BotService({
    config: config.bot, db, clock, logger, products, tracking, alerts, evaluator: alertEvaluator, refreshEvents, instanceId: config.jobs.instanceId,
    analyzeLimit: (userId) => sharedLimiter.hit("analyze", userId, config.limits.perUser.analyze),
    onAlertOutcome: (outcome, events) => metrics.recordAlertDelivery({ channel: "telegram", outcome, count: events }),
  });

  return {
    metrics, errorReporter, uzum, browser, products, weeklyBuyers, tracking, signer, auth, refreshEvents, scheduler, discoveryWorker, discovery,
    uzumAttempts, limiter, sharedLimiter, settings, accounts, users, ai, alerts, alertEvaluator, bot,
  };
}

/** Builds the HTTP application: health checks, OpenAPI docs at /swagger and every /api/v1 route. */
export function createApp(deps: AppDeps, services: Services = createServices(deps)) {
  const expensive = expensiveLimits({ limiter: services.sharedLimiter, limits: deps.config.limits, signer: services.signer, clock: deps.clock });
  // Bound once every route is registered, below.
  let allowedMethods: (path: string) => string[] = () => [];
  const app = new Elysia()
    .use(
      httpBase({
        logger: deps.logger,
        production: deps.config.nodeEnv === "production",
        metrics: services.metrics,
        reportError: (error, context) => services.errorReporter.capture(error, context),
        onErrorResponse: expensive.refundRejected,
        allowedMethods: (path) => allowedMethods(path),
      }),
    )
    .use(cors(deps.config.cors))
    .use(requestGuard({ limiter: services.limiter, ...deps.config.limits }))
    .use(expensive.plugin)
    .use(
      openapi({
        path: "/swagger",
        specPath: "/swagger/json",
        documentation: {
          info: { title: "VENTRA API", version: "0.1.0", description: "Analytics for sellers on Uzum Market" },
          components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
        },
      }),
    )
    .use(healthRoutes(deps.database, services.bot))
    .use(metricsRoutes({ metrics: services.metrics, token: deps.config.operations.metricsToken }))
    .use(authRoutes(services.auth, { limiter: services.sharedLimiter, loginRule: deps.config.limits.login, settings: services.settings }))
    .use(uzumRoutes(services))
    .use(productRoutes(services))
    .use(discoveryRoutes({ auth: services.auth, discovery: services.discovery, config: deps.config.discovery }))
    .use(jobsRoutes({ auth: services.auth, scheduler: services.scheduler, db: deps.database.db }))
    .use(
      accountsRoutes({
        ...services,
        db: deps.database.db,
        stats: () => collectStats({ database: deps.database, clock: deps.clock, jobRuns: services.scheduler.runs, uzumAttempts: services.uzumAttempts }),
      }),
    )
    .use(aiRoutes(services))
    .use(alertRoutes({ auth: services.auth, alerts: services.alerts, clock: deps.clock }))
    .use(botRoutes(services))
    .use(telegramWebhookRoutes(services.bot));
  allowedMethods = methodsByPath(app.routes);
  return app;
}

function healthRoutes(database: DatabaseHandle, bot: BotService) {
  return new Elysia({ tags: ["health"] })
    .get("/health", () => ({ status: "ok" as const }), {
      response: t.Object({ status: t.Literal("ok") }),
      detail: { summary: "The process is alive" },
    })
    .get(
      "/ready",
      async ({ set }) => {
        const expected = expectedMigrationCount();
        let applied = 0;
        let reachable = false;
        let extensions: ExtensionStatus[] = [];
        try {
          await database.query(sql`SELECT 1`);
          reachable = true;
          applied = await appliedMigrationCount(database);
          extensions = await extensionStatus(database);
        } catch {
          // Reported below as not ready; /ready must answer even when the database is down.
        }
        const ready = reachable && applied >= expected;
        if (!ready) set.status = 503;
        return {
          status: ready ? ("ready" as const) : ("not_ready" as const),
          database: { kind: database.kind, reachable, migrations: { applied, expected }, extensions: extensions.map(toExtensionView) },
          // The bot's state is reported but never makes the service unready: the API works without Telegram.
          bot: toBotStatusView(bot.status()),
        };
      },
      {
        response: {
          200: readyView,
          503: readyView,
        },
        detail: {
          summary: "The database is reachable and every migration is applied",
          description: "Also lists the optional PostgreSQL extensions (pg_trgm, vector); a missing one is reported, not a failure.",
        },
      },
    );
}

const readyView = t.Object({
  status: t.Union([t.Literal("ready"), t.Literal("not_ready")]),
  database: t.Object({
    kind: t.Union([t.Literal("pglite"), t.Literal("postgres")]),
    reachable: t.Boolean(),
    migrations: t.Object({ applied: t.Integer(), expected: t.Integer() }),
    extensions: t.Array(extensionView),
  }),
  bot: botStatusView,
});
