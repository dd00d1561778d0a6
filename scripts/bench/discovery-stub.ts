/**
 * A stand-in for the Uzum services a category scan calls, for benchmarks: Uzum ID's token,
 * GraphQL `getMakeSearch` (category 1 has 48 products for a warm-up, any other `--products`) and
 * `productPage` (a weekly banner), and the REST product API. Every response waits `--delay-ms` first. `GET /__counts`
 * returns the requests served so far by kind. Prints its URL on the first line of stdout.
 */
import { parseArgs } from "node:util";
import { wireProduct } from "../../tests/helpers/uzum-wire";

const { values } = parseArgs({
  options: { "delay-ms": { type: "string", default: "50" }, products: { type: "string", default: "500" } },
});
const delayMs = Number(values["delay-ms"]);
const productCount = Number(values.products);
const counts: Record<string, number> = { token: 0, listing: 0, productPage: 0, product: 0, other: 0 };

/** Category ids map to disjoint product ranges, so a warm-up scan shares nothing with the measured one. */
const firstProductId = (categoryId: number) => categoryId * 100_000;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/__counts") return Response.json(counts);
    const kind = await classify(request, path);
    counts[kind.name] += 1;
    if (delayMs > 0) await Bun.sleep(delayMs);
    return kind.respond();
  },
});

async function classify(request: Request, path: string): Promise<{ name: string; respond: () => Response }> {
  if (path === "/id/api/auth/token") {
    return { name: "token", respond: () => new Response(null, { headers: { "set-cookie": "access_token=bench; Path=/" } }) };
  }

  const product = /^\/api\/v2\/product\/(\d+)$/.exec(path);
  if (product) {
    const id = Number(product[1]);
    return { name: "product", respond: () => Response.json(wireProduct({ id, orders: 100 + (id % 1000), shopId: 1000 + (id % 50) })) };
  }

  if (path === "/" && request.method === "POST") {
    const body = (await request.json()) as { operationName: string; variables: any };
    if (body.operationName === "productPage") {
      const text = `Bu haftada ${body.variables.id % 300} kishi sotib oldi`;
      return { name: "productPage", respond: () => Response.json({ data: { productPage: { actions: [{ __typename: "MotivationAction", text }] } } }) };
    }
    if (body.operationName === "getMakeSearch") {
      const input = body.variables.queryInput;
      const first = firstProductId(Number(input.categoryId));
      const { offset, limit } = input.pagination;
      const total = input.categoryId === "1" ? 48 : productCount;
      const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({
        catalogCard: { __typename: "SkuGroupCard", productId: first + offset + i, title: `Mahsulot ${offset + i}` },
      }));
      const makeSearch = { total, category: { id: Number(input.categoryId), title: "Bench" }, items };
      return { name: "listing", respond: () => Response.json({ data: { makeSearch } }) };
    }
  }
  return { name: "other", respond: () => new Response("not found", { status: 404 }) };
}

console.log(`http://127.0.0.1:${server.port}`);
