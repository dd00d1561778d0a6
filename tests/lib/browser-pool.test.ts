import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { BrowserPageError, BrowserPool, BrowserUnavailableError } from "../../src/lib/browser-pool";
import { processTree } from "../helpers/process-tree";

// These tests launch the real Chromium from Debian's chromium package on a local page server.
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(`browser-pool tests skipped: no Chromium at ${chromiumPath}. Run "apt-get install -y chromium" or set CHROMIUM_PATH.`);
}

const bannerText = "Bu haftada 305 kishi sotib oldi";
const bannerPattern = /haftada\s+\d+\s+kishi/;

/** Starts a local server whose pages imitate an Uzum product page, where the weekly-buyers banner arrives from a script after load. */
function startPageServer() {
  // Without request blocking, Chromium 156 requests each of these once per page load.
  const heavyFiles: Record<string, string> = { "/pixel.png": "image/png", "/brand.woff2": "font/woff2", "/clip.mp4": "video/mp4" };
  const counts: Record<string, number> = { "/pixel.png": 0, "/brand.woff2": 0, "/clip.mp4": 0 };
  const html = (body: string) =>
    new Response(
      `<!doctype html><html><head><style>@font-face { font-family: Brand; src: url(/brand.woff2); } body { font-family: Brand, sans-serif; }</style></head>
      <body><h1>Product</h1><img src="/pixel.png"><video src="/clip.mp4" preload="auto" muted></video>${body}</body></html>`,
      { headers: { "content-type": "text/html; charset=utf-8" } },
    );

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path in heavyFiles) {
        counts[path] += 1;
        return new Response(new Uint8Array([1, 2, 3, 4]), { headers: { "content-type": heavyFiles[path] } });
      }
      if (path === "/banner") {
        return html(`<div id="banner"></div>
          <script>setTimeout(() => { document.getElementById("banner").textContent = "${bannerText}"; }, 300);</script>`);
      }
      if (path === "/no-banner") return html(`<p>No buyers this week</p>`);
      return new Response("not found", { status: 404 });
    },
  });
  return { server, counts, url: (path: string) => `http://127.0.0.1:${server.port}${path}` };
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes, and returns its last result. */
async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await Bun.sleep(50);
  }
  return check();
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Returns the processes of Chromium's tree under `rootPid`, each with the --type it was started with ("browser" for the root). */
function chromiumProcesses(rootPid: number): Array<{ pid: number; type: string }> {
  return processTree(rootPid).map((pid) => ({ pid, type: commandLine(pid).find((arg) => arg.startsWith("--type="))?.slice(7) ?? "browser" }));
}

/** Returns a process's arguments. Chromium rewrites its command line for child processes, so spaces separate them as well as NULs. */
function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0 ]/).filter(Boolean);
  } catch {
    return [];
  }
}

/** Starts Chromium with a DevTools endpoint on loopback, the way a browser fleet serves one, and returns its ws:// URL. */
async function startRemoteChromium() {
  const profileDir = mkdtempSync(join(tmpdir(), "ventra-remote-chromium-"));
  const child = Bun.spawn(
    [chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", `--user-data-dir=${profileDir}`, "about:blank"],
    { stdout: "ignore", stderr: "pipe" },
  );

  let output = "";
  const decoder = new TextDecoder();
  const reader = child.stderr.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    output += decoder.decode(chunk.value, { stream: true });
    const found = output.match(/DevTools listening on (ws:\/\/\S+)/);
    if (found) {
      reader.releaseLock();
      const stop = async () => {
        child.kill("SIGKILL");
        await child.exited;
        rmSync(profileDir, { recursive: true, force: true });
      };
      return { wsEndpoint: found[1], child, stop };
    }
  }
  rmSync(profileDir, { recursive: true, force: true });
  throw new Error(`Chromium exited without printing a DevTools endpoint:\n${output}`);
}

/** Creates a logger that appends each parsed JSON line to `lines`, so tests can check what the pool logs. */
function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("BrowserPool without a browser", () => {
  test("missing executable is unavailable", async () => {
    const pool = new BrowserPool({ executablePath: "/nonexistent/chromium" });

    expect(pool.isAvailable()).toBe(false);
    const failure = await pool.readText("http://127.0.0.1:9/").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BrowserUnavailableError);
    expect((failure as BrowserUnavailableError).reason).toBe("executable_missing");
    expect((failure as Error).message).toContain("/nonexistent/chromium");
    expect(pool.stats()).toEqual({ launched: false, openPages: 0, launches: 0, queued: 0 });
    await pool.close();
  });

  test("invalid options are rejected", () => {
    expect(() => new BrowserPool({ maxConcurrentPages: 0 })).toThrow("maxConcurrentPages");
    expect(() => new BrowserPool({ pageTimeoutMs: 1.5 })).toThrow("pageTimeoutMs");
    expect(() => new BrowserPool({ proxyUrl: "ftp://proxy:21" })).toThrow("proxyUrl");
    expect(() => new BrowserPool({ wsEndpoint: "not a url" })).toThrow("wsEndpoint");
  });

  test("proxy credentials stay out of errors", () => {
    const build = () => new BrowserPool({ proxyUrl: "http://user:secret@ proxy" });
    expect(build).toThrow("proxyUrl is not a valid URL");
    expect(build).not.toThrow("secret");
  });
});

describe.skipIf(!hasChromium)("BrowserPool with Chromium", () => {
  let pages: ReturnType<typeof startPageServer>;
  const pools: BrowserPool[] = [];
  const newPool = (options: ConstructorParameters<typeof BrowserPool>[0] = {}) => {
    const pool = new BrowserPool({ executablePath: chromiumPath, ...options });
    pools.push(pool);
    return pool;
  };
  let shared: BrowserPool;

  beforeAll(() => {
    pages = startPageServer();
    shared = newPool({ maxConcurrentPages: 2 });
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    pages.server.stop(true);
  });

  test("readText waits for scripted banner", async () => {
    const result = await shared.readText(pages.url("/banner"), { waitForText: bannerPattern, timeoutMs: 5_000 });

    expect(result.matched).toBe(true);
    expect(result.text).toContain(bannerText);
    expect(result.status).toBe(200);
  });

  test("readText returns unmatched on timeout", async () => {
    const startedAt = performance.now();
    const result = await shared.readText(pages.url("/no-banner"), { waitForText: bannerPattern, timeoutMs: 1_500 });
    const elapsedMs = performance.now() - startedAt;

    expect(result.matched).toBe(false);
    expect(result.text).toContain("No buyers this week");
    expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
  });

  test("images, fonts and media are blocked", async () => {
    await shared.readText(pages.url("/banner"), { waitForText: bannerPattern, timeoutMs: 5_000 });
    await shared.readText(pages.url("/no-banner"));

    expect(pages.counts["/pixel.png"]).toBe(0);
    expect(pages.counts["/brand.woff2"]).toBe(0);
    expect(pages.counts["/clip.mp4"]).toBe(0);
  });

  test("readText throws on failed navigation", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadUrl = `http://127.0.0.1:${closed.port}/`;
    closed.stop(true);

    const failure = await shared.readText(deadUrl, { timeoutMs: 5_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BrowserPageError);
    expect((failure as BrowserPageError).reason).toBe("navigation_failed");
    expect((failure as Error).message).toContain(deadUrl);
  });

  test("concurrency limit queues in order", async () => {
    let running = 0;
    let maxRunning = 0;
    const startOrder: number[] = [];

    const hold = (index: number) =>
      shared.withPage(async (page) => {
        startOrder.push(index);
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await page.goto(pages.url("/no-banner"));
        await Bun.sleep(300);
        running -= 1;
      });
    const calls = [0, 1, 2, 3, 4].map(hold);

    expect(shared.stats().openPages).toBe(2);
    expect(shared.stats().queued).toBe(3);
    await Promise.all(calls);

    expect(maxRunning).toBe(2);
    expect(startOrder.slice(0, 2).sort()).toEqual([0, 1]);
    expect(startOrder.slice(2, 4).sort()).toEqual([2, 3]);
    expect(startOrder[4]).toBe(4);
    expect(shared.stats().openPages).toBe(0);
    expect(shared.stats().queued).toBe(0);
  });

  test("concurrent first calls share one launch", async () => {
    const pool = newPool();

    await Promise.all([pool.readText(pages.url("/no-banner")), pool.readText(pages.url("/no-banner"))]);

    expect(pool.stats().launches).toBe(1);
  });

  test("page timeout closes the context", async () => {
    const pool = newPool({ pageTimeoutMs: 2_000 });
    let contextClosed = false;
    // Launch first, so the page timeout measures the page and not a cold start on a busy machine.
    await pool.readText(pages.url("/no-banner"));

    const failure = await pool
      .withPage(async (page) => {
        page.context().on("close", () => {
          contextClosed = true;
        });
        await new Promise(() => {});
      })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BrowserPageError);
    expect((failure as BrowserPageError).reason).toBe("timeout");
    expect(contextClosed).toBe(true);
    expect(pool.stats().openPages).toBe(0);
  });

  test("idle browser closes and relaunches", async () => {
    const { logger, lines } = captureLogger();
    const pool = newPool({ idleCloseMs: 500, logger });

    await pool.readText(pages.url("/no-banner"));
    const firstPid = pool.browserPid();
    expect(firstPid).toBeNumber();
    expect(pool.stats().launched).toBe(true);

    expect(await waitFor(() => !pool.stats().launched, 2_000)).toBe(true);
    expect(await waitFor(() => !isProcessAlive(firstPid!), 2_000)).toBe(true);
    expect(await waitFor(() => lines.some((line) => line.msg === "browser.close" && line.reason === "idle"), 2_000)).toBe(true);

    const result = await pool.readText(pages.url("/banner"), { waitForText: bannerPattern, timeoutMs: 5_000 });
    expect(result.matched).toBe(true);
    expect(pool.stats().launches).toBe(2);
    expect(pool.browserPid()).not.toBe(firstPid);
    expect(lines.filter((line) => line.msg === "browser.launch")).toHaveLength(2);
  });

  test("one renderer per open page", async () => {
    const pool = newPool({ maxConcurrentPages: 1 });
    // The page waits for a banner that never comes, so the renderers can be counted while it is open.
    const reading = pool.readText(pages.url("/no-banner"), { waitForText: bannerPattern, timeoutMs: 2_000 });
    expect(await waitFor(() => pool.stats().openPages === 1 && pool.browserPid() !== undefined, 5_000)).toBe(true);
    await Bun.sleep(1_000);
    const renderers = chromiumProcesses(pool.browserPid()!).filter((process) => process.type === "renderer");
    await reading;

    // Chromium 156 would add a renderer for the omnibox popup WebUI and a spare one for the next navigation.
    expect(renderers).toHaveLength(1);
  });

  test("keeps the features Playwright turns off", async () => {
    const pool = newPool();
    await pool.readText(pages.url("/no-banner"));
    const switches = commandLine(pool.browserPid()!).filter((arg) => arg.startsWith("--disable-features="));
    const names = (value: string) => value.slice("--disable-features=".length).split(",");

    // Chromium reads only the last switch; Playwright's own comes first.
    expect(switches.length).toBeGreaterThanOrEqual(2);
    const honoured = new Set(names(switches.at(-1)!));
    expect(names(switches[0]).filter((feature) => !honoured.has(feature))).toEqual([]);
    expect(honoured.has("WebUIOmniboxPopup")).toBe(true);
  });

  test("crashed browser is relaunched", async () => {
    const { logger, lines } = captureLogger();
    const pool = newPool({ logger });
    await pool.readText(pages.url("/no-banner"));

    process.kill(pool.browserPid()!, "SIGKILL");
    expect(await waitFor(() => !pool.stats().launched, 2_000)).toBe(true);
    expect(lines.some((line) => line.msg === "browser.close" && line.reason === "disconnected")).toBe(true);

    const result = await pool.readText(pages.url("/banner"), { waitForText: bannerPattern, timeoutMs: 5_000 });
    expect(result.matched).toBe(true);
    expect(pool.stats().launches).toBe(2);
  });

  test("remote browser over CDP", async () => {
    const remote = await startRemoteChromium();
    try {
      const pixelsBefore = pages.counts["/pixel.png"];
      const pool = newPool({ executablePath: "/nonexistent/chromium", wsEndpoint: remote.wsEndpoint });
      expect(pool.isAvailable()).toBe(true);

      const result = await pool.readText(pages.url("/banner"), { waitForText: bannerPattern, timeoutMs: 5_000 });
      expect(result.matched).toBe(true);
      expect(result.text).toContain(bannerText);
      expect(pages.counts["/pixel.png"]).toBe(pixelsBefore);
      expect(pool.stats().launches).toBe(1);
      expect(pool.browserPid()).toBeUndefined();

      await pool.close();
      expect(remote.child.exitCode).toBeNull();
    } finally {
      await remote.stop();
    }
  });

  test("close ends browser and later calls", async () => {
    const pool = newPool();
    await pool.readText(pages.url("/no-banner"));
    const pid = pool.browserPid()!;

    await pool.close();
    await pool.close();

    expect(pool.stats().launched).toBe(false);
    expect(await waitFor(() => !isProcessAlive(pid), 2_000)).toBe(true);
    const failure = await pool.withPage(async () => "unreachable").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BrowserUnavailableError);
    expect((failure as BrowserUnavailableError).reason).toBe("pool_closed");
  });
});
