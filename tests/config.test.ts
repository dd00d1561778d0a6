import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/config";

const secret = "a-secret-of-at-least-thirty-two-characters";

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("applies the documented defaults", () => {
    const config = loadConfig({ JWT_SECRET: secret });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toEndWith("/data");
    expect(config.uzum.apiUrl).toBe("https://api.uzum.uz");
    expect(config.uzum.graphqlUrl).toBe("https://graphql.uzum.uz");
    expect(config.uzum.webUrl).toBe("https://uzum.uz");
  });

  test("names the variable that is wrong", () => {
    expect(configError({ JWT_SECRET: secret, PORT: "eighty" }).variable).toBe("PORT");
    expect(configError({ JWT_SECRET: secret, PORT: "70000" }).variable).toBe("PORT");
    expect(configError({ JWT_SECRET: secret, DATABASE_URL: "mysql://x" }).variable).toBe("DATABASE_URL");
    expect(configError({ JWT_SECRET: secret, UZUM_API_URL: "not a url" }).variable).toBe("UZUM_API_URL");
    expect(configError({ JWT_SECRET: secret, LOG_LEVEL: "loud" }).variable).toBe("LOG_LEVEL");
    expect(configError({ JWT_SECRET: "short" }).variable).toBe("JWT_SECRET");
  });

  test("reads HOST as an address", () => {
    expect(loadConfig({ JWT_SECRET: secret, HOST: "127.0.0.1" }).host).toBe("127.0.0.1");
    expect(loadConfig({ JWT_SECRET: secret, HOST: "::1" }).host).toBe("::1");
    expect(configError({ JWT_SECRET: secret, HOST: "http://127.0.0.1" }).variable).toBe("HOST");
  });

  test("requires JWT_SECRET in production", () => {
    const error = configError({ NODE_ENV: "production" });
    expect(error.variable).toBe("JWT_SECRET");
    expect(error.message).toContain("required");
  });

  test("keeps a generated development secret across restarts", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "ventra-config-"));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });

    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(existsSync(join(dataDir, "jwt-secret"))).toBe(true);
    expect(readFileSync(join(dataDir, "jwt-secret"), "utf8").trim()).toBe(first.jwtSecret);
  });

  test("drops a trailing slash from upstream URLs", () => {
    const config = loadConfig({ JWT_SECRET: secret, UZUM_API_URL: "http://127.0.0.1:8080/" });
    expect(config.uzum.apiUrl).toBe("http://127.0.0.1:8080");
  });
});

describe("loadConfig for weekly buyers", () => {
  test("applies the browser and budget defaults", () => {
    const config = loadConfig({ JWT_SECRET: secret });

    expect(config.browser).toEqual({ chromiumPath: "/usr/bin/chromium", wsEndpoint: undefined, maxPages: 2, pageTimeoutMs: 20_000 });
    expect(config.weeklyBuyers).toEqual({ budgetMs: 2_500, concurrency: 4 });
  });

  test("reads the browser and budget variables", () => {
    const config = loadConfig({
      JWT_SECRET: secret,
      CHROMIUM_PATH: "/opt/chromium/chrome",
      BROWSER_WS_ENDPOINT: "ws://127.0.0.1:9222/devtools/browser/abc",
      BROWSER_MAX_PAGES: "4",
      BROWSER_PAGE_TIMEOUT_MS: "15000",
      WEEKLY_BUYERS_BUDGET_MS: "0",
      WEEKLY_BUYERS_CONCURRENCY: "8",
    });

    expect(config.browser).toEqual({
      chromiumPath: "/opt/chromium/chrome",
      wsEndpoint: "ws://127.0.0.1:9222/devtools/browser/abc",
      maxPages: 4,
      pageTimeoutMs: 15_000,
    });
    expect(config.weeklyBuyers).toEqual({ budgetMs: 0, concurrency: 8 });
  });

  test("names the bad browser or budget variable", () => {
    expect(configError({ JWT_SECRET: secret, BROWSER_WS_ENDPOINT: "ftp://host" }).variable).toBe("BROWSER_WS_ENDPOINT");
    expect(configError({ JWT_SECRET: secret, BROWSER_MAX_PAGES: "0" }).variable).toBe("BROWSER_MAX_PAGES");
    expect(configError({ JWT_SECRET: secret, BROWSER_PAGE_TIMEOUT_MS: "fast" }).variable).toBe("BROWSER_PAGE_TIMEOUT_MS");
    expect(configError({ JWT_SECRET: secret, WEEKLY_BUYERS_BUDGET_MS: "-1" }).variable).toBe("WEEKLY_BUYERS_BUDGET_MS");
    expect(configError({ JWT_SECRET: secret, WEEKLY_BUYERS_CONCURRENCY: "1000" }).variable).toBe("WEEKLY_BUYERS_CONCURRENCY");
  });
});
