import { Elysia, t } from "elysia";
import type { Update } from "grammy/types";
import { timingSafeEqual } from "node:crypto";
import { AppError, badRequest, unauthorized } from "../../lib/errors";
import { errorEnvelope, errorResponses } from "../../lib/http";
import { authGuard } from "../admin/auth-guard";
import type { AuthService } from "../admin/auth-service";
import { linkCodeView, unlinkView } from "./model";
import type { BotService } from "./service";

const secured = { security: [{ bearer: [] }] };

/** Linking chats to the signed-in user, under /api/v1/bot. */
export function botRoutes(deps: { auth: AuthService; bot: BotService }) {
  const { bot } = deps;

  return new Elysia({ prefix: "/api/v1/bot", tags: ["bot"] })
    .use(authGuard(deps.auth))
    .post(
      "/link-code",
      async ({ auth, set }) => {
        if (!bot.isEnabled) throw new AppError(503, "BOT_DISABLED");
        const { code, expiresAt } = await bot.linkCodes.create(auth.accountId, auth.userId);
        set.status = 201;
        return { code, expires_at: expiresAt.toISOString(), deep_link: bot.deepLink(code) };
      },
      {
        response: { 201: linkCodeView, 503: errorEnvelope, ...errorResponses },
        detail: {
          summary: "Get a one-time code that links a Telegram chat to you: send /link <code> to the bot within 10 minutes",
          ...secured,
        },
      },
    )
    .delete("/link", async ({ auth }) => ({ unlinked_chats: await bot.chats.unlinkUser(auth.userId) }), {
      response: { 200: unlinkView, ...errorResponses },
      detail: { summary: "Unlink every Telegram chat you linked; they stop receiving alerts", ...secured },
    });
}

/**
 * Receives the updates Telegram posts, registered only in webhook mode. The secret token header
 * is compared before the body is read, and a wrong or missing one is rejected with 401.
 */
export function telegramWebhookRoutes(bot: BotService) {
  const secret = bot.webhookSecret;
  if (!secret) return new Elysia({ name: "telegram-webhook-off" });

  return new Elysia({ tags: ["bot"] }).post(
    "/telegram/webhook",
    async ({ request }) => {
      if (!secretMatches(request.headers.get("x-telegram-bot-api-secret-token"), secret)) {
        throw unauthorized("INVALID_WEBHOOK_SECRET");
      }

      let update: unknown;
      try {
        update = JSON.parse(await request.text());
      } catch {
        throw badRequest("INVALID_JSON");
      }
      if (typeof update !== "object" || update === null || !Number.isInteger((update as { update_id?: unknown }).update_id)) {
        throw badRequest("BAD_REQUEST", { reason: "not a Telegram update: update_id is missing" });
      }

      await bot.handleUpdate(update as Update);
      return { ok: true as const };
    },
    {
      parse: "none",
      response: { 200: t.Object({ ok: t.Literal(true) }), 503: errorEnvelope, ...errorResponses },
      detail: { summary: "Telegram updates, with X-Telegram-Bot-Api-Secret-Token set to TELEGRAM_WEBHOOK_SECRET" },
    },
  );
}

function secretMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
