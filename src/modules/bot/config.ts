import { ConfigError, readInteger, type Env } from "../../config";

export interface BotConfig {
  /** Unset switches the bot off; the rest of the service runs without it. */
  token: string | undefined;
  /** Bot API root without a trailing slash; tests point it at a fake server on 127.0.0.1. */
  apiUrl: string;
  /** Public HTTPS address Telegram posts updates to; unset means long polling. */
  webhookUrl: string | undefined;
  /** Value Telegram sends in X-Telegram-Bot-Api-Secret-Token; required with a webhook. */
  webhookSecret: string | undefined;
  /** Time one `getMe` at start-up may take before the bot retries in the background. */
  initTimeoutMs: number;
  /** Time a webhook response waits for the update's handler; a slower one finishes after the response. */
  webhookWaitMs: number;
  /** First wait before retrying start-up; it doubles up to `initRetryMaxMs`. */
  initRetryMs: number;
  initRetryMaxMs: number;
  /** How often queued alerts are looked at for quiet hours that ended and retries that are due. */
  dispatchIntervalMs: number;
}

/** Reads the TELEGRAM_* variables; a webhook without its secret is refused at start-up. */
export function readBotConfig(env: Env): BotConfig {
  const token = env.TELEGRAM_BOT_TOKEN?.trim() || undefined;
  const webhookUrl = readHttpUrl(env, "TELEGRAM_WEBHOOK_URL");
  const webhookSecret = env.TELEGRAM_WEBHOOK_SECRET?.trim() || undefined;

  if (webhookUrl && !webhookSecret) {
    throw new ConfigError("TELEGRAM_WEBHOOK_SECRET", "is required when TELEGRAM_WEBHOOK_URL is set, so forged updates are rejected");
  }
  // Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as the secret token.
  if (webhookSecret && !/^[A-Za-z0-9_-]{1,256}$/.test(webhookSecret)) {
    throw new ConfigError("TELEGRAM_WEBHOOK_SECRET", "expected 1 to 256 characters of A-Z, a-z, 0-9, _ and -");
  }

  return {
    token,
    apiUrl: readHttpUrl(env, "TELEGRAM_API_URL") ?? "https://api.telegram.org",
    webhookUrl,
    webhookSecret,
    initTimeoutMs: readInteger(env, "TELEGRAM_INIT_TIMEOUT_MS", 10_000, 100, 120_000),
    webhookWaitMs: readInteger(env, "TELEGRAM_WEBHOOK_WAIT_MS", 5_000, 0, 60_000),
    initRetryMs: readInteger(env, "TELEGRAM_INIT_RETRY_MS", 5_000, 10, 600_000),
    initRetryMaxMs: readInteger(env, "TELEGRAM_INIT_RETRY_MAX_MS", 300_000, 10, 3_600_000),
    dispatchIntervalMs: readInteger(env, "ALERT_DISPATCH_INTERVAL_MS", 60_000, 100, 3_600_000),
  };
}

function readHttpUrl(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `expected a URL such as https://host, got "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(name, `expected an http or https URL, got "${url.protocol}"`);
  }
  return raw.replace(/\/+$/, "");
}
