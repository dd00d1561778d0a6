import { and, avg, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { accounts, alertEvents, alertRules, alertStates, productSnapshots, trackedProducts } from "../../db/schema";
import type { ProductRefreshed } from "../../jobs/refresh-events";
import type { Logger } from "../../lib/logger";
import { addDays, type Clock } from "../../lib/time";
import type { SnapshotRow } from "../uzum/repository";
import { evaluateCondition, type ConditionInput, type Figures } from "./conditions";
import { quietUntil } from "./quiet-hours";
import type { AlertRuleRow, AlertService } from "./service";

/** Days behind the "4-week average" of the spike rules. */
export const averageDays = 28;

export type AlertsFiredListener = (accountIds: string[]) => void;

/**
 * Checks every enabled rule that covers a refreshed product, for each account that tracks it, and
 * stores an event when a condition starts to hold. The firing state is kept per rule and product,
 * so a condition that goes on holding stays quiet until it has cleared once.
 */
export class AlertEvaluator {
  private readonly listeners = new Set<AlertsFiredListener>();

  constructor(private readonly deps: { db: Database; clock: Clock; logger: Logger; alerts: AlertService }) {}

  /** Subscribes to new events; the listener gets the accounts that have some and must not block. */
  onFired(listener: AlertsFiredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Evaluates the rules for one refreshed snapshot; returns the number of events stored. */
  async evaluate(event: ProductRefreshed): Promise<number> {
    const { productId } = event;
    const rules = await this.rulesFor(productId);
    if (rules.length === 0) return 0;

    const snapshot = event.current.snapshot;
    const needsAverages = rules.some((rule) => rule.type === "WEEKLY_BUYERS_SPIKE" || rule.type === "SCORE_SPIKE");
    const averages = needsAverages ? await this.averages(productId, snapshot.snapshotDate) : { weeklyBuyers: null, score: null };
    const input: ConditionInput = {
      previous: event.previous ? figuresOf(event.previous) : null,
      current: figuresOf(snapshot),
      weeklyBuyersAverage: averages.weeklyBuyers,
      scoreAverage: averages.score,
    };

    const stateRows = await this.deps.db
      .select()
      .from(alertStates)
      .where(and(eq(alertStates.productId, productId), inArray(alertStates.ruleId, rules.map((rule) => rule.id))));
    const states = new Map(stateRows.map((row) => [row.ruleId, row]));
    const now = this.deps.clock.now();
    const quiet = await this.deps.alerts.quietHoursOf([...new Set(rules.map((rule) => rule.accountId))]);

    const newStates: Array<typeof alertStates.$inferInsert> = [];
    const newEvents: Array<typeof alertEvents.$inferInsert> = [];
    for (const rule of rules) {
      const state = states.get(rule.id);
      const result = evaluateCondition(rule.type, rule.threshold, input, state);
      const wasFiring = state?.isFiring ?? false;
      if (result.holds === wasFiring) continue;

      newStates.push({ ruleId: rule.id, productId, isFiring: result.holds, reference: result.holds ? result.before : null, updatedAt: now });
      if (!result.holds) continue;
      newEvents.push({
        accountId: rule.accountId,
        ruleId: rule.id,
        productId,
        type: rule.type,
        threshold: rule.threshold,
        snapshotDate: snapshot.snapshotDate,
        valueBefore: result.before,
        valueAfter: result.after,
        firedAt: now,
        heldUntil: quietUntil(now, quiet.get(rule.accountId)!),
      });
    }

    if (newStates.length > 0) {
      await this.deps.db
        .insert(alertStates)
        .values(newStates)
        .onConflictDoUpdate({
          target: [alertStates.ruleId, alertStates.productId],
          set: { isFiring: sql`excluded.is_firing`, reference: sql`excluded.reference`, updatedAt: sql`excluded.updated_at` },
        });
    }
    if (newEvents.length === 0) return 0;

    await this.deps.db.insert(alertEvents).values(newEvents);
    const accountIds = [...new Set(newEvents.map((row) => row.accountId))];
    this.deps.logger.info({ productId, events: newEvents.length, accounts: accountIds.length }, "alerts.fired");
    for (const listener of this.listeners) listener(accountIds);
    return newEvents.length;
  }

  /** Enabled rules covering the product, of active accounts that track it now. */
  private rulesFor(productId: number): Promise<AlertRuleRow[]> {
    return this.deps.db
      .select({ rule: alertRules })
      .from(alertRules)
      .innerJoin(
        trackedProducts,
        and(eq(trackedProducts.accountId, alertRules.accountId), eq(trackedProducts.productId, productId), isNull(trackedProducts.untrackedAt)),
      )
      .innerJoin(accounts, and(eq(accounts.id, alertRules.accountId), eq(accounts.status, "ACTIVE")))
      .where(and(eq(alertRules.isEnabled, true), or(eq(alertRules.productId, productId), isNull(alertRules.productId))))
      .then((rows) => rows.map((row) => row.rule));
  }

  /** Average weekly buyers and score over the 28 days before `day`, skipping unknown figures. */
  private async averages(productId: number, day: string): Promise<{ weeklyBuyers: number | null; score: number | null }> {
    const [row] = await this.deps.db
      .select({ weeklyBuyers: avg(productSnapshots.weeklyBuyers), score: avg(productSnapshots.score) })
      .from(productSnapshots)
      .where(
        and(
          eq(productSnapshots.productId, productId),
          gte(productSnapshots.snapshotDate, addDays(day, -averageDays)),
          lt(productSnapshots.snapshotDate, day),
        ),
      );
    return { weeklyBuyers: toNumber(row?.weeklyBuyers), score: toNumber(row?.score) };
  }
}

function figuresOf(snapshot: SnapshotRow): Figures {
  return { sellPriceSom: snapshot.sellPriceSom, stockUnits: snapshot.stockUnits, weeklyBuyers: snapshot.weeklyBuyers, score: snapshot.score };
}

function toNumber(value: string | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}
