import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createBotTestApp, type BotTestApp } from "../../helpers/bot";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

// The wait is about timing around one webhook request; the database kind plays no part, so PGlite alone covers it.
describe("webhook with a slow handler", () => {
  let uzum: StubServer;
  let app: BotTestApp;
  let releaseProduct!: () => void;
  const productHeld = new Promise<void>((resolve) => (releaseProduct = resolve));

  beforeAll(async () => {
    uzum = startStub(async (request) => {
      const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
      await productHeld;
      return json(wireProduct({ id }));
    });
    app = await createBotTestApp({
      kind: "pglite",
      env: { UZUM_API_URL: uzum.url, UZUM_MAX_RETRIES: "0", WEEKLY_BUYERS_BUDGET_MS: "0", TELEGRAM_WEBHOOK_WAIT_MS: "100" },
    });
  }, 60_000);

  afterAll(async () => {
    releaseProduct();
    await app?.close();
    await uzum?.stop();
  });

  test("responds before the handler ends, which then replies", async () => {
    const chatId = 9_101;
    await app.linkedSeller(chatId);
    app.telegram.clear();

    // The Uzum stub delays the product, so the handler is still waiting when the webhook responds.
    const response = await app.send(chatId, "/analyze 4101");
    expect(response.status).toBe(200);
    expect(app.telegram.callsOf("sendMessage")).toEqual([]);

    releaseProduct();
    // stop() waits for handlers still running, so the reply has been sent once it resolves.
    await app.services.bot.stop();
    const [card] = app.telegram.textsTo(chatId);
    expect(card).toContain("4101");
  });
});
