import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { products, type BotLocale } from "../../db/schema";
import { listWinners } from "../discovery/repository";
import { winnerLines } from "./format";
import type { Texts } from "./texts";

/**
 * Builds the lines of a run's top five for a chat, or null when the run has no winners. A winner
 * keeps the title it had when the run listed it; a chat in Russian gets the product's Russian
 * title where Uzum gave one.
 */
export async function winnersText(db: Database, runId: string, texts: Texts, locale: BotLocale): Promise<string | null> {
  const winners = (await listWinners(db, runId)).slice(0, 5);
  if (winners.length === 0) return null;

  const titles = new Map<number, string>();
  if (locale === "ru") {
    const rows = await db
      .select({ id: products.id, titleRu: products.titleRu })
      .from(products)
      .where(inArray(products.id, winners.map((winner) => winner.productId)));
    for (const row of rows) if (row.titleRu) titles.set(row.id, row.titleRu);
  }
  return winnerLines(winners.map((winner) => ({ ...winner, title: titles.get(winner.productId) ?? winner.title })), texts);
}
