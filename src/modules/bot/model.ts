import { t, type Static } from "elysia";
import type { BotStatus } from "./runtime";

export const linkCodeView = t.Object({
  code: t.String({ description: "Send it to the bot as /link <code>, or open deep_link; valid once" }),
  expires_at: t.String({ format: "date-time" }),
  deep_link: t.Union([t.String(), t.Null()], { description: "t.me link that starts the bot with the code; null until the bot has started" }),
});

export const unlinkView = t.Object({ unlinked_chats: t.Integer({ description: "Chats of this user that were linked" }) });

export const botStatusView = t.Object({
  state: t.Union([t.Literal("disabled"), t.Literal("starting"), t.Literal("unreachable"), t.Literal("ready")]),
  mode: t.Union([t.Literal("webhook"), t.Literal("polling"), t.Null()]),
  polling: t.Boolean({ description: "Whether this instance holds the polling lock" }),
  username: t.Union([t.String(), t.Null()]),
  last_error: t.Union([t.String(), t.Null()]),
});

/** A Telegram Update; only `update_id` is checked here, grammY reads the rest. */
export const telegramUpdate = t.Object({ update_id: t.Integer() }, { additionalProperties: true });

export function toBotStatusView(status: BotStatus): Static<typeof botStatusView> {
  return { state: status.state, mode: status.mode, polling: status.polling, username: status.username, last_error: status.lastError };
}
