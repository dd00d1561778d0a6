import type { Server } from "bun";

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: string;
}

export interface StubServer {
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 with a random port that records every request
 * and answers with `handler`. Tests point the service's upstream URLs at it.
 */
export function startStub(handler: (request: RecordedRequest) => Response | Promise<Response>): StubServer {
  const requests: RecordedRequest[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const recorded = {
        method: request.method,
        path: url.pathname,
        search: url.search,
        headers: request.headers,
        body: await request.text(),
      };
      requests.push(recorded);
      return handler(recorded);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    stop: () => server.stop(true),
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
