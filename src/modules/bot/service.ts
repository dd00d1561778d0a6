import { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Database } from "../../db/client";
import type { RefreshEvents } from "../../jobs/refresh-events";
import { AppError } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { AlertEvaluator } from "../alerts/evaluator";
import type { AlertService } from "../alerts/service";
import type { ProductService } from "../uzum/service";
import type { TrackingService } from "../uzum/tracking";
import { ChatRepository } from "./chats";
import { alertCommands } from "./commands/alerts";
import { helpCommands } from "./commands/help";
import { linkCommands } from "./commands/link";
import { listCommands } from "./commands/list";
import { pastedProductLinks, productCommands } from "./commands/products";
import { topCommands } from "./commands/top";
import type { BotConfig } from "./config";
import { loadChat, reply, type BotContext, type BotDeps } from "./context";
import { AlertDelivery, type AlertDeliveryDeps } from "./delivery";
import { LinkCodeService } from "./link-codes";
import { BotRuntime, type BotStatus } from "./runtime";
import { TelegramSender } from "./telegram";

export interface BotServiceDeps {
  config: BotConfig;
  db: Database;
  clock: Clock;
  logger: Logger;
  products: ProductService;
  tracking: TrackingService;
  alerts: AlertService;
  evaluator: AlertEvaluator;
  refreshEvents: RefreshEvents;
  /** Names this process in the polling lease. */
  instanceId: string;
  /** Counts a live analysis against the user's limit, throwing RateLimitedError when over it, as the API's analyze route does. */
  analyzeLimit?: (userId: string) => Promise<unknown> | void;
  /** Waits between Telegram retries; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Receives the result of each alert delivery, for metrics. */
  onAlertOutcome?: AlertDeliveryDeps["onOutcome"];
}

/** Running parts of an enabled bot. */
interface EnabledBot {
  bot: Bot<BotContext>;
  runtime: BotRuntime;
  delivery: AlertDelivery;
  sender: TelegramSender;
}

/**
 * The Telegram bot and everything that sends through it: commands, alert delivery and discovery
 * notices. With TELEGRAM_BOT_TOKEN unset it is disabled, and only the link codes' storage remains.
 */
export class BotService {
  readonly chats: ChatRepository;
  readonly linkCodes: LinkCodeService;
  private readonly enabled: EnabledBot | undefined;
  /** Webhook updates whose handlers are still running. */
  private readonly handling = new Set<Promise<void>>();

  constructor(private readonly deps: BotServiceDeps) {
    const { config, db, clock, logger } = deps;
    this.chats = new ChatRepository({ db, clock });
    this.linkCodes = new LinkCodeService({ db, clock, logger, chats: this.chats });
    if (!config.token) {
      logger.info({ reason: "TELEGRAM_BOT_TOKEN is not set" }, "bot.disabled");
      return;
    }
    this.enabled = this.build(config.token);
  }

  get isEnabled(): boolean {
    return this.enabled !== undefined;
  }

  /** Alert delivery, present when the bot is enabled; tests wait on its `idle()`. */
  get delivery(): AlertDelivery | undefined {
    return this.enabled?.delivery;
  }

  get sender(): TelegramSender | undefined {
    return this.enabled?.sender;
  }

  get webhookSecret(): string | undefined {
    return this.deps.config.webhookUrl ? this.deps.config.webhookSecret : undefined;
  }

  status(): BotStatus {
    if (!this.enabled) return { state: "disabled", mode: null, polling: false, username: null, lastError: null };
    return this.enabled.runtime.status();
  }

  /** Starts the bot in the background; the returned promise ends with the first start-up attempt. */
  start(): Promise<void> {
    return this.enabled?.runtime.start() ?? Promise.resolve();
  }

  /** Retries start-up now, as the background retry would; returns whether the bot is ready. */
  initialise(): Promise<boolean> {
    return this.enabled?.runtime.initialise() ?? Promise.resolve(false);
  }

  /** Takes or renews the polling lease now, as the periodic check does; nothing in webhook mode. */
  checkPollingLease(): Promise<void> {
    if (!this.enabled || this.enabled.runtime.mode !== "polling") return Promise.resolve();
    return this.enabled.runtime.pollTick();
  }

  /** Stops polling and waits for webhook updates still being handled. */
  async stop(): Promise<void> {
    await (this.enabled?.runtime.stop() ?? Promise.resolve());
    await Promise.all([...this.handling]);
  }

  /**
   * Runs one update from the webhook and resolves when it is handled or after
   * TELEGRAM_WEBHOOK_WAIT_MS, whichever comes first. A slower handler, such as an /analyze waiting
   * for Uzum, goes on after the response, so Telegram does not time out and deliver the update
   * again. `stop` waits for it. Throws 503 BOT_NOT_READY before start-up has reached Telegram, so
   * Telegram delivers the update later. A handler's failure is logged, not thrown, because
   * Telegram would otherwise resend the same update without end.
   */
  async handleUpdate(update: Update): Promise<void> {
    const enabled = this.enabled;
    if (!enabled || !enabled.bot.isInited()) throw new AppError(503, "BOT_NOT_READY");

    const handled = enabled.bot.handleUpdate(update).catch((error: unknown) => {
      this.deps.logger.error({ err: error, updateId: update.update_id }, "bot.update_failed");
    });
    this.handling.add(handled);
    void handled.finally(() => this.handling.delete(handled));

    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<"waited">((resolve) => (timer = setTimeout(() => resolve("waited"), this.deps.config.webhookWaitMs)));
    const outcome = await Promise.race([handled.then(() => "handled" as const), waited]);
    clearTimeout(timer);
    // NOTE: an update still being handled when the process dies is lost, because the 200 response already confirmed it to Telegram.
    if (outcome === "waited") this.deps.logger.info({ updateId: update.update_id, waitedMs: this.deps.config.webhookWaitMs }, "bot.update_continues");
  }

  /** Returns the t.me deep link that links a chat with `code`, or null until the bot's username is known. */
  deepLink(code: string): string | null {
    const username = this.enabled?.bot.isInited() ? this.enabled.bot.botInfo.username : null;
    return username ? `https://t.me/${username}?start=${code}` : null;
  }

  private build(token: string): EnabledBot {
    const { config, db, clock, logger } = this.deps;
    const bot = new Bot<BotContext>(token, { client: { apiRoot: config.apiUrl, timeoutSeconds: 60 } });
    const sender = new TelegramSender({ api: bot.api, logger, sleep: this.deps.sleep, onBlocked: (chatId) => this.chats.deactivate(chatId) });
    const delivery = new AlertDelivery({ db, clock, logger, chats: this.chats, sender, alerts: this.deps.alerts, onOutcome: this.deps.onAlertOutcome });
    const commandDeps: BotDeps = { ...this.deps, chats: this.chats, linkCodes: this.linkCodes, sender };

    // 1. Every handler gets the chat's row and texts.
    bot.use(loadChat(this.chats));
    // 2. A failing handler replies with a short apology and logs the error.
    bot.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        logger.error({ err: error, chatId: ctx.chatRecord.chatId, updateId: ctx.update.update_id }, "bot.handler_failed");
        await reply(commandDeps, ctx, ctx.texts.failed);
      }
    });
    // 3. The commands, one composer per group.
    bot.use(linkCommands(commandDeps), helpCommands(commandDeps), productCommands(commandDeps));
    bot.use(listCommands(commandDeps), topCommands(commandDeps), alertCommands(commandDeps));
    // 4. A bare uzum.uz product link is analysed as if sent with /analyze.
    bot.use(pastedProductLinks(commandDeps));
    // 5. A button press no handler above took still gets answerCallbackQuery, so its spinner stops.
    bot.on("callback_query", (ctx) => ctx.answerCallbackQuery());
    // 6. Anything else gets the command list.
    bot.on("message", (ctx) => reply(commandDeps, ctx, ctx.chatRecord.accountId ? ctx.texts.help : `${ctx.texts.help}\n\n${ctx.texts.howToLink}`));
    bot.catch((error) => logger.error({ err: error.error, updateId: error.ctx.update.update_id }, "bot.update_failed"));

    // 7. Alerts and discovery notices are queued and sent in the background, so the refresh and the scan do not wait for Telegram.
    this.deps.evaluator.onFired((accountIds) => delivery.schedule(accountIds));
    this.deps.refreshEvents.onDiscoveryRunEnded((event) => delivery.scheduleDiscoveryNotice(event));

    const runtime = new BotRuntime({ config, bot, db, clock, logger, delivery, instanceId: this.deps.instanceId });
    return { bot, runtime, delivery, sender };
  }
}
