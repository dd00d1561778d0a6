import type { CategoryLevel } from "../../db/schema";
import type { UzumGraphqlClient, UzumLocale } from "../uzum/graphql-client";

/**
 * Category listings from Uzum's storefront GraphQL `makeSearch`, sent through the product-page
 * client's token and web-client headers. The wire format stays in this file, so no code past it
 * reads `catalogCard` or `categoryTree`.
 */

/** Items Uzum's web client asks for per category page, and the page size this client uses. */
export const listingPageSize = 48;

/** One product card of a listing. */
export interface ListedProduct {
  productId: number;
  title: string | null;
}

/** One page of a category listing, in Uzum's order. */
export interface ListingPage {
  /** Products Uzum counts in the category; paging stops there. */
  total: number;
  /** The category's own title; null when Uzum did not name it. */
  categoryName: string | null;
  /** Root first, ending with the category; empty unless the page was asked for with the tree. */
  categoryPath: CategoryLevel[];
  /** Cards of this page. Uzum lists each SKU group as a card, so a product can appear more than once. */
  products: ListedProduct[];
}

export interface ListingPageOptions {
  offset: number;
  locale: UzumLocale;
  /** Asks for the category tree too, which is large (about 3,300 entries), so only the first page needs it. */
  withCategoryTree: boolean;
  signal?: AbortSignal;
}

// The operation name and input type are those of uzum.uz's own request, captured in February 2026.
// The selection is cut down to what a scan reads; `catalogCard` is an interface that every card type implements.
const selection = `
    total
    category { id title parent { id title } }
    items { catalogCard { __typename productId title } }`;
const treeSelection = `
    categoryTree { category { id title parent { id } } }`;

const pageQuery = `query getMakeSearch($queryInput: MakeSearchQueryInput!) {
  makeSearch(query: $queryInput) {${selection}
  }
}`;
const firstPageQuery = `query getMakeSearch($queryInput: MakeSearchQueryInput!) {
  makeSearch(query: $queryInput) {${selection}${treeSelection}
  }
}`;

export class CategoryListingClient {
  constructor(private readonly graphql: UzumGraphqlClient) {}

  /**
   * Fetches one page of a category sorted by orders, most first. Throws UpstreamError
   * (UZUM_UNAVAILABLE) when Uzum cannot be reached or returns no data.
   */
  async fetchPage(categoryId: number, options: ListingPageOptions): Promise<ListingPage> {
    const variables = {
      queryInput: {
        // NOTE: the captured web request sent `offerCategoryId: "-<id>"` and got an empty response.
        // `categoryId` is the field that public scrapers of makeSearch use for a category listing.
        categoryId: String(categoryId),
        showAdultContent: "NONE",
        filters: [],
        sort: "BY_ORDERS_NUMBER_DESC",
        pagination: { offset: options.offset, limit: listingPageSize },
        correctQuery: false,
        getFastCategories: false,
        getPromotionItems: false,
        getFastFacets: false,
        fastFacetsLimit: 0,
      },
    };
    const query = options.withCategoryTree ? firstPageQuery : pageQuery;
    const data = await this.graphql.query<{ makeSearch?: WireSearch | null }>("getMakeSearch", query, variables, {
      locale: options.locale,
      signal: options.signal,
    });
    return mapSearch(data.makeSearch ?? null, categoryId);
  }
}

interface WireCategory {
  id?: number | string;
  title?: string | null;
  parent?: { id?: number | string; title?: string | null } | null;
}

interface WireSearch {
  total?: number | null;
  category?: WireCategory | null;
  categoryTree?: Array<{ category?: WireCategory | null } | null> | null;
  items?: Array<{ catalogCard?: { productId?: number | string; title?: string | null } | null } | null> | null;
}

/** Maps a `makeSearch` result to a listing page. Exported for tests on recorded responses. */
export function mapSearch(search: WireSearch | null, categoryId: number): ListingPage {
  const products: ListedProduct[] = [];
  for (const item of search?.items ?? []) {
    const productId = positiveInteger(item?.catalogCard?.productId);
    if (productId === null) continue;
    products.push({ productId, title: item?.catalogCard?.title?.trim() || null });
  }

  const categoryName = search?.category?.title?.trim() || null;
  const tree = search?.categoryTree ?? [];
  const categoryPath = tree.length > 0 ? categoryPathFromTree(tree, categoryId) : [];
  return { total: positiveInteger(search?.total) ?? 0, categoryName, categoryPath, products };
}

/**
 * Walks a `categoryTree` from the category up to the top, and returns the path root first. The
 * top node (id 1, "Barcha toifalar" / "Все категории") has no parent and is left out, as in the
 * paths of the product API. Returns an empty path when the tree does not contain the category.
 */
export function categoryPathFromTree(tree: NonNullable<WireSearch["categoryTree"]>, categoryId: number): CategoryLevel[] {
  const nodes = new Map<number, { title: string; parentId: number | null }>();
  for (const entry of tree) {
    const id = positiveInteger(entry?.category?.id);
    if (id === null) continue;
    nodes.set(id, { title: entry?.category?.title?.trim() ?? "", parentId: positiveInteger(entry?.category?.parent?.id) });
  }

  const path: CategoryLevel[] = [];
  const visited = new Set<number>();
  // A node seen twice means the tree is cyclic, so the walk ends there.
  for (let id: number | null = categoryId; id !== null && !visited.has(id); ) {
    const node = nodes.get(id);
    if (!node || node.parentId === null) break;
    visited.add(id);
    path.unshift({ id, title: node.title });
    id = node.parentId;
  }
  return path;
}

function positiveInteger(value: unknown): number | null {
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number > 0 ? number : null;
}
