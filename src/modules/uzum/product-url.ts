import { badRequest } from "../../lib/errors";
import { parseUzumUrl } from "./uzum-url";

/** Largest id accepted; Uzum's ids are far below it and it keeps every id a safe integer. */
const maxProductId = 1e12;

/**
 * Extracts the product id from an Uzum product link or a bare numeric id.
 *
 * Accepted links: `https://uzum.uz/{ru|uz}/product/<slug>-<id>` and `https://uzum.uz/product/<id>`,
 * with or without `www.` or the scheme, with any query (`?skuId=` is ignored) or fragment.
 * The id is the whole path segment when it is all digits, else the slug's trailing `-<digits>`.
 * Throws 400 INVALID_PRODUCT_URL for anything else, including links to other hosts.
 */
export function parseProductInput(input: string): number {
  const trimmed = input.trim();
  if (/^\d+$/.test(trimmed)) return checkedId(trimmed, input);

  const url = parseUzumUrl(trimmed);
  if (!url) throw invalid(input, "Send an uzum.uz product link or a numeric product id.");

  const segments = url.pathname.split("/").filter(Boolean);
  const productAt = segments.indexOf("product");
  const localeOk = productAt === 0 || (productAt === 1 && ["ru", "uz"].includes(segments[0]));
  if (!localeOk || segments.length !== productAt + 2) {
    throw invalid(input, "The link must point to a product page: https://uzum.uz/uz/product/<name>-<id>.");
  }

  const slug = segments[productAt + 1];
  if (/^\d+$/.test(slug)) return checkedId(slug, input);

  const trailing = /-(\d+)$/.exec(slug);
  if (!trailing) throw invalid(input, "The product link has no id at the end of its name.");
  return checkedId(trailing[1], input);
}

function checkedId(digits: string, input: string): number {
  const id = Number(digits);
  if (id < 1 || id > maxProductId) throw invalid(input, "The product id is out of range.");
  return id;
}

function invalid(input: string, hint: string) {
  return badRequest("INVALID_PRODUCT_URL", { input: input.slice(0, 300), hint });
}
