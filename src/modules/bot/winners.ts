import { inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { products, type BotLocale } from "../../db/schema";
import { listWinners, type WinnerRow } from "../discovery/repository";
import { winnerLines } from "./format";
import type { Texts } from "./texts";

/** A run's top five, with Uzum's Russian title of each product that has one. */
export interface TopWinners {
  winners: WinnerRow[];
  russianTitles: Map<number, string>;
}

/** Loads a run's top five; the Russian titles are read only when a chat in Russian will show them. */
export async function loadTopWinners(db: Database, runId: string, withRussianTitles: boolean): Promise<TopWinners> {
  const winners = (await listWinners(db, runId)).slice(0, 5);
  const russianTitles = new Map<number, string>();
  if (withRussianTitles && winners.length > 0) {
    const rows = await db
      .select({ id: products.id, titleRu: products.titleRu })
      .from(products)
      .where(inArray(products.id, winners.map((winner) => winner.productId)));
    for (const row of rows) if (row.titleRu) russianTitles.set(row.id, row.titleRu);
  }
  return { winners, russianTitles };
}

/**
 * Builds the lines of the top five for a chat, or null when the run has no winners. A winner keeps
 * the title it had when the run listed it, except that a chat in Russian gets Uzum's Russian title.
 */
export function topWinnersText(top: TopWinners, texts: Texts, locale: BotLocale): string | null {
  if (top.winners.length === 0) return null;
  const titled = locale === "ru" ? top.winners.map((winner) => ({ ...winner, title: top.russianTitles.get(winner.productId) ?? winner.title })) : top.winners;
  return winnerLines(titled, texts);
}
