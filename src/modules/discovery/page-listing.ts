import type { Page } from "playwright-core";
import type { BrowserPool } from "../../lib/browser-pool";
import type { ListedProduct } from "./listing-client";

/**
 * Reads a category listing from the rendered category page on uzum.uz, for when GraphQL fails.
 * The selectors follow a page that Chromium rendered in February 2026. There the listing is inside
 * `#category-content`, and each card is a link to `/<locale>/product/<slug>-<id>` with its title in
 * `[data-test-id="product-card__title"]`. A failed search shows `[data-test-id="block__empty-page"]`
 * with a "Популярные товары" carousel below it, whose products do not belong to the category.
 * NOTE: the recorded page shows no working listing, so its cards are assumed to use the carousel's card markup.
 */

/** The page showed Uzum's error block instead of a listing. */
export class CategoryPageError extends Error {
  constructor(readonly headline: string) {
    super(`Uzum's category page showed an error instead of products: "${headline}"`);
    this.name = "CategoryPageError";
  }
}

export interface CategoryPageListing {
  /** The category's name from the page, or null when the page does not name it. */
  categoryName: string | null;
  products: ListedProduct[];
}

export interface CategoryPageOptions {
  maxProducts: number;
  /** Time for loading and scrolling together; it must stay below the pool's page timeout. */
  budgetMs: number;
}

const cardSelector = '#category-content a[href*="/product/"]';
const errorSelector = '[data-test-id="block__empty-page"]';
/** How long one scroll may take to bring more cards before the page counts as fully loaded. */
const scrollWaitMs = 2_000;

/**
 * Opens the category page and collects its product cards, scrolling for more until `maxProducts`
 * are seen, the page adds no more, or the budget runs out. Throws CategoryPageError when the page
 * shows Uzum's error block, and the pool's BrowserError when no browser or page could be had.
 */
export async function readCategoryPage(browser: BrowserPool, url: string, options: CategoryPageOptions): Promise<CategoryPageListing> {
  return browser.withPage(async (page) => {
    const deadline = performance.now() + options.budgetMs;
    await page.goto(url, { waitUntil: "domcontentloaded", timeout: options.budgetMs });
    await page.waitForSelector(`${cardSelector}, ${errorSelector}`, { timeout: remainingMs(deadline) });

    let count = await countCards(page);
    if (count === 0) {
      const headline = await page.locator(`${errorSelector} h1`).first().textContent({ timeout: 1_000 }).catch(() => null);
      throw new CategoryPageError(headline?.trim() || "no product cards");
    }

    while (count < options.maxProducts && remainingMs(deadline) > scrollWaitMs) {
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const grew = await page
        .waitForFunction(([selector, before]) => document.querySelectorAll(selector).length > before, [cardSelector, count] as const, {
          timeout: scrollWaitMs,
        })
        .then(() => true)
        .catch(() => false);
      if (!grew) break;
      count = await countCards(page);
    }

    const listing = await page.evaluate(extractListing, cardSelector);
    return { categoryName: listing.categoryName, products: listing.products.slice(0, options.maxProducts) };
  });
}

function countCards(page: Page): Promise<number> {
  return page.evaluate((selector) => document.querySelectorAll(selector).length, cardSelector);
}

function remainingMs(deadline: number): number {
  return Math.max(1, Math.round(deadline - performance.now()));
}

/** Runs inside the page: reads every card once, in page order, and the category's name. */
function extractListing(selector: string): CategoryPageListing {
  const seen = new Set<number>();
  const products: ListedProduct[] = [];
  for (const card of Array.from(document.querySelectorAll<HTMLAnchorElement>(selector))) {
    const match = /-(\d+)\/?$/.exec(new URL(card.href, location.href).pathname) ?? /\/product\/(\d+)\/?$/.exec(card.pathname);
    const productId = match ? Number(match[1]) : NaN;
    if (!Number.isSafeInteger(productId) || productId < 1 || seen.has(productId)) continue;

    seen.add(productId);
    const title = card.querySelector('[data-test-id="product-card__title"]')?.textContent?.trim() || null;
    products.push({ productId, title });
  }

  // The page's JSON-LD block names the category; a failed page leaves its name empty.
  let categoryName: string | null = null;
  for (const script of Array.from(document.querySelectorAll('#category-content script[type="application/ld+json"]'))) {
    try {
      const name = (JSON.parse(script.textContent ?? "") as { name?: unknown }).name;
      if (typeof name === "string" && name.trim()) categoryName = name.trim();
    } catch {
      // Not JSON; the name stays unknown.
    }
  }
  return { categoryName, products };
}
