import type { CategoryLevel } from "../../db/schema";
import { AppError, UpstreamError } from "../../lib/errors";
import { HttpClient, HttpRequestError, type HttpAttemptEvent } from "../../lib/http-client";
import type { Logger } from "../../lib/logger";

/**
 * Uzum's REST product API, mapped to VENTRA's terms at this boundary: nothing past this
 * file sees `rOrdersAmount`, `purchasePrice` or `totalAvailableAmount`.
 */

export type StockType = "FBO" | "FBS";

export interface UzumSku {
  id: number;
  /** The SKU's option values, such as "Qora, XL"; null for a product with one SKU. */
  title: string | null;
  /** Price a buyer pays now (Uzum's `purchasePrice`), in so'm. */
  sellPriceSom: number | null;
  /** The crossed-out price (Uzum's `fullPrice`), in so'm. */
  fullPriceSom: number | null;
  /** This SKU's share of the product's stock. */
  stockUnits: number;
  stockType: StockType | null;
}

export interface UzumShop {
  id: number;
  title: string;
  link: string | null;
  rating: number | null;
  reviewsCount: number | null;
  ordersQuantity: number | null;
  isOfficial: boolean;
}

export interface UzumProduct {
  id: number;
  title: string;
  titleUz: string | null;
  titleRu: string | null;
  /** Root first, leaf last. */
  categoryPath: CategoryLevel[];
  rating: number | null;
  reviewsCount: number | null;
  /** Exact total orders (Uzum's `ordersAmount`, never the rounded `rOrdersAmount`). */
  ordersQuantity: number | null;
  /** Units in stock across all SKUs (Uzum's `totalAvailableAmount`). */
  stockUnits: number | null;
  /** The large ("800", high quality) URL of every photo, in Uzum's order. */
  photoUrls: string[];
  shop: UzumShop | null;
  skus: UzumSku[];
}

export interface UzumClientOptions {
  apiUrl: string;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrency: number;
  proxyUrl?: string;
  logger: Logger;
  baseDelayMs?: number;
  /** Called once per attempt, for metrics. */
  onAttempt?: (event: HttpAttemptEvent) => void;
}

export class UzumClient {
  private readonly http: HttpClient;

  constructor(private readonly options: UzumClientOptions) {
    this.http = new HttpClient({ ...options, name: "uzum-rest" });
  }

  /**
   * Fetches one product. Throws 404 PRODUCT_NOT_FOUND when Uzum has no such product,
   * 503 UZUM_UNAVAILABLE when Uzum cannot be reached, and 502 UZUM_UNAVAILABLE for an
   * response that is an error or cannot be read. Once `signal` aborts, the request under way is
   * dropped and no retry follows.
   */
  async fetchProduct(productId: number, options: { signal?: AbortSignal } = {}): Promise<UzumProduct> {
    const url = `${this.options.apiUrl}/api/v2/product/${productId}`;
    const answer = await this.http
      .request(url, { headers: { accept: "application/json", "accept-language": "uz-UZ" }, signal: options.signal })
      .catch((error: unknown) => {
        if (error instanceof HttpRequestError) {
          throw new UpstreamError(503, "UZUM_UNAVAILABLE", "uzum-rest", { reason: error.kind }, error.message);
        }
        throw error;
      });

    if (answer.status === 404) throw notFound(productId);
    if (answer.status !== 200) {
      throw new UpstreamError(502, "UZUM_UNAVAILABLE", "uzum-rest", { status: answer.status }, `Uzum returned HTTP ${answer.status} for ${url}`);
    }

    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw new UpstreamError(502, "UZUM_UNAVAILABLE", "uzum-rest", { reason: "invalid_json" }, `Uzum sent invalid JSON for ${url}`);
    }

    const data = (body as { payload?: { data?: unknown } } | null)?.payload?.data;
    if (data === null || data === undefined) throw notFound(productId);
    return mapProduct(data as WireProduct, productId);
  }
}

function notFound(productId: number): AppError {
  return new AppError(404, "PRODUCT_NOT_FOUND", { product_id: productId });
}

interface WireCategory {
  id: number;
  title: string;
  parent?: WireCategory | null;
}

interface WireProduct {
  id?: number;
  title?: string;
  localizableTitle?: { uz?: string; ru?: string };
  category?: WireCategory | null;
  rating?: number;
  reviewsAmount?: number;
  ordersAmount?: number;
  totalAvailableAmount?: number;
  photos?: Array<{ photo?: Record<string, { high?: string; low?: string }> }>;
  characteristics?: Array<{ title?: string; values?: Array<{ title?: string; value?: string }> }>;
  skuList?: Array<{
    id: number;
    availableAmount?: number;
    fullPrice?: number | null;
    purchasePrice?: number | null;
    characteristics?: Array<{ charIndex: number; valueIndex: number }>;
    stock?: { type?: string } | null;
  }>;
  seller?: {
    id: number;
    title?: string;
    link?: string;
    rating?: number;
    reviews?: number;
    orders?: number;
    official?: boolean;
  } | null;
}

function mapProduct(wire: WireProduct, requestedId: number): UzumProduct {
  if (typeof wire.id !== "number" || wire.id !== requestedId) {
    throw new UpstreamError(502, "UZUM_UNAVAILABLE", "uzum-rest", { reason: "unexpected_shape" }, `Uzum returned product ${String(wire.id)} instead of ${requestedId}`);
  }

  const titleUz = wire.localizableTitle?.uz?.trim() || null;
  const titleRu = wire.localizableTitle?.ru?.trim() || null;

  return {
    id: wire.id,
    title: titleUz ?? wire.title?.trim() ?? titleRu ?? `#${wire.id}`,
    titleUz,
    titleRu,
    categoryPath: categoryPathOf(wire.category),
    rating: numberOrNull(wire.rating),
    reviewsCount: integerOrNull(wire.reviewsAmount),
    ordersQuantity: integerOrNull(wire.ordersAmount),
    stockUnits: integerOrNull(wire.totalAvailableAmount),
    photoUrls: (wire.photos ?? [])
      .map((photo) => photo.photo?.["800"]?.high)
      .filter((url): url is string => typeof url === "string" && url.length > 0),
    shop: wire.seller
      ? {
          id: wire.seller.id,
          title: wire.seller.title?.trim() || `#${wire.seller.id}`,
          link: wire.seller.link ?? null,
          rating: numberOrNull(wire.seller.rating),
          reviewsCount: integerOrNull(wire.seller.reviews),
          ordersQuantity: integerOrNull(wire.seller.orders),
          isOfficial: wire.seller.official === true,
        }
      : null,
    skus: (wire.skuList ?? []).map((sku) => ({
      id: sku.id,
      title: skuTitle(sku.characteristics, wire.characteristics),
      sellPriceSom: integerOrNull(sku.purchasePrice),
      fullPriceSom: integerOrNull(sku.fullPrice),
      stockUnits: integerOrNull(sku.availableAmount) ?? 0,
      stockType: sku.stock?.type === "FBO" || sku.stock?.type === "FBS" ? sku.stock.type : null,
    })),
  };
}

/** Uzum nests the category leaf first through `parent`; we store the path root first. */
function categoryPathOf(category: WireCategory | null | undefined): CategoryLevel[] {
  const path: CategoryLevel[] = [];
  // The depth guard protects against a cyclic or absurdly deep category chain.
  for (let node = category; node && path.length < 20; node = node.parent) {
    path.unshift({ id: node.id, title: node.title });
  }
  return path;
}

function skuTitle(
  picked: Array<{ charIndex: number; valueIndex: number }> | undefined,
  characteristics: WireProduct["characteristics"],
): string | null {
  const values = (picked ?? [])
    .map((choice) => characteristics?.[choice.charIndex]?.values?.[choice.valueIndex]?.title?.trim())
    .filter((value): value is string => Boolean(value));
  return values.length > 0 ? values.join(", ") : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function integerOrNull(value: unknown): number | null {
  const number = numberOrNull(value);
  return number === null ? null : Math.round(number);
}
