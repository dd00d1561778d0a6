import { createApp, createServices } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";
import { openDatabase, type DatabaseHandle } from "./db/client";
import { DataDirLockedError } from "./db/data-dir-lock";
import { enableExtensions } from "./db/extensions";
import { runMigrations } from "./db/migrate";
import { applySeeds } from "./db/seeds";
import { disabledReporter, startSentryReporter } from "./lib/error-reporter";
import { createLogger, type Logger } from "./lib/logger";
import { Metrics } from "./lib/metrics";
import { shutDown, type ShutdownPlan } from "./lib/shutdown";
import { systemClock } from "./lib/time";
import { ensureFirstSuperAdmin } from "./modules/admin/bootstrap";

/**
 * Starts the service: configuration, database, migrations, extensions, seeds and the first
 * super admin, then HTTP and the background work. On SIGTERM or SIGINT the HTTP server and
 * the background work drain together, then the browser, the database and the error reporter
 * close; the exit code is 0 when all of it finished within SHUTDOWN_TIMEOUT_MS.
 * A configuration or start-up problem prints one line naming the cause and exits with 1.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(`Invalid configuration: ${error.message}`);
    throw error;
  }

  const logger = createLogger(config.logLevel);
  logger.info({ port: config.port, database: config.databaseUrl ? "postgres" : "pglite", nodeEnv: config.nodeEnv }, "service.starting");
  const { sentryDsn, sentryEnvironment } = config.operations;
  const errorReporter = sentryDsn ? await startSentryReporter({ dsn: sentryDsn, environment: sentryEnvironment, logger }) : disabledReporter;

  let database: DatabaseHandle;
  try {
    database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    if (error instanceof DataDirLockedError) exitWith(error.message);
    throw error;
  }
  await runMigrations(database, config.databaseUrl);
  await enableExtensions(database, logger);
  await applySeeds(database, logger);
  await ensureFirstSuperAdmin(database.db, config.superAdmin, logger);

  const deps = { config, database, clock: systemClock, logger, metrics: new Metrics({ processMetrics: true }), errorReporter };
  const services = createServices(deps);
  const app = listenOrExit(createApp(deps, services), config.host, config.port);
  logger.info({ host: config.host, port: app.server?.port, swagger: `/swagger` }, "service.started");
  services.scheduler.start();
  services.discoveryWorker.start();
  // Not awaited: the HTTP API serves while the bot reaches Telegram or retries in the background.
  void services.bot.start();

  const server = app.server!;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, "service.stop_forced");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs: config.operations.shutdownTimeoutMs }, "service.stopping");

    const plan: ShutdownPlan = {
      drain: [
        // Stops listening at once and resolves when the requests in flight have been answered.
        { name: "http", run: () => server.stop(), force: () => server.stop(true) },
        // Both let the item in hand finish and leave the rest, recorded, for the next start.
        { name: "scheduler", run: () => services.scheduler.stop() },
        { name: "discovery-worker", run: () => services.discoveryWorker.stop() },
        // Stops polling, gives the polling lease back and waits for alerts being sent.
        { name: "telegram-bot", run: () => services.bot.stop() },
      ],
      close: [
        { name: "browser", run: () => services.browser.close() },
        { name: "database", run: () => database.close() },
        { name: "error-reporter", run: () => errorReporter.flush(2_000) },
      ],
    };
    const result = await shutDown(plan, { timeoutMs: config.operations.shutdownTimeoutMs, logger });
    logger.info({ signal, ...result }, "service.stopped");
    await flushLogger(logger);
    process.exit(result.completed ? 0 : 1);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/**
 * Listens at `host` and `port`, or exits with one line when another process has the port.
 * Elysia sets SO_REUSEPORT by default, which let a second instance share a busy port and take half
 * of its requests, so it is turned off. Bun gets no body limit: the request guard rejects large
 * bodies by Content-Length before reading them, with a JSON error instead of Bun's empty 413.
 */
function listenOrExit(app: ReturnType<typeof createApp>, host: string, port: number) {
  try {
    return app.listen({ port, hostname: host, reusePort: false, maxRequestBodySize: Number.MAX_SAFE_INTEGER });
  } catch (error) {
    if ((error as { code?: string }).code === "EADDRINUSE") exitWith(`Port ${port} is already in use: stop the process listening on it, or set PORT to a free port`);
    throw error;
  }
}

/** Writes out buffered log lines before the process exits, so the last lines are not lost. */
function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error("Start-up failed:", error);
  process.exit(1);
});
