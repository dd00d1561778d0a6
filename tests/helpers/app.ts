import { loadConfig } from "../../src/config";
import { createApp, createServices, type Services } from "../../src/app";
import type { DatabaseHandle } from "../../src/db/client";
import { createLogger } from "../../src/lib/logger";
import { FakeClock } from "../../src/lib/time";
import { openTestDatabase, type DatabaseKind } from "./database";

export interface TestAppOptions {
  kind: DatabaseKind;
  clock?: FakeClock;
  env?: Record<string, string>;
}

export interface TestApp {
  database: DatabaseHandle;
  clock: FakeClock;
  services: Services;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /** Registers a new account and returns its user's access token. */
  signUp(email?: string): Promise<{ token: string; refreshToken: string; accountId: string; userId: string }>;
  close(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
}

let userCounter = 0;

/** The whole application on a fresh test database, called through `app.handle` with no server. */
export async function createTestApp(options: TestAppOptions): Promise<TestApp> {
  const database = await openTestDatabase(options.kind);
  const clock = options.clock ?? new FakeClock("2026-12-04T07:00:00Z");
  const config = loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-signing",
    UZUM_API_URL: "http://127.0.0.1:9",
    UZUM_GRAPHQL_URL: "http://127.0.0.1:9",
    UZUM_WEB_URL: "http://127.0.0.1:9",
    UZUM_ID_URL: "http://127.0.0.1:9",
    UZUM_MAX_RETRIES: "1",
    // Tests move the fake clock by hours; a day-long token keeps the signed-in user valid meanwhile.
    ACCESS_TOKEN_TTL_SECONDS: "86400",
    UZUM_TIMEOUT_MS: "2000",
    // Every request of a test comes from one address and one fake minute; rate-limit tests set their own limits.
    RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    RATE_LIMIT_LOGIN_PER_15_MINUTES: "10000",
    RATE_LIMIT_ANALYZE_PER_MINUTE: "100000",
    RATE_LIMIT_WEEKLY_BUYERS_REFRESH_PER_HOUR: "100000",
    RATE_LIMIT_DISCOVERY_RUNS_PER_HOUR: "100000",
    RATE_LIMIT_AI_EXPLAIN_PER_HOUR: "100000",
    ...options.env,
  });
  const deps = { config, database, clock, logger: createLogger("silent") };
  const services = createServices(deps);
  const app = createApp(deps, services);

  const request = async (method: string, path: string, requestOptions: RequestOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { ...requestOptions.headers };
    let body: string | undefined = requestOptions.rawBody;
    if (requestOptions.body !== undefined) {
      body = JSON.stringify(requestOptions.body);
      headers["content-type"] ??= "application/json";
    }
    if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;

    const response = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (the docs page); the test sees the text.
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };

  return {
    database,
    clock,
    services,
    request,
    async signUp(email = `seller${++userCounter}-${Date.now()}@example.uz`) {
      const response = await request("POST", "/api/v1/auth/register", {
        body: { email, password: "Kuchli-parol-2026", account_name: `Do'kon ${userCounter}` },
      });
      if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(response.body)}`);
      return {
        token: response.body.access_token,
        refreshToken: response.body.refresh_token,
        accountId: response.body.user.account_id,
        userId: response.body.user.id,
      };
    },
    close: () => database.close(),
  };
}
