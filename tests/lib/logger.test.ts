import { describe, expect, test } from "bun:test";
import { createLogger, requestContext } from "../../src/lib/logger";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("logger", () => {
  test("redacts credentials", () => {
    const { logger, lines } = capture();
    logger.info(
      { authorization: "Bearer secret-1", password: "secret-2", body: { refresh_token: "secret-3", password: "secret-4" } },
      "auth.attempt",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["secret-1", "secret-2", "secret-3", "secret-4"]) expect(text).not.toContain(secret);
    expect(lines[0].msg).toBe("auth.attempt");
  });

  test("adds the request id inside a request", async () => {
    const { logger, lines } = capture();
    await requestContext.run({ requestId: "req-42" }, async () => {
      await Bun.sleep(1);
      logger.info({ productId: 1 }, "product.analyzed");
    });
    logger.info("outside");

    expect(lines[0].requestId).toBe("req-42");
    expect(lines[1].requestId).toBeUndefined();
  });
});
