import type { BotLocale } from "../../../db/schema";
import { ru } from "./ru";
import { uz, type Texts } from "./uz";

export type { Texts };

const catalogues: Record<BotLocale, Texts> = { uz, ru };

/** Returns the catalogue of a chat's language. */
export function textsFor(locale: BotLocale): Texts {
  return catalogues[locale];
}
