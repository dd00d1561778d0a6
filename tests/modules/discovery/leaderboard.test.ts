import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { makeSearchAnswer, startUzumStub, type UzumStub } from "./uzum-stub";

/** Weekly buyers of products 1 to 8 in the first scan: the higher the id, the fewer. */
const firstWeek: Record<number, number> = { 1: 99, 2: 98, 3: 97, 4: 96, 5: 95, 6: 20, 7: 10, 8: 5 };
/** The next day: 6 jumps to the top, 3 overtakes 2, 1 falls out of the top five, 4 and 5 keep their places. */
const secondWeek: Record<number, number> = { 1: 10, 2: 98, 3: 150, 4: 96, 5: 95, 6: 200, 7: 10, 8: 5 };

for (const kind of testDatabaseKinds()) {
  describe(`discovery leaderboards (${kind})`, () => {
    let stub: UzumStub;
    let app: TestApp;
    let seller: { token: string; accountId: string };
    let weekly = firstWeek;

    beforeEach(async () => {
      weekly = firstWeek;
      stub = startUzumStub({
        listing: ({ offset }) =>
          makeSearchAnswer({
            total: 8,
            category: { id: 10091, title: "Makiyaj", parent: { id: 10012, title: "Go'zallik" } },
            categoryTree: [
              { category: { id: 1, title: "Barcha toifalar", parent: null } },
              { category: { id: 10012, title: "Go'zallik", parent: { id: 1 } } },
              { category: { id: 10091, title: "Makiyaj", parent: { id: 10012 } } },
            ],
            items: offset === 0 ? Array.from({ length: 8 }, (_, i) => ({ catalogCard: { productId: i + 1 } })) : [],
          }),
        weeklyBuyers: (productId) => weekly[productId] ?? null,
      });
      app = await createTestApp({ kind, env: { ...stub.env, DISCOVERY_RATE_PER_SECOND: "0", DISCOVERY_WINNERS: "5", CHROMIUM_PATH: "/nonexistent/chromium" } });
      seller = await app.signUp();
      // The first test of a process also builds the migrated PGlite image, which is slow on a busy machine.
    }, 60_000);

    afterEach(async () => {
      await app.close();
      await stub.stop();
    });

    async function scan(token: string, input = "https://uzum.uz/uz/category/makiyaj--10091"): Promise<string> {
      const created = await app.request("POST", "/api/v1/discovery/runs", { token, body: { input } });
      expect(created.status).toBe(202);
      expect(await app.services.discoveryWorker.processNext()).toBe(true);
      return created.body.id;
    }

    /** Moves to the next Tashkent day, because a second scan on the same day keeps the day's banner reading. */
    function nextDay() {
      // 13 hours after 12:00 in Tashkent is 01:00 the next day, and the test tokens stay valid for 24 hours.
      app.clock.advance(13 * 60 * 60 * 1000);
      weekly = secondWeek;
    }

    test("shows rank changes against the previous scan", async () => {
      const firstRun = await scan(seller.token);
      nextDay();
      const secondRun = await scan(seller.token);

      const board = await app.request("GET", "/api/v1/discovery/leaderboard?category_id=10091", { token: seller.token });

      expect(board.status).toBe(200);
      expect(board.body.run_id).toBe(secondRun);
      expect(board.body.previous_run_id).toBe(firstRun);
      expect(board.body.category_name).toBe("Makiyaj");
      expect(board.body.category_path).toEqual([
        { id: 10012, title: "Go'zallik" },
        { id: 10091, title: "Makiyaj" },
      ]);
      const changes = board.body.winners.map((winner: { product_id: number; rank_change: string; previous_rank: number | null }) => [
        winner.product_id,
        winner.rank_change,
        winner.previous_rank,
      ]);
      expect(changes).toEqual([
        [6, "new", null],
        [3, "up", 3],
        [2, "down", 2],
        [4, "same", 4],
        [5, "same", 5],
      ]);
    });

    test("marks every winner new on a first scan", async () => {
      await scan(seller.token);

      const board = await app.request("GET", "/api/v1/discovery/leaderboard?category_id=https://uzum.uz/ru/category/makiyazh--10091", { token: seller.token });

      expect(board.body.previous_run_id).toBeNull();
      expect(board.body.winners.map((winner: { product_id: number }) => winner.product_id)).toEqual([1, 2, 3, 4, 5]);
      expect(new Set(board.body.winners.map((winner: { rank_change: string }) => winner.rank_change))).toEqual(new Set(["new"]));
    });

    test("keeps each account's leaderboard apart", async () => {
      const other = await app.signUp();
      const sellerRun = await scan(seller.token);
      nextDay();
      await scan(other.token);

      const board = await app.request("GET", "/api/v1/discovery/leaderboard?category_id=10091", { token: seller.token });

      expect(board.body.run_id).toBe(sellerRun);
      expect(board.body.winners[0].product_id).toBe(1);
    });

    test("returns 404 without a finished scan", async () => {
      const response = await app.request("GET", "/api/v1/discovery/leaderboard?category_id=10091", { token: seller.token });

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("NO_FINISHED_RUN");
    });

    test("rejects an invalid category", async () => {
      const response = await app.request("GET", "/api/v1/discovery/leaderboard?category_id=makiyaj", { token: seller.token });

      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_CATEGORY");
    });

    test("serves the newest scan publicly without account data", async () => {
      expect((await app.request("GET", "/api/v1/discovery/leaderboard/public")).status).toBe(404);
      await scan(seller.token);
      nextDay();
      const other = await app.signUp();
      const otherRun = await scan(other.token);

      const board = await app.request("GET", "/api/v1/discovery/leaderboard/public");

      expect(board.status).toBe(200);
      expect(board.body.category_id).toBe(10091);
      expect(board.body.winners.map((winner: { product_id: number }) => winner.product_id)).toEqual([6, 3, 2, 4, 5]);
      expect(board.body.winners[1]).toMatchObject({ rank_change: "up", previous_rank: 3 });
      const text = JSON.stringify(board.body);
      for (const secret of [otherRun, other.accountId, seller.accountId]) expect(text).not.toContain(secret);
      expect(Object.keys(board.body).sort()).toEqual(["category_id", "category_name", "category_path", "finished_at", "winners"]);
    });

    test("serves one category publicly on request", async () => {
      await scan(seller.token);
      nextDay();
      await scan(seller.token, "10020");

      const newest = await app.request("GET", "/api/v1/discovery/leaderboard/public");
      const chosen = await app.request("GET", "/api/v1/discovery/leaderboard/public?category_id=https://uzum.uz/uz/category/makiyaj--10091");
      const unscanned = await app.request("GET", "/api/v1/discovery/leaderboard/public?category_id=999");
      const invalid = await app.request("GET", "/api/v1/discovery/leaderboard/public?category_id=abc");

      expect(newest.body.category_id).toBe(10020);
      expect(chosen.status).toBe(200);
      expect(chosen.body.category_id).toBe(10091);
      expect(unscanned.status).toBe(404);
      expect(unscanned.body.error.code).toBe("NO_FINISHED_RUN");
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.code).toBe("INVALID_CATEGORY");
    });
  });
}
