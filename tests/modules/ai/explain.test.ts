import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { and, eq, sum } from "drizzle-orm";
import { aiUsage } from "../../../src/db/schema";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

type ProviderMode = "ok" | "error" | "invalid_json" | "slow" | "delayed";
let providerMode: ProviderMode = "ok";

const sellerEmail = "ai-seller@example.uz";
const providerText = "Ball asosan haftalik xaridorlardan keladi.";

for (const kind of testDatabaseKinds()) {
  describe(`AI explanations (${kind})`, () => {
    let uzum: StubServer;
    let provider: StubServer;
    let app: TestApp;
    let seller: Awaited<ReturnType<TestApp["signUp"]>>;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        if (!id) return json({ errors: ["not found"] }, 404);
        return json(wireProduct({ id, orders: 5400, rating: 4.8, skus: [{ id: id * 10, price: 150_000, stock: 40, type: "FBO" }] }));
      });
      provider = startStub(async () => {
        if (providerMode === "error") return json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, 529);
        if (providerMode === "invalid_json") return new Response("<html>bad gateway</html>", { status: 200 });
        if (providerMode === "slow") await Bun.sleep(1500);
        // Long enough for concurrent requests to overlap, short of AI_TIMEOUT_MS.
        if (providerMode === "delayed") await Bun.sleep(100);
        return json({
          id: "msg_test",
          type: "message",
          role: "assistant",
          model: "claude-haiku-4-5-20251001",
          content: [{ type: "text", text: providerText }],
          stop_reason: "end_turn",
          usage: { input_tokens: 1200, output_tokens: 300 },
        });
      });
      app = await createTestApp({
        kind,
        env: {
          UZUM_API_URL: uzum.url,
          ANTHROPIC_API_KEY: "test-key-not-a-secret",
          ANTHROPIC_API_URL: provider.url,
          AI_TIMEOUT_MS: "300",
          AI_MAX_RETRIES: "0",
        },
      });
      seller = await app.signUp(sellerEmail);
      for (const productId of [501, 502, 503]) {
        const analysed = await app.request("POST", "/api/v1/uzum/analyze", { token: seller.token, body: { url: String(productId) } });
        expect(analysed.status).toBe(200);
      }
    });

    afterAll(async () => {
      await app.close();
      await uzum.stop();
      await provider.stop();
    });

    beforeEach(() => {
      providerMode = "ok";
      provider.requests.length = 0;
    });

    const explain = (productId: number, options: { language?: string; headers?: Record<string, string> } = {}) =>
      app.request("POST", `/api/v1/ai/explain/${productId}`, {
        token: seller.token,
        body: options.language ? { language: options.language } : {},
        headers: options.headers,
      });

    test("sends the stored figures to the Messages API", async () => {
      const response = await explain(501, { language: "ru" });
      expect(response.status).toBe(200);
      expect(response.body.source).toBe("anthropic");
      expect(response.body.language).toBe("ru");
      expect(response.body.text).toBe(providerText);
      expect(response.body.cached).toBe(false);

      expect(provider.requests).toHaveLength(1);
      const sent = provider.requests[0];
      expect(sent.method).toBe("POST");
      expect(sent.path).toBe("/v1/messages");
      expect(sent.headers.get("x-api-key")).toBe("test-key-not-a-secret");
      expect(sent.headers.get("anthropic-version")).toBe("2023-06-01");

      const body = JSON.parse(sent.body);
      expect(body.model).toBe("claude-haiku-4-5");
      expect(body.max_tokens).toBe(400);
      expect(body.system).toContain("Russian");
      const stored = (await app.request("GET", "/api/v1/products/501", { token: seller.token })).body;
      const figures = JSON.parse(body.messages[0].content);
      expect(body.messages[0].role).toBe("user");
      expect(figures.score).toBe(stored.score);
      expect(figures.weighted_terms).toEqual(stored.score_details.components);
      expect(figures.total_orders).toBe(5400);
    });

    test("serves the same day from the cache", async () => {
      await explain(502, { language: "en" });
      const again = await explain(502, { language: "en" });
      expect(again.status).toBe(200);
      expect(again.body.cached).toBe(true);
      expect(again.body.text).toBe(providerText);
      expect(provider.requests).toHaveLength(1);

      const usage = await app.database.db.select().from(aiUsage).where(eq(aiUsage.productId, 502));
      expect(usage.map((row) => row.source).sort()).toEqual(["anthropic", "cache"]);
      const paid = usage.find((row) => row.source === "anthropic")!;
      expect(paid.accountId).toBe(seller.accountId);
      expect(paid.inputTokens).toBe(1200);
      expect(paid.outputTokens).toBe(300);
      expect(Number(paid.costUsd)).toBeCloseTo(0.0027, 6);
    });

    test("answers in the Accept-Language language", async () => {
      const response = await explain(501, { headers: { "accept-language": "en-US,en;q=0.9" } });
      expect(response.status).toBe(200);
      expect(response.body.language).toBe("en");
      expect(JSON.parse(provider.requests[0].body).system).toContain("English");
    });

    test("accepts a request without a body", async () => {
      const response = await app.request("POST", "/api/v1/ai/explain/501", { token: seller.token, headers: { "accept-language": "ru" } });
      expect(response.status).toBe(200);
      expect(response.body.language).toBe("ru");
    });

    test("maps provider failures to 502 AI_UNAVAILABLE", async () => {
      for (const mode of ["error", "invalid_json", "slow"] as const) {
        providerMode = mode;
        const response = await explain(503, { language: "uz" });
        expect(`${mode} ${response.status}`).toBe(`${mode} 502`);
        expect(response.body.error.code).toBe("AI_UNAVAILABLE");
      }

      const failures = await app.database.db.select().from(aiUsage).where(eq(aiUsage.productId, 503));
      expect(failures).toHaveLength(3);
      expect(failures.every((row) => row.outcome === "error" && Number(row.costUsd) === 0)).toBe(true);

      providerMode = "ok";
      const recovered = await explain(503, { language: "uz" });
      expect(recovered.status).toBe(200);
      expect(recovered.body.cached).toBe(false);
    });

    test("explains from components when AI is off", async () => {
      await app.services.settings.set("ai.enabled", false, seller.userId);
      const response = await explain(502, { language: "uz" });
      await app.services.settings.set("ai.enabled", true, seller.userId);

      expect(response.status).toBe(200);
      expect(response.body.source).toBe("rules");
      expect(response.body.model).toBeNull();
      expect(response.body.text).toContain(`Ball: ${response.body.score.toFixed(2)}`);
      expect(provider.requests).toHaveLength(0);
    });

    test("stops provider calls over the monthly budget", async () => {
      await app.services.settings.set("ai.monthly_budget_usd", 0.001, seller.userId);
      const refused = await explain(503, { language: "ru" });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("AI_BUDGET_EXCEEDED");
      const retryAfterSeconds = Number(refused.headers.get("retry-after"));
      // 2026-12-04 12:00 Tashkent to 2027-01-01 00:00 Tashkent.
      expect(retryAfterSeconds).toBe((27 * 24 + 12) * 3600);
      expect(provider.requests).toHaveLength(0);

      const cached = await explain(502, { language: "en" });
      expect(cached.status).toBe(200);

      // 2027-01-01 00:00 in Tashkent; the old access token has expired by then, so sign in again.
      app.clock.set("2026-12-31T19:00:00Z");
      const login = await app.request("POST", "/api/v1/auth/login", { body: { email: sellerEmail, password: "Kuchli-parol-2026" } });
      const nextMonth = await app.request("POST", "/api/v1/ai/explain/503", { token: login.body.access_token, body: { language: "ru" } });
      app.clock.set("2026-12-04T07:00:00Z");
      await app.services.settings.set("ai.monthly_budget_usd", 5, seller.userId);
      expect(nextMonth.status).toBe(200);
    });

    test("concurrent calls stop at the budget", async () => {
      for (const productId of [504, 505, 506]) {
        expect((await app.request("POST", "/api/v1/uzum/analyze", { token: seller.token, body: { url: String(productId) } })).status).toBe(200);
      }
      const [spent] = await app.database.db.select({ total: sum(aiUsage.costUsd) }).from(aiUsage).where(eq(aiUsage.accountId, seller.accountId));
      // Room for one more call and no second one.
      await app.services.settings.set("ai.monthly_budget_usd", Number(spent.total ?? 0) + 0.000001, seller.userId);
      providerMode = "delayed";

      const responses = await Promise.all([504, 505, 506].map((productId) => explain(productId, { language: "uz" })));
      await app.services.settings.set("ai.monthly_budget_usd", 5, seller.userId);

      expect(responses.map((response) => response.status).toSorted()).toEqual([200, 429, 429]);
      expect(provider.requests).toHaveLength(1);
      const pending = await app.database.db.select().from(aiUsage).where(and(eq(aiUsage.accountId, seller.accountId), eq(aiUsage.outcome, "pending")));
      expect(pending).toEqual([]);
    });

    test("rejects a product never analysed", async () => {
      const response = await explain(999_999);
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("PRODUCT_NOT_ANALYZED");
    });
  });
}
