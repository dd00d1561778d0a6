import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`, for PROXY_URL. */
  url: string;
  /** Absolute URLs of the requests it forwarded, in order. */
  forwarded: string[];
  stop(): Promise<void>;
}

/** Header the proxy adds to every request it forwards, so the upstream stub can tell proxied requests apart. */
export const proxiedHeader = "x-forwarded-by-test-proxy";

/**
 * Starts an HTTP forward proxy on 127.0.0.1 for plain-http targets: it takes requests in
 * absolute form (`GET http://host/path`), records them, and forwards them with `proxiedHeader`.
 * It forwards only to loopback addresses and responds 403 to any other host.
 */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const forwarded: string[] = [];

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const target = new URL(request.url ?? "");
    if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") {
      response.writeHead(403).end("only loopback targets");
      return;
    }
    forwarded.push(target.toString());

    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string" && !["host", "connection", "proxy-connection"].includes(name)) headers.set(name, value);
    }
    headers.set(proxiedHeader, "1");

    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const outgoing: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (name !== "content-encoding" && name !== "content-length" && name !== "transfer-encoding") outgoing[name] = value;
    });
    response.writeHead(upstream.status, outgoing).end(Buffer.from(await upstream.arrayBuffer()));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
