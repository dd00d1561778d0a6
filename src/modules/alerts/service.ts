import { and, count, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { alertEvents, alertRules, alertSettings, products, trackedProducts, type AlertDeliveryStatus, type AlertType } from "../../db/schema";
import { badRequest, conflict, notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import { thresholdKind } from "./conditions";
import { defaultQuietHours, type QuietHours } from "./quiet-hours";

export type AlertRuleRow = typeof alertRules.$inferSelect;
export type AlertEventRow = typeof alertEvents.$inferSelect;

/** Rules one account may keep; each refreshed product is checked against all of them. */
export const maxRulesPerAccount = 100;

export interface RuleInput {
  type: AlertType;
  threshold?: number | null;
  productId?: number | null;
  isEnabled?: boolean;
}

export interface RulePatch {
  threshold?: number | null;
  isEnabled?: boolean;
}

export interface EventFilter {
  limit: number;
  offset: number;
  status?: AlertDeliveryStatus;
}

/** Alert rules, events and quiet hours of an account; the refresh-time checks are in `AlertEvaluator`. */
export class AlertService {
  constructor(private readonly deps: { db: Database; clock: Clock; logger: Logger }) {}

  listRules(accountId: string): Promise<AlertRuleRow[]> {
    return this.deps.db.select().from(alertRules).where(eq(alertRules.accountId, accountId)).orderBy(alertRules.createdAt, alertRules.id);
  }

  /**
   * Adds a rule after checking its threshold against its type. A rule for one product needs that
   * product to be tracked by the account (400 NOT_TRACKED); an account keeps at most 100 rules.
   */
  async createRule(accountId: string, userId: string, input: RuleInput): Promise<AlertRuleRow> {
    const threshold = checkedThreshold(input.type, input.threshold ?? null);
    const productId = input.productId ?? null;
    if (productId !== null && !(await this.isTracked(accountId, productId))) {
      throw badRequest("NOT_TRACKED", { product_id: productId });
    }

    const [{ rules }] = await this.deps.db.select({ rules: count() }).from(alertRules).where(eq(alertRules.accountId, accountId));
    if (rules >= maxRulesPerAccount) throw conflict("ALERT_RULE_LIMIT", { max_rules: maxRulesPerAccount });

    const now = this.deps.clock.now();
    const [rule] = await this.deps.db
      .insert(alertRules)
      .values({ accountId, productId, type: input.type, threshold, isEnabled: input.isEnabled ?? true, createdBy: userId, createdAt: now, updatedAt: now })
      .returning();
    this.deps.logger.info({ accountId, ruleId: rule.id, type: rule.type, productId }, "alerts.rule_created");
    return rule;
  }

  async getRule(accountId: string, ruleId: string): Promise<AlertRuleRow> {
    const [rule] = await this.deps.db
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.id, ruleId), eq(alertRules.accountId, accountId)));
    if (!rule) throw notFound("ALERT_RULE_NOT_FOUND", { rule_id: ruleId });
    return rule;
  }

  /** Changes the threshold or switches the rule on or off; 404 ALERT_RULE_NOT_FOUND for another account's rule. */
  async updateRule(accountId: string, ruleId: string, patch: RulePatch): Promise<AlertRuleRow> {
    const rule = await this.getRule(accountId, ruleId);
    const threshold = patch.threshold === undefined ? rule.threshold : checkedThreshold(rule.type, patch.threshold);

    const [updated] = await this.deps.db
      .update(alertRules)
      .set({ threshold, isEnabled: patch.isEnabled ?? rule.isEnabled, updatedAt: this.deps.clock.now() })
      .where(and(eq(alertRules.id, ruleId), eq(alertRules.accountId, accountId)))
      .returning();
    if (!updated) throw notFound("ALERT_RULE_NOT_FOUND", { rule_id: ruleId });
    return updated;
  }

  /** Deletes the rule and its firing state; its past events stay, without the rule id. */
  async deleteRule(accountId: string, ruleId: string): Promise<void> {
    const deleted = await this.deps.db
      .delete(alertRules)
      .where(and(eq(alertRules.id, ruleId), eq(alertRules.accountId, accountId)))
      .returning({ id: alertRules.id });
    if (deleted.length === 0) throw notFound("ALERT_RULE_NOT_FOUND", { rule_id: ruleId });
    this.deps.logger.info({ accountId, ruleId }, "alerts.rule_deleted");
  }

  /** Lists the account's events, newest first, with the product title. */
  async listEvents(accountId: string, filter: EventFilter): Promise<{ total: number; items: Array<{ event: AlertEventRow; title: string }> }> {
    const where = and(eq(alertEvents.accountId, accountId), filter.status ? eq(alertEvents.deliveryStatus, filter.status) : undefined);
    const [{ total }] = await this.deps.db.select({ total: count() }).from(alertEvents).where(where);
    const items = await this.deps.db
      .select({ event: alertEvents, title: products.title })
      .from(alertEvents)
      .innerJoin(products, eq(products.id, alertEvents.productId))
      .where(where)
      .orderBy(desc(alertEvents.firedAt), desc(alertEvents.id))
      .limit(filter.limit)
      .offset(filter.offset);
    return { total, items };
  }

  /** Returns the account's quiet hours, the default 22:00 to 08:00 Tashkent when never set. */
  async quietHours(accountId: string): Promise<QuietHours> {
    const [row] = await this.deps.db.select().from(alertSettings).where(eq(alertSettings.accountId, accountId));
    return row ? { startMinute: row.quietStartMinute, endMinute: row.quietEndMinute } : defaultQuietHours;
  }

  /** Quiet hours of many accounts in one query, defaults included. */
  async quietHoursOf(accountIds: string[]): Promise<Map<string, QuietHours>> {
    const rows = accountIds.length === 0 ? [] : await this.deps.db.select().from(alertSettings).where(inArray(alertSettings.accountId, accountIds));
    const stored = new Map(rows.map((row) => [row.accountId, { startMinute: row.quietStartMinute, endMinute: row.quietEndMinute }]));
    return new Map(accountIds.map((id) => [id, stored.get(id) ?? defaultQuietHours]));
  }

  async setQuietHours(accountId: string, hours: QuietHours): Promise<QuietHours> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insert(alertSettings)
      .values({ accountId, quietStartMinute: hours.startMinute, quietEndMinute: hours.endMinute, updatedAt: now })
      .onConflictDoUpdate({
        target: alertSettings.accountId,
        set: { quietStartMinute: sql`excluded.quiet_start_minute`, quietEndMinute: sql`excluded.quiet_end_minute`, updatedAt: now },
      });
    return hours;
  }

  private async isTracked(accountId: string, productId: number): Promise<boolean> {
    const rows = await this.deps.db
      .select({ id: trackedProducts.id })
      .from(trackedProducts)
      .where(and(eq(trackedProducts.accountId, accountId), eq(trackedProducts.productId, productId), isNull(trackedProducts.untrackedAt)));
    return rows.length > 0;
  }
}

/** Largest percent a percent rule takes: a tenfold rise. */
const maxPercent = 1_000;
const maxUnits = 1_000_000;

/**
 * Returns the threshold a rule of `type` stores, or throws 400 INVALID_ALERT_THRESHOLD naming what
 * the type expects: a percent above 0 (below 100 for PRICE_DROP), whole units for STOCK_LOW, none for
 * OUT_OF_STOCK and BACK_IN_STOCK.
 */
export function checkedThreshold(type: AlertType, threshold: number | null): number | null {
  const kind = thresholdKind(type);
  const invalid = (expected: string) => badRequest("INVALID_ALERT_THRESHOLD", { type, threshold, expected });

  if (kind === "none") {
    if (threshold !== null) throw invalid("no threshold");
    return null;
  }
  if (threshold === null || !Number.isFinite(threshold)) {
    throw invalid(kind === "units" ? "whole units from 0 to 1000000" : "a percent above 0");
  }
  if (kind === "units") {
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > maxUnits) throw invalid("whole units from 0 to 1000000");
    return threshold;
  }

  const maxForType = type === "PRICE_DROP" ? 99 : maxPercent;
  if (threshold <= 0 || threshold > maxForType) throw invalid(`a percent above 0 and at most ${maxForType}`);
  return threshold;
}
