import { badRequest } from "../../lib/errors";
import { parseUzumUrl } from "../uzum/uzum-url";

/** A category as a user named it: the id, and the page and language to read it in. */
export interface CategoryInput {
  categoryId: number;
  locale: "uz" | "ru";
  /** Path of the category page on uzum.uz, used when the browser has to read the listing. */
  pagePath: string;
}

/** Largest id accepted; Uzum's category ids are five digits today, and this keeps every id a safe integer. */
export const maxCategoryId = 1e12;

const exampleLink = "https://uzum.uz/ru/category/makiyazh--10091";

/**
 * Reads a category from a bare id or an uzum.uz category link.
 *
 * Accepted links: `https://uzum.uz/{ru|uz}/category/<slug>--<id>`, `.../<slug>-<id>` and `.../<id>`,
 * with or without `www.` or the scheme, with any query or fragment. Throws 400 INVALID_CATEGORY with a
 * `hint` for anything else: empty input, a slug without an id, a product link or another host.
 */
export function parseCategoryInput(input: string): CategoryInput {
  const trimmed = input.trim();
  if (trimmed === "") throw invalid(input, `Send a category link such as ${exampleLink} or a category id such as 10091.`);

  if (/^\d+$/.test(trimmed)) {
    const categoryId = checkedId(trimmed, input);
    // A rendered category page links its language versions as `/<locale>/category/--<id>`, with no slug.
    return { categoryId, locale: "uz", pagePath: `/uz/category/--${categoryId}` };
  }

  const url = parseUzumUrl(trimmed);
  if (!url) throw invalid(input, `Send an uzum.uz category link such as ${exampleLink} or a numeric category id.`);

  const segments = url.pathname.split("/").filter(Boolean);
  if (segments.includes("product")) {
    throw invalid(input, `This is a product link. Send a category link such as ${exampleLink}.`);
  }
  const [locale, section, slug] = segments;
  if ((locale !== "uz" && locale !== "ru") || section !== "category" || !slug || segments.length !== 3) {
    throw invalid(input, `The link must point to a category page: ${exampleLink}.`);
  }

  const trailing = /^(\d+)$|-(\d+)$/.exec(slug);
  if (!trailing) throw invalid(input, "The category link has no id at the end of its name, such as --10091.");

  const categoryId = checkedId(trailing[1] ?? trailing[2], input);
  return { categoryId, locale, pagePath: `/${locale}/category/${slug}` };
}

function checkedId(digits: string, input: string): number {
  const id = Number(digits);
  if (id < 1 || id > maxCategoryId) throw invalid(input, "The category id is out of range.");
  return id;
}

function invalid(input: string, hint: string) {
  return badRequest("INVALID_CATEGORY", { input: input.slice(0, 300), hint });
}
