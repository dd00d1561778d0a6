/**
 * A stand-in for the Uzum services a category scan calls, on 127.0.0.1: Uzum ID's anonymous
 * token, GraphQL (`getMakeSearch` listings and `productPage` banners), the REST product API and
 * storefront pages. Each part responds through a handler the test can replace.
 */
import { json, startStub, type RecordedRequest, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

export interface ListingRequest {
  categoryId: string | undefined;
  sort: string | undefined;
  offset: number;
  limit: number;
  withTree: boolean;
}

export interface UzumStubHandlers {
  listing: (request: ListingRequest) => Response | Promise<Response>;
  product: (productId: number) => Response | Promise<Response>;
  /** The weekly buyers the product page's banner shows, or null for a page without one. */
  weeklyBuyers: (productId: number) => number | null;
  page: (path: string) => Response | Promise<Response>;
}

export interface UzumStub extends StubServer {
  handlers: UzumStubHandlers;
  /** Environment for createTestApp that points every Uzum URL here. */
  env: Record<string, string>;
  listingRequests(): ListingRequest[];
  productRequests(): number[];
}

export function startUzumStub(overrides: Partial<UzumStubHandlers> = {}): UzumStub {
  const handlers: UzumStubHandlers = {
    listing: () => json({ data: { makeSearch: { total: 0, category: null, items: [] } } }),
    product: (productId) => json(wireProduct({ id: productId })),
    weeklyBuyers: () => null,
    page: () => new Response("not found", { status: 404 }),
    ...overrides,
  };

  const server = startStub((request) => route(handlers, request));
  return {
    ...server,
    handlers,
    env: {
      UZUM_API_URL: server.url,
      UZUM_GRAPHQL_URL: server.url,
      UZUM_ID_URL: `${server.url}/id`,
      UZUM_WEB_URL: server.url,
    },
    listingRequests: () => server.requests.filter(isListing).map(listingRequest),
    productRequests: () =>
      server.requests.flatMap((request) => {
        const match = /^\/api\/v2\/product\/(\d+)$/.exec(request.path);
        return match ? [Number(match[1])] : [];
      }),
  };
}

/** Wraps `makeSearch` fields in a GraphQL response. */
export function makeSearchAnswer(makeSearch: Record<string, unknown>): Response {
  return json({ data: { makeSearch } });
}

function route(handlers: UzumStubHandlers, request: RecordedRequest): Response | Promise<Response> {
  if (request.path === "/id/api/auth/token") {
    return new Response(null, { status: 200, headers: { "set-cookie": "access_token=stub-token; Path=/; HttpOnly" } });
  }
  if (request.path === "/" && request.method === "POST") {
    const body = JSON.parse(request.body) as { operationName?: string; variables?: { id?: number } };
    if (body.operationName === "getMakeSearch") return handlers.listing(listingRequest(request));
    if (body.operationName === "productPage") return productPageAnswer(handlers.weeklyBuyers(Number(body.variables?.id)));
    return json({ errors: [{ message: `unknown operation ${body.operationName}` }] }, 400);
  }

  const product = /^\/api\/v2\/product\/(\d+)$/.exec(request.path);
  if (product) return handlers.product(Number(product[1]));
  return handlers.page(request.path);
}

function productPageAnswer(weeklyBuyers: number | null): Response {
  const actions = weeklyBuyers === null ? [] : [{ __typename: "MotivationAction", type: "MOTIVATION", text: `Bu haftada ${weeklyBuyers} kishi sotib oldi` }];
  return json({ data: { productPage: { actions, __typename: "ProductPage" } } });
}

function isListing(request: RecordedRequest): boolean {
  return request.path === "/" && request.body.includes('"getMakeSearch"');
}

function listingRequest(request: RecordedRequest): ListingRequest {
  const body = JSON.parse(request.body) as {
    query: string;
    variables: { queryInput: { categoryId?: string; sort?: string; pagination: { offset: number; limit: number } } };
  };
  const input = body.variables.queryInput;
  return {
    categoryId: input.categoryId,
    sort: input.sort,
    offset: input.pagination.offset,
    limit: input.pagination.limit,
    withTree: body.query.includes("categoryTree"),
  };
}
