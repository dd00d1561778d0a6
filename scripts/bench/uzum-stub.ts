/**
 * A stand-in for Uzum's REST product API for benchmarks: answers every
 * `GET /api/v2/product/{id}` with a generated product after `--delay-ms` (default 0).
 * Prints its URL on the first line of stdout.
 */
import { parseArgs } from "node:util";
import { wireProduct } from "../../tests/helpers/uzum-wire";

const { values } = parseArgs({ options: { "delay-ms": { type: "string", default: "0" } } });
const delayMs = Number(values["delay-ms"]);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const match = /^\/api\/v2\/product\/(\d+)$/.exec(new URL(request.url).pathname);
    if (!match) return new Response("not found", { status: 404 });
    if (delayMs > 0) await Bun.sleep(delayMs);

    const id = Number(match[1]);
    const skus = [
      { id: id * 10 + 1, price: 100_000 + (id % 97) * 1000, fullPrice: 150_000, stock: id % 7, type: "FBO" as const },
      { id: id * 10 + 2, price: 120_000, stock: 3, type: "FBS" as const },
    ];
    return Response.json(wireProduct({ id, orders: 100 + (id % 1000), skus, shopId: 1000 + (id % 50) }));
  },
});

console.log(`http://127.0.0.1:${server.port}`);
