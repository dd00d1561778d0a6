import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join, resolve } from "node:path";
import { readJobsConfig, type JobsConfig } from "./jobs/config";
import { readDiscoveryConfig, type DiscoveryConfig } from "./modules/discovery/config";
import { readLimitsConfig, type LimitsConfig } from "./lib/rate-limit-config";
import { readCorsConfig, type CorsConfig } from "./lib/cors";
import { readAiConfig, type AiConfig } from "./modules/ai/config";
import { readOperationsConfig, type OperationsConfig } from "./lib/operations-config";
import { readBotConfig, type BotConfig } from "./modules/bot/config";

/** A bad environment variable; start-up prints its message as one line and exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export interface Config {
  nodeEnv: "development" | "production" | "test";
  port: number;
  /** Interface address the HTTP server listens on; 0.0.0.0 is every interface. */
  host: string;
  /** PostgreSQL URL; unset means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: string;
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  uzum: {
    apiUrl: string;
    graphqlUrl: string;
    webUrl: string;
    idUrl: string;
    proxyUrl: string | undefined;
    timeoutMs: number;
    maxRetries: number;
    maxConcurrency: number;
  };
  /** Headless Chromium, the last source of the weekly-buyers banner. */
  browser: {
    /** Local Chromium binary; the service starts without it, and only the browser source is then skipped. */
    chromiumPath: string;
    /** DevTools endpoint of a remote browser; when set, no local Chromium is launched. */
    wsEndpoint: string | undefined;
    /** Pages open at once. */
    maxPages: number;
    pageTimeoutMs: number;
  };
  weeklyBuyers: {
    /** Time an analysis request may spend on GraphQL and the page HTML; 0 leaves every reading to the scrape. */
    budgetMs: number;
    /** Products the scrape reads at once. */
    concurrency: number;
  };
  jobs: JobsConfig;
  discovery: DiscoveryConfig;
  operations: OperationsConfig;
  /** The Telegram bot; off without TELEGRAM_BOT_TOKEN. */
  bot: BotConfig;
  limits: LimitsConfig;
  /** Origins whose browser pages may call the API. */
  cors: CorsConfig;
  ai: AiConfig;
  /** The first super admin, created at start-up when no super admin exists yet. */
  superAdmin: { email: string; password: string } | undefined;
}

export type Env = Record<string, string | undefined>;

const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Reads and validates the configuration from `env`.
 * Throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = readChoice(env, "NODE_ENV", ["development", "production", "test"], "development");
  const dataDir = resolve(readString(env, "DATA_DIR", "./data"));
  const databaseUrl = readUrl(env, "DATABASE_URL", undefined, ["postgres:", "postgresql:"]);
  const uzumMaxConcurrency = readInteger(env, "UZUM_MAX_CONCURRENCY", 16, 1, 256);

  return {
    nodeEnv,
    port: readInteger(env, "PORT", 3000, 0, 65535),
    host: readHost(env),
    databaseUrl,
    dataDir,
    logLevel: readChoice(env, "LOG_LEVEL", logLevels, "info"),
    jwtSecret: readJwtSecret(env, nodeEnv, dataDir),
    accessTokenTtlSeconds: readInteger(env, "ACCESS_TOKEN_TTL_SECONDS", 15 * 60, 30, 24 * 3600),
    refreshTokenTtlSeconds: readInteger(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 24 * 3600, 60, 365 * 24 * 3600),
    uzum: {
      apiUrl: readUrl(env, "UZUM_API_URL", "https://api.uzum.uz")!,
      graphqlUrl: readUrl(env, "UZUM_GRAPHQL_URL", "https://graphql.uzum.uz")!,
      webUrl: readUrl(env, "UZUM_WEB_URL", "https://uzum.uz")!,
      idUrl: readUrl(env, "UZUM_ID_URL", "https://id.uzum.uz")!,
      proxyUrl: readUrl(env, "PROXY_URL", undefined, ["http:", "https:"]),
      timeoutMs: readInteger(env, "UZUM_TIMEOUT_MS", 10_000, 100, 120_000),
      maxRetries: readInteger(env, "UZUM_MAX_RETRIES", 3, 0, 10),
      maxConcurrency: uzumMaxConcurrency,
    },
    browser: {
      chromiumPath: readString(env, "CHROMIUM_PATH", "/usr/bin/chromium"),
      wsEndpoint: readUrl(env, "BROWSER_WS_ENDPOINT", undefined, ["ws:", "wss:", "http:", "https:"]),
      maxPages: readInteger(env, "BROWSER_MAX_PAGES", 2, 1, 32),
      pageTimeoutMs: readInteger(env, "BROWSER_PAGE_TIMEOUT_MS", 20_000, 1_000, 120_000),
    },
    weeklyBuyers: {
      budgetMs: readInteger(env, "WEEKLY_BUYERS_BUDGET_MS", 2_500, 0, 30_000),
      concurrency: readInteger(env, "WEEKLY_BUYERS_CONCURRENCY", 4, 1, 64),
    },
    jobs: readJobsConfig(env, uzumMaxConcurrency),
    discovery: readDiscoveryConfig(env, uzumMaxConcurrency),
    operations: readOperationsConfig(env, nodeEnv),
    bot: readBotConfig(env),
    limits: readLimitsConfig(env),
    cors: readCorsConfig(env),
    ai: readAiConfig(env),
    superAdmin: readSuperAdmin(env),
  };
}

/** Reads HOST: an IPv4 or IPv6 address, or localhost. */
function readHost(env: Env): string {
  const host = readString(env, "HOST", "0.0.0.0");
  if (host === "localhost" || isIP(host) !== 0) return host;
  throw new ConfigError("HOST", `expected an IP address such as 0.0.0.0 or 127.0.0.1, or localhost, got "${host}"`);
}

export function readString(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

export function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;

  if (!/^\d+$/.test(raw)) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `expected a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;

  if (!choices.includes(raw as T)) {
    throw new ConfigError(name, `expected one of ${choices.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

function readUrl(
  env: Env,
  name: string,
  fallback: string | undefined,
  protocols: string[] = ["http:", "https:"],
): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return fallback;

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `expected a URL such as ${protocols[0]}//host, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `expected a ${protocols.join(" or ")} URL, got "${url.protocol}"`);
  }
  return raw.replace(/\/+$/, "");
}

/**
 * Returns JWT_SECRET, or in development and tests a secret generated once and kept in
 * `dataDir/jwt-secret`, so that a restart keeps existing sessions valid.
 */
function readJwtSecret(env: Env, nodeEnv: Config["nodeEnv"], dataDir: string): string {
  const raw = env.JWT_SECRET?.trim();
  if (raw) {
    if (raw.length < 32) throw new ConfigError("JWT_SECRET", "must be at least 32 characters long");
    return raw;
  }
  if (nodeEnv === "production") {
    throw new ConfigError("JWT_SECRET", "is required when NODE_ENV=production");
  }

  const file = join(dataDir, "jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();

  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/** SUPER_ADMIN_EMAIL and SUPER_ADMIN_PASSWORD come as a pair; the password strength is checked when it is used. */
function readSuperAdmin(env: Env): Config["superAdmin"] {
  const email = env.SUPER_ADMIN_EMAIL?.trim();
  const password = env.SUPER_ADMIN_PASSWORD;
  if (!email && !password) return undefined;
  if (!email) throw new ConfigError("SUPER_ADMIN_EMAIL", "is required when SUPER_ADMIN_PASSWORD is set");
  if (!password) throw new ConfigError("SUPER_ADMIN_PASSWORD", "is required when SUPER_ADMIN_EMAIL is set");
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new ConfigError("SUPER_ADMIN_EMAIL", `expected an email address, got "${email}"`);
  }
  return { email, password };
}
