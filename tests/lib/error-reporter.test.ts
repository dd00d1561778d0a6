import { describe, expect, test } from "bun:test";
import { repositoryRoot } from "../helpers/service-process";
import { startSentryStub } from "../helpers/sentry-stub";

describe("Sentry reporter", () => {
  test("reports an uncaught exception", async () => {
    const sentry = startSentryStub();
    try {
      const probe = Bun.spawn([process.execPath, "run", "tests/helpers/sentry-probe.ts"], {
        cwd: repositoryRoot,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", SENTRY_DSN: sentry.dsn },
        stdout: "ignore",
        stderr: "ignore",
      });

      expect(await probe.exited).not.toBe(0);
      const events = await sentry.waitForEvents(1);
      expect(events).toHaveLength(1);
      expect(events[0].exception.values[0].value).toBe("probe: uncaught failure");
      expect(events[0].environment).toBe("probe");
    } finally {
      await sentry.server.stop();
    }
  }, 60_000);
});
