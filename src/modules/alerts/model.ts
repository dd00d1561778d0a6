import { t, type Static } from "elysia";
import { alertDeliveryStatuses, alertTypes } from "../../db/schema";
import { maxProductId } from "../uzum/model";
import { formatMinute, type QuietHours } from "./quiet-hours";
import type { AlertEventRow, AlertRuleRow } from "./service";

const alertType = t.UnionEnum([...alertTypes], {
  description:
    "PRICE_DROP and PRICE_RISE: percent change against the previous snapshot; STOCK_LOW: stock at or below the units; " +
    "OUT_OF_STOCK; BACK_IN_STOCK; WEEKLY_BUYERS_SPIKE and SCORE_SPIKE: percent above the average of the previous 28 days",
});
const nullableNumber = t.Union([t.Number(), t.Null()]);
const timestamp = t.String({ format: "date-time" });

export const ruleIdParams = t.Object({ id: t.String({ format: "uuid", description: "Alert rule id" }) });

export const createRuleBody = t.Object({
  type: alertType,
  threshold: t.Optional(
    t.Union([t.Number(), t.Null()], { description: "Percent for price and spike rules, units for STOCK_LOW, absent for the stock transitions" }),
  ),
  product_id: t.Optional(
    t.Union([t.Integer({ minimum: 1, maximum: maxProductId }), t.Null()], {
      description: "One tracked product; absent or null covers every product the account tracks",
    }),
  ),
  enabled: t.Optional(t.Boolean({ default: true })),
});

export const updateRuleBody = t.Object(
  {
    threshold: t.Optional(t.Union([t.Number(), t.Null()])),
    enabled: t.Optional(t.Boolean()),
  },
  { minProperties: 1 },
);

export const ruleView = t.Object({
  id: t.String({ format: "uuid" }),
  type: alertType,
  threshold: nullableNumber,
  product_id: t.Union([t.Integer(), t.Null()], { description: "Null when the rule covers every tracked product" }),
  enabled: t.Boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const ruleListView = t.Object({ items: t.Array(ruleView) });

const deliveryStatus = t.UnionEnum([...alertDeliveryStatuses, "HELD"], {
  description:
    "PENDING: waiting to be sent or retried; HELD: waiting for the end of quiet hours; SENDING: being sent; " +
    "DELIVERED: every linked chat accepted it; FAILED: retries ran out; NO_CHAT: no active linked chat to send to",
});

export const eventsQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  // A union of literals, not UnionEnum: Elysia fills an absent UnionEnum query field with its first value.
  status: t.Optional(
    t.Union([t.Literal("PENDING"), t.Literal("SENDING"), t.Literal("DELIVERED"), t.Literal("FAILED"), t.Literal("NO_CHAT")], {
      description: "Only events with this delivery status; HELD events have status PENDING",
    }),
  ),
});

export const eventView = t.Object({
  id: t.String({ format: "uuid" }),
  rule_id: t.Union([t.String({ format: "uuid" }), t.Null()], { description: "Null once the rule was deleted" }),
  product_id: t.Integer(),
  product_title: t.String(),
  type: alertType,
  threshold: nullableNumber,
  snapshot_date: t.String({ format: "date" }),
  value_before: t.Union([t.Number(), t.Null()], { description: "Previous price or stock, or the 28-day average for spikes" }),
  value_after: t.Union([t.Number(), t.Null()], { description: "The figure of the refreshed snapshot" }),
  fired_at: timestamp,
  delivery: t.Object({
    status: deliveryStatus,
    attempts: t.Integer(),
    held_until: t.Union([timestamp, t.Null()]),
    delivered_at: t.Union([timestamp, t.Null()]),
    last_error: t.Union([t.String(), t.Null()]),
  }),
});

export const eventListView = t.Object({ total: t.Integer(), limit: t.Integer(), offset: t.Integer(), items: t.Array(eventView) });

const clockTime = t.String({ pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "HH:MM in Tashkent time", examples: ["22:00"] });

export const settingsBody = t.Object({
  quiet_hours_start: clockTime,
  quiet_hours_end: t.String({ ...clockTime, description: "HH:MM in Tashkent time; equal to the start switches quiet hours off" }),
});

export const settingsView = t.Object({
  quiet_hours_start: t.String(),
  quiet_hours_end: t.String(),
  quiet_hours_enabled: t.Boolean(),
  timezone: t.Literal("Asia/Tashkent"),
});

export function toRuleView(rule: AlertRuleRow): Static<typeof ruleView> {
  return {
    id: rule.id,
    type: rule.type,
    threshold: rule.threshold,
    product_id: rule.productId,
    enabled: rule.isEnabled,
    created_at: rule.createdAt.toISOString(),
    updated_at: rule.updatedAt.toISOString(),
  };
}

export function toEventView(event: AlertEventRow, title: string, now: Date): Static<typeof eventView> {
  const held = event.deliveryStatus === "PENDING" && event.heldUntil !== null && event.heldUntil > now;
  return {
    id: event.id,
    rule_id: event.ruleId,
    product_id: event.productId,
    product_title: title,
    type: event.type,
    threshold: event.threshold,
    snapshot_date: event.snapshotDate,
    value_before: event.valueBefore,
    value_after: event.valueAfter,
    fired_at: event.firedAt.toISOString(),
    delivery: {
      status: held ? "HELD" : event.deliveryStatus,
      attempts: event.deliveryAttempts,
      held_until: event.heldUntil?.toISOString() ?? null,
      delivered_at: event.deliveredAt?.toISOString() ?? null,
      last_error: event.lastError,
    },
  };
}

export function toSettingsView(hours: QuietHours): Static<typeof settingsView> {
  return {
    quiet_hours_start: formatMinute(hours.startMinute),
    quiet_hours_end: formatMinute(hours.endMinute),
    quiet_hours_enabled: hours.startMinute !== hours.endMinute,
    timezone: "Asia/Tashkent",
  };
}
