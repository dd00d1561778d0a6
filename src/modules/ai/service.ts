import { and, eq, gte, sql, sum } from "drizzle-orm";
import type { Database } from "../../db/client";
import { aiExplanations, aiUsage } from "../../db/schema";
import { notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Locale } from "../../lib/messages";
import { RateLimitedError } from "../../lib/rate-limit";
import { tashkentMonthStart, type Clock } from "../../lib/time";
import type { SettingsService } from "../admin/settings";
import { findStoredProduct, type StoredProduct } from "../uzum/repository";
import type { AnthropicClient } from "./anthropic-client";
import type { AiConfig } from "./config";
import { explainFromComponents, type ScoreFacts } from "./explain-rules";

export interface Explanation {
  productId: number;
  snapshotDate: string;
  locale: Locale;
  source: "anthropic" | "rules";
  model: string | null;
  text: string;
  cached: boolean;
  score: number;
}

export interface AiServiceDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  config: AiConfig;
  settings: SettingsService;
  /** Absent without ANTHROPIC_API_KEY, and then every explanation is built from the components. */
  provider: AnthropicClient | undefined;
}

export interface Caller {
  userId: string;
  accountId: string;
}

const languageNames: Record<Locale, string> = { uz: "Uzbek (Latin script)", ru: "Russian", en: "English" };

/**
 * Explains why a product scores as it does, from its newest snapshot. Explanations are cached
 * per product, snapshot day and language. Every request, cached or not, is recorded in
 * `ai_usage` for the caller's account, and provider calls count against its monthly budget.
 */
export class AiService {
  constructor(private readonly deps: AiServiceDeps) {}

  async explain(caller: Caller, productId: number, locale: Locale): Promise<Explanation> {
    const stored = await findStoredProduct(this.deps.db, productId);
    if (!stored) throw notFound("PRODUCT_NOT_ANALYZED", { product_id: productId });
    const facts = scoreFacts(stored);
    if (!facts) throw notFound("PRODUCT_NOT_ANALYZED", { product_id: productId, reason: "no_score" });

    const snapshotDate = stored.snapshot.snapshotDate;
    const useProvider = this.deps.provider !== undefined && (await this.deps.settings.get("ai.enabled"));
    const source = useProvider ? "anthropic" : "rules";
    const base = { productId, snapshotDate, locale, score: facts.score };

    const [cached] = await this.deps.db
      .select()
      .from(aiExplanations)
      .where(
        and(
          eq(aiExplanations.productId, productId),
          eq(aiExplanations.snapshotDate, snapshotDate),
          eq(aiExplanations.locale, locale),
          eq(aiExplanations.source, source),
        ),
      );
    if (cached) {
      await this.recordUsage(caller, { productId, snapshotDate, source: "cache", model: cached.model, outcome: "ok" });
      return { ...base, source, model: cached.model, text: cached.text, cached: true };
    }

    if (!useProvider) {
      const text = explainFromComponents(facts, locale);
      await this.store({ productId, snapshotDate, locale, source, model: null, text });
      await this.recordUsage(caller, { productId, snapshotDate, source, model: null, outcome: "ok" });
      return { ...base, source, model: null, text, cached: false };
    }

    const request = { system: systemPrompt(locale), prompt: userPrompt(facts) };
    const reservation = await this.reserveBudget(caller, { productId, snapshotDate, source, model: this.deps.config.model }, this.maxCostUsd(request));
    const startedAt = performance.now();
    let completion;
    try {
      completion = await this.deps.provider!.complete(request);
    } catch (error) {
      const durationMs = Math.round(performance.now() - startedAt);
      await this.settleUsage(caller, reservation, { outcome: "error", costUsd: 0, durationMs, error: String((error as Error).message).slice(0, 500) });
      throw error;
    }

    const durationMs = Math.round(performance.now() - startedAt);
    const costUsd = this.costUsd(completion.inputTokens, completion.outputTokens);
    await this.store({ productId, snapshotDate, locale, source, model: completion.model, text: completion.text });
    await this.settleUsage(caller, reservation, {
      model: completion.model,
      outcome: "ok",
      inputTokens: completion.inputTokens,
      outputTokens: completion.outputTokens,
      costUsd,
      durationMs,
    });
    return { ...base, source, model: completion.model, text: completion.text, cached: false };
  }

  /**
   * Reserves the estimated worst-case cost of one provider call as a `pending` usage row, or throws 429
   * AI_BUDGET_EXCEEDED, with Retry-After until the next Tashkent month, once the account has spent
   * its budget. A transaction lock per account makes concurrent requests check one at a time, and
   * each counts the others' reservations, so an account passes its budget by one call at most.
   * NOTE: a process that dies during the call leaves its reservation pending, and it keeps counting
   * at the worst-case cost until the month ends.
   */
  private async reserveBudget(caller: Caller, usage: Pick<typeof aiUsage.$inferInsert, "productId" | "snapshotDate" | "source" | "model">, maxCostUsd: number): Promise<number> {
    const budgetUsd = await this.deps.settings.get("ai.monthly_budget_usd");
    const now = this.deps.clock.now();

    const reserved = await this.deps.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`ai-budget:${caller.accountId}`}, 0))`);
      const [row] = await tx
        .select({ total: sum(aiUsage.costUsd) })
        .from(aiUsage)
        .where(and(eq(aiUsage.accountId, caller.accountId), gte(aiUsage.createdAt, tashkentMonthStart(now))));
      // The sum counts other requests' reservations at their worst-case cost until they settle.
      const spentUsd = Number(row?.total ?? 0);
      if (spentUsd >= budgetUsd) return { spentUsd };

      const [inserted] = await tx
        .insert(aiUsage)
        .values({ ...usage, accountId: caller.accountId, userId: caller.userId, outcome: "pending", costUsd: maxCostUsd, createdAt: now })
        .returning({ id: aiUsage.id });
      return { id: inserted.id };
    });
    if (reserved.id !== undefined) return reserved.id;

    const nextMonth = tashkentMonthStart(new Date(tashkentMonthStart(now).getTime() + 32 * 24 * 3600 * 1000));
    const retryAfterSeconds = Math.max(1, Math.ceil((nextMonth.getTime() - now.getTime()) / 1000));
    this.deps.logger.warn({ accountId: caller.accountId, spentUsd: reserved.spentUsd, budgetUsd }, "ai.budget_exceeded");
    throw new RateLimitedError(retryAfterSeconds, { budget_usd: budgetUsd, spent_usd: reserved.spentUsd }, "AI_BUDGET_EXCEEDED");
  }

  /**
   * Returns an upper estimate of one call's cost: each UTF-8 byte of the prompt counted as an input
   * token, which byte-level tokenizers stay well under, and the whole output allowance.
   */
  private maxCostUsd(request: { system: string; prompt: string }): number {
    const inputTokens = Buffer.byteLength(request.system) + Buffer.byteLength(request.prompt);
    return this.costUsd(inputTokens, this.deps.config.maxTokens);
  }

  /** Replaces a reservation with the call's real outcome and cost. */
  private async settleUsage(
    caller: Caller,
    reservationId: number,
    usage: Pick<typeof aiUsage.$inferInsert, "outcome" | "costUsd" | "durationMs" | "error" | "model" | "inputTokens" | "outputTokens">,
  ): Promise<void> {
    const [row] = await this.deps.db.update(aiUsage).set(usage).where(eq(aiUsage.id, reservationId)).returning();
    this.logUsage(caller, row);
  }

  private costUsd(inputTokens: number, outputTokens: number): number {
    const { inputUsdPerMillionTokens, outputUsdPerMillionTokens } = this.deps.config;
    return (inputTokens * inputUsdPerMillionTokens + outputTokens * outputUsdPerMillionTokens) / 1_000_000;
  }

  private async store(row: typeof aiExplanations.$inferInsert): Promise<void> {
    await this.deps.db
      .insert(aiExplanations)
      .values({ ...row, createdAt: this.deps.clock.now() })
      .onConflictDoNothing();
  }

  private async recordUsage(
    caller: Caller,
    usage: Omit<typeof aiUsage.$inferInsert, "accountId" | "userId" | "createdAt">,
  ): Promise<void> {
    const [row] = await this.deps.db
      .insert(aiUsage)
      .values({ ...usage, accountId: caller.accountId, userId: caller.userId, createdAt: this.deps.clock.now() })
      .returning();
    this.logUsage(caller, row);
  }

  private logUsage(caller: Caller, usage: typeof aiUsage.$inferSelect): void {
    this.deps.logger.info(
      {
        accountId: caller.accountId,
        userId: caller.userId,
        productId: usage.productId,
        source: usage.source,
        outcome: usage.outcome,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: usage.costUsd,
        durationMs: usage.durationMs,
      },
      "ai.explanation",
    );
  }
}

function scoreFacts(stored: StoredProduct): ScoreFacts | undefined {
  const snapshot = stored.snapshot;
  if (snapshot.score === null || snapshot.scoreComponents === null) return undefined;
  return {
    title: stored.product.title,
    score: snapshot.score,
    scoreVersion: snapshot.scoreVersion,
    components: snapshot.scoreComponents,
    weeklyBuyersUsed: snapshot.scoreWeeklyBuyers,
    weeklyBasis: snapshot.scoreWeeklyBasis,
    weeklyDate: snapshot.scoreWeeklyDate,
    ordersQuantity: snapshot.ordersQuantity,
    rating: snapshot.rating,
    sellPriceSom: snapshot.sellPriceSom,
    discountPercent: snapshot.discountPercent,
  };
}

function systemPrompt(locale: Locale): string {
  return [
    "You explain to a seller on Uzum Market, Uzbekistan's online marketplace, why a product has the score it has.",
    "Score = 0.55·ln(1+weekly buyers) + 0.25·ln(1+total orders) + 0.10·rating + 0.10·supply,",
    "where supply is 1 when the stock is in Uzum's warehouse (FBO), 0.5 when the seller ships it (FBS) and 0 when unknown.",
    `Answer in ${languageNames[locale]}, in at most four short sentences, using only the figures given.`,
    "Name the term that contributes most and one concrete way the seller could raise the score.",
  ].join(" ");
}

function userPrompt(facts: ScoreFacts): string {
  return JSON.stringify({
    product: facts.title,
    score: facts.score,
    formula_version: facts.scoreVersion,
    weighted_terms: facts.components,
    weekly_buyers_used: facts.weeklyBuyersUsed,
    weekly_buyers_basis: facts.weeklyBasis,
    weekly_buyers_date: facts.weeklyDate,
    total_orders: facts.ordersQuantity,
    rating: facts.rating,
    price_som: facts.sellPriceSom,
    discount_percent: facts.discountPercent,
  });
}
