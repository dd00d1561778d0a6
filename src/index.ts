import { createApp, createServices } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";
import { openDatabase, type DatabaseHandle } from "./db/client";
import { DataDirLockedError } from "./db/data-dir-lock";
import { enableExtensions } from "./db/extensions";
import { runMigrations } from "./db/migrate";
import { applySeeds } from "./db/seeds";
import { createLogger } from "./lib/logger";
import { systemClock } from "./lib/time";
import { ensureFirstSuperAdmin } from "./modules/admin/bootstrap";

/**
 * Starts the service: configuration, database, migrations, extensions, seeds and the first
 * super admin, then HTTP.
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

  const deps = { config, database, clock: systemClock, logger };
  const services = createServices(deps);
  const app = createApp(deps, services).listen({ port: config.port, hostname: "0.0.0.0", maxRequestBodySize: config.limits.maxBodyBytes });
  logger.info({ port: app.server?.port, swagger: `/swagger` }, "service.started");
  services.scheduler.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "service.stopping");
    await services.scheduler.stop();
    await app.stop();
    await services.browser.close();
    await database.close();
    logger.info({ signal }, "service.stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

function exitWith(message: string): never {
  console.error(message);
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error("Start-up failed:", error);
  process.exit(1);
});
