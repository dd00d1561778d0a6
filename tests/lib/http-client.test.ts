import { afterEach, describe, expect, test } from "bun:test";
import { HttpClient, HttpRequestError } from "../../src/lib/http-client";
import { createLogger } from "../../src/lib/logger";
import { startStub, type StubServer } from "../helpers/stub-server";

let stub: StubServer | undefined;

afterEach(async () => {
  await stub?.stop();
  stub = undefined;
});

function client(maxRetries: number) {
  return new HttpClient({ name: "test", timeoutMs: 5_000, maxRetries, maxConcurrency: 4, logger: createLogger("silent"), baseDelayMs: 1 });
}

describe("HttpClient", () => {
  test("retries a 500 up to maxRetries", async () => {
    stub = startStub(() => new Response("down", { status: 500 }));

    const answer = await client(2).request(`${stub.url}/x`);

    expect(answer.status).toBe(500);
    expect(stub.requests.length).toBe(3);
  });

  test("per-request maxRetries overrides the client's", async () => {
    stub = startStub(() => new Response("down", { status: 500 }));

    await client(3).request(`${stub.url}/x`, {}, { maxRetries: 0 });

    expect(stub.requests.length).toBe(1);
  });

  test("aborted signal stops the retries", async () => {
    const controller = new AbortController();
    stub = startStub(() => new Response("down", { status: 503 }));
    const http = new HttpClient({
      name: "test",
      timeoutMs: 5_000,
      maxRetries: 5,
      maxConcurrency: 4,
      logger: createLogger("silent"),
      baseDelayMs: 1,
      onAttempt: () => controller.abort(),
    });

    const answer = await http.request(`${stub.url}/x`, { signal: controller.signal });

    expect(answer.status).toBe(503);
    expect(stub.requests.length).toBe(1);
  });

  test("signal aborted before sending fails once", async () => {
    stub = startStub(() => new Response("ok"));

    const failure = await client(5)
      .request(`${stub.url}/x`, { signal: AbortSignal.abort() })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(HttpRequestError);
    expect((failure as HttpRequestError).attempts).toBe(1);
    expect(stub.requests.length).toBe(0);
  });
});
