import { afterEach, describe, expect, test } from "bun:test";
import { UpstreamError } from "../../../src/lib/errors";
import { createLogger } from "../../../src/lib/logger";
import { FakeClock } from "../../../src/lib/time";
import { CategoryListingClient, categoryPathFromTree, mapSearch } from "../../../src/modules/discovery/listing-client";
import { UzumGraphqlClient } from "../../../src/modules/uzum/graphql-client";
import { readSharedJson, skipWithoutSharedFixtures } from "../../helpers/fixtures";
import { json } from "../../helpers/stub-server";
import { makeSearchAnswer, startUzumStub, type UzumStub } from "./uzum-stub";

const noSharedFixtures = skipWithoutSharedFixtures("category listing on recorded makeSearch answers");

type MakeSearch = { makeSearch: Record<string, any> };
const treeUz = () => readSharedJson<{ data: MakeSearch }>("graphql-makesearch-categorytree-10020.uz.json").data.makeSearch;
const treeRu = () => readSharedJson<{ data: MakeSearch }>("graphql-makesearch-categorytree-root.ru.json").data.makeSearch;
const items48 = () => readSharedJson<{ items: unknown[] }>("graphql-makesearch-items-48.uz.json").items;

describe("mapSearch", () => {
  // Reads ../shared/fixtures/uzum/graphql-makesearch-items-48.uz.json: 48 real cards, some of them SKU groups of one product.
  test.skipIf(noSharedFixtures)("reads every card of the recorded page", () => {
    const page = mapSearch({ total: 36750, items: items48() as never }, 10020);

    expect(page.products).toHaveLength(48);
    expect(page.products[0]).toEqual({ productId: 580907, title: "Lazer proyektor Changhong B7U 4K" });
    expect(new Set(page.products.map((product) => product.productId)).size).toBe(45);
    expect(page.total).toBe(36750);
  });

  // Reads ../shared/fixtures/uzum/graphql-makesearch-categorytree-10020.uz.json, the response for category 10020.
  test.skipIf(noSharedFixtures)("names the category and its path from the tree", () => {
    const page = mapSearch(treeUz() as never, 10020);

    expect(page.categoryName).toBe("Elektronika");
    expect(page.categoryPath).toEqual([{ id: 10020, title: "Elektronika" }]);
    expect(page.total).toBe(36750);
    expect(page.products).toEqual([]);
  });

  test("skips cards without a usable product id", () => {
    const page = mapSearch(
      { total: 3, items: [{ catalogCard: { productId: 5, title: " A " } }, { catalogCard: { productId: -1 } }, { catalogCard: null }, null, { catalogCard: { productId: "7" } }] },
      1,
    );
    expect(page.products).toEqual([
      { productId: 5, title: "A" },
      { productId: 7, title: null },
    ]);
  });

  test("reads a missing answer as an empty page", () => {
    expect(mapSearch(null, 10091)).toEqual({ total: 0, categoryName: null, categoryPath: [], products: [] });
  });
});

describe("categoryPathFromTree", () => {
  // Reads the two recorded category trees, in Uzbek and in Russian.
  test.skipIf(noSharedFixtures)("walks a nested category up to below the top", () => {
    expect(categoryPathFromTree(treeUz().categoryTree, 10091)).toEqual([
      { id: 10012, title: "Go'zallik" },
      { id: 10091, title: "Makiyaj" },
    ]);
    expect(categoryPathFromTree(treeRu().categoryTree, 10091)).toEqual([
      { id: 10012, title: "Красота" },
      { id: 10091, title: "Макияж" },
    ]);
  });

  test("stops at a cycle", () => {
    const tree = [
      { category: { id: 2, title: "B", parent: { id: 3 } } },
      { category: { id: 3, title: "C", parent: { id: 2 } } },
    ];
    expect(categoryPathFromTree(tree, 2)).toEqual([
      { id: 3, title: "C" },
      { id: 2, title: "B" },
    ]);
  });

  test("is empty for a category the tree lacks", () => {
    expect(categoryPathFromTree([{ category: { id: 2, title: "B", parent: { id: 1 } } }], 99)).toEqual([]);
  });
});

describe("CategoryListingClient", () => {
  let stub: UzumStub;
  afterEach(() => stub?.stop());

  function newClient() {
    const graphql = new UzumGraphqlClient({
      graphqlUrl: stub.url,
      idUrl: `${stub.url}/id`,
      webUrl: "https://uzum.uz",
      timeoutMs: 2_000,
      maxRetries: 0,
      maxConcurrency: 4,
      logger: createLogger("silent"),
      clock: new FakeClock("2026-12-04T07:00:00Z"),
    });
    return new CategoryListingClient(graphql);
  }

  test("asks for the category sorted by orders", async () => {
    stub = startUzumStub({ listing: () => makeSearchAnswer({ total: 1, category: { id: 10091, title: "Makiyaj" }, items: [{ catalogCard: { productId: 9 } }] }) });

    const page = await newClient().fetchPage(10091, { offset: 96, locale: "ru", withCategoryTree: false });

    expect(page.products).toEqual([{ productId: 9, title: null }]);
    expect(stub.listingRequests()).toEqual([{ categoryId: "10091", sort: "BY_ORDERS_NUMBER_DESC", offset: 96, limit: 48, withTree: false }]);
    const sent = stub.requests.find((request) => request.path === "/")!;
    expect(sent.headers.get("authorization")).toBe("Bearer stub-token");
    expect(sent.headers.get("apollographql-client-name")).toBe("web-customers");
    expect(sent.headers.get("accept-language")).toStartWith("ru");
  });

  test("asks for the tree on request", async () => {
    stub = startUzumStub({ listing: () => makeSearchAnswer({ total: 0, items: [] }) });
    await newClient().fetchPage(10091, { offset: 0, locale: "uz", withCategoryTree: true });
    expect(stub.listingRequests()[0].withTree).toBe(true);
  });

  test("throws UpstreamError on an error answer", async () => {
    stub = startUzumStub({ listing: () => json({ errors: [{ message: "too big query offset" }] }) });

    const failure = newClient().fetchPage(10091, { offset: 9600, locale: "uz", withCategoryTree: false });

    await expect(failure).rejects.toBeInstanceOf(UpstreamError);
    await expect(failure).rejects.toThrow(/too big query offset/);
  });
});
