import { Elysia } from "elysia";
import { ConfigError, type Env } from "../config";

/** Origins whose pages may call the API from a browser: any, a list, or none. */
export type CorsConfig = { origins: "any" } | { origins: string[] };

/**
 * Reads CORS_ORIGINS: `*` (the default) for any origin, `off` for none, or a comma-separated list
 * of origins such as `https://uzum.uz,chrome-extension://abcdefghijklmnopabcdefghijklmnop`.
 */
export function readCorsConfig(env: Env): CorsConfig {
  const raw = env.CORS_ORIGINS?.trim();
  if (!raw || raw === "*") return { origins: "any" };
  if (raw.toLowerCase() === "off") return { origins: [] };

  const origins = raw.split(",").map((origin) => origin.trim().replace(/\/$/, "")).filter(Boolean);
  const invalid = origins.find((origin) => !/^[a-z][a-z0-9+.-]*:\/\/[^/\s?#]+$/i.test(origin));
  if (invalid !== undefined) {
    throw new ConfigError("CORS_ORIGINS", `expected *, off or origins such as https://uzum.uz separated by commas, got "${invalid}"`);
  }
  return { origins };
}

const allowedHeaders = "authorization, content-type, accept-language, x-request-id";
const exposedHeaders = "x-request-id, retry-after, allow";
const allowedMethods = "GET, POST, PUT, PATCH, DELETE";
/** How long a browser may reuse a preflight response, in seconds. */
const preflightMaxAgeSeconds = 600;

/**
 * Lets browser pages and extensions on the allowed origins call the API. The API takes bearer
 * tokens and sets no cookies, so a page on another origin gains nothing it could not send itself,
 * which makes `*` a safe default. A preflight (OPTIONS with Access-Control-Request-Method) gets
 * 204 at once, before any limit or token check.
 */
export function cors(config: CorsConfig) {
  const allows = (origin: string) => config.origins === "any" || config.origins.includes(origin);

  return new Elysia({ name: "cors" }).onRequest(({ request, set }) => {
    const origin = request.headers.get("origin");
    if (!origin || !allows(origin)) return;

    const allowOrigin = config.origins === "any" ? "*" : origin;
    if (request.method === "OPTIONS" && request.headers.has("access-control-request-method")) {
      const headers: Record<string, string> = {
        "access-control-allow-origin": allowOrigin,
        "access-control-allow-methods": allowedMethods,
        "access-control-allow-headers": allowedHeaders,
        "access-control-max-age": String(preflightMaxAgeSeconds),
      };
      if (allowOrigin !== "*") headers.vary = "Origin";
      return new Response(null, { status: 204, headers });
    }

    set.headers["access-control-allow-origin"] = allowOrigin;
    set.headers["access-control-expose-headers"] = exposedHeaders;
    if (allowOrigin !== "*") set.headers.vary = "Origin";
  });
}
