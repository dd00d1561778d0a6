import type { Bot } from "grammy";
import type { Database } from "../../db/client";
import { JobLeases } from "../../jobs/lease";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { BotConfig } from "./config";
import type { BotContext } from "./context";
import type { AlertDelivery } from "./delivery";
import { uz } from "./texts/uz";
import { ru } from "./texts/ru";
import type { Texts } from "./texts";

type ApiSignal = NonNullable<Parameters<Bot["api"]["getMe"]>[0]>;

export type BotState = "disabled" | "starting" | "unreachable" | "ready";

export interface BotStatus {
  state: BotState;
  mode: "webhook" | "polling" | null;
  /** Whether this instance holds the polling lock and polls; always false with a webhook. */
  polling: boolean;
  username: string | null;
  lastError: string | null;
}

/** The lease that lets one instance poll; Telegram rejects a second poller's getUpdates with 409. */
export const pollingLease = "telegram-bot-polling";
const pollingLeaseMs = 60_000;
const allowedUpdates = ["message", "callback_query"] as const;

export interface BotRuntimeDeps {
  config: BotConfig;
  bot: Bot<BotContext>;
  db: Database;
  clock: Clock;
  logger: Logger;
  delivery: AlertDelivery;
  instanceId: string;
}

/**
 * Brings the bot up without holding up the HTTP API: `getMe` runs with a timeout (grammY's own
 * `bot.init()` retries forever), and a failed start is retried in the background with a growing
 * wait. Once up, it registers the commands, then sets the webhook or polls under the lease.
 */
export class BotRuntime {
  private state: BotState = "starting";
  private lastError: string | null = null;
  private polling = false;
  private stopped = false;
  private retryDelayMs: number;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  private dispatchTimer: ReturnType<typeof setInterval> | undefined;
  private dispatching = false;
  private readonly leases: JobLeases;

  constructor(private readonly deps: BotRuntimeDeps) {
    this.retryDelayMs = deps.config.initRetryMs;
    this.leases = new JobLeases(deps.db, deps.clock, deps.instanceId, pollingLeaseMs);
  }

  get mode(): "webhook" | "polling" {
    return this.deps.config.webhookUrl ? "webhook" : "polling";
  }

  status(): BotStatus {
    const username = this.deps.bot.isInited() ? this.deps.bot.botInfo.username : null;
    return { state: this.state, mode: this.mode, polling: this.polling, username, lastError: this.lastError };
  }

  /** Starts the first attempt and the alert dispatch timer; resolves when the first attempt has ended, either way. */
  async start(): Promise<void> {
    this.stopped = false;
    this.dispatchTimer ??= setInterval(() => void this.dispatchDue(), this.deps.config.dispatchIntervalMs);
    const ready = await this.initialise();
    if (!ready) this.scheduleRetry();
  }

  /** One start-up attempt; returns whether the bot is ready. */
  async initialise(): Promise<boolean> {
    const { bot, config, logger } = this.deps;
    // grammY types its signals with the abort-controller package; node-fetch accepts the built-in one.
    const signal = AbortSignal.timeout(config.initTimeoutMs) as unknown as ApiSignal;
    try {
      bot.botInfo = await bot.api.getMe(signal);
      await registerCommands(bot, signal);
      if (config.webhookUrl) {
        await bot.api.setWebhook(config.webhookUrl, { secret_token: config.webhookSecret, allowed_updates: [...allowedUpdates] }, signal);
      }
    } catch (error) {
      this.state = "unreachable";
      this.lastError = error instanceof Error ? error.message : String(error);
      logger.warn({ err: error, retryInMs: this.retryDelayMs }, "bot.start_failed");
      return false;
    }

    this.state = "ready";
    this.lastError = null;
    logger.info({ username: bot.botInfo.username, mode: this.mode }, "bot.started");
    if (this.mode === "polling") {
      await this.pollTick();
      this.pollTimer ??= setInterval(() => void this.pollTick(), pollingLeaseMs / 3);
    }
    return true;
  }

  /** Stops polling, timers and retries, gives the polling lease back and waits for deliveries under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pollTimer);
    clearInterval(this.dispatchTimer);
    this.pollTimer = undefined;
    this.dispatchTimer = undefined;
    if (this.polling) {
      this.polling = false;
      await this.deps.bot.stop().catch((error: unknown) => this.deps.logger.warn({ err: error }, "bot.stop_failed"));
      await this.leases.release(pollingLease);
    }
    await this.deps.delivery.idle();
    this.deps.logger.info({}, "bot.stopped");
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delayMs = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.deps.config.initRetryMaxMs);
    this.retryTimer = setTimeout(async () => {
      if (this.stopped) return;
      if (!(await this.initialise())) this.scheduleRetry();
    }, delayMs);
  }

  /** Takes or renews the polling lease, and starts or stops polling to match. */
  async pollTick(): Promise<void> {
    if (this.stopped) return;
    const { bot, logger } = this.deps;
    const holds = this.polling ? await this.leases.renew(pollingLease) : await this.leases.acquire(pollingLease);

    if (holds && !this.polling) {
      this.polling = true;
      logger.info({ instanceId: this.deps.instanceId }, "bot.polling_started");
      bot
        .start({ allowed_updates: [...allowedUpdates] })
        .catch((error: unknown) => logger.error({ err: error }, "bot.polling_failed"))
        .finally(() => {
          // A crashed loop gives the lease back, so this or another instance starts polling again.
          if (this.polling && !bot.isRunning()) {
            this.polling = false;
            void this.leases.release(pollingLease);
          }
        });
    } else if (!holds && this.polling) {
      this.polling = false;
      logger.warn({ instanceId: this.deps.instanceId }, "bot.polling_lease_lost");
      await bot.stop();
    }
  }

  private async dispatchDue(): Promise<void> {
    if (this.dispatching || this.stopped) return;
    this.dispatching = true;
    try {
      await this.deps.delivery.deliverDue();
    } catch (error) {
      this.deps.logger.error({ err: error }, "alerts.dispatch_failed");
    } finally {
      this.dispatching = false;
    }
  }
}

function commandList(texts: Texts) {
  return Object.entries(texts.commands).map(([command, description]) => ({ command, description }));
}

/** Registers the command menu in Uzbek (also the default for other languages) and Russian. */
async function registerCommands(bot: Bot<BotContext>, signal: ApiSignal): Promise<void> {
  await bot.api.setMyCommands(commandList(uz), {}, signal);
  await bot.api.setMyCommands(commandList(uz), { language_code: "uz" }, signal);
  await bot.api.setMyCommands(commandList(ru), { language_code: "ru" }, signal);
}
