import { startStub, type StubServer } from "./stub-server";

export interface SentryStub {
  server: StubServer;
  /** DSN whose host is the stub, for project 42. */
  dsn: string;
  /** The JSON items of every envelope received, headers and event payloads alike. */
  items(): Array<Record<string, any>>;
  /** Resolves with the event items once at least `count` have arrived, or with what arrived in `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<Array<Record<string, any>>>;
}

/** Starts a fake Sentry ingest endpoint on 127.0.0.1 that accepts envelopes. */
export function startSentryStub(): SentryStub {
  const server = startStub(() => new Response("{}", { headers: { "content-type": "application/json" } }));
  const port = new URL(server.url).port;
  const items = () =>
    server.requests
      .filter((request) => request.path === "/api/42/envelope/")
      .flatMap((request) => request.body.split("\n"))
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, any>);

  return {
    server,
    dsn: `http://publickey@127.0.0.1:${port}/42`,
    items,
    async waitForEvents(count, timeoutMs = 10_000) {
      // The SDK sends in the background, so an envelope can still be arriving when the caller looks.
      const deadline = Date.now() + timeoutMs;
      let events = items().filter((item) => item.exception);
      while (events.length < count && Date.now() < deadline) {
        await Bun.sleep(20);
        events = items().filter((item) => item.exception);
      }
      return events;
    },
  };
}
