import { existsSync } from "node:fs";
import type { Browser, BrowserContext, BrowserServer, LaunchOptions, Page, Route } from "playwright-core";
import { logger as defaultLogger, type Logger } from "./logger";

/**
 * A shared headless Chromium for the few reads that need a page's JavaScript to run,
 * such as the weekly-buyers banner on an Uzum product page.
 *
 * Importing this module starts nothing and loads no browser code. playwright-core is
 * imported on the first launch (loading it took about 0.5 s on a 2-core test machine),
 * so the service starts and runs without Chromium, and calls then fail with
 * BrowserUnavailableError.
 */

export interface BrowserPoolOptions {
  /** Chromium binary for local launches; defaults to CHROMIUM_PATH, then /usr/bin/chromium. */
  executablePath?: string;
  /**
   * Chrome DevTools Protocol endpoint of a remote browser (ws://, wss://, or http(s)://
   * for discovery through /json/version). When set, the pool connects with
   * `chromium.connectOverCDP` and never launches Chromium itself. CDP is what browser
   * fleets (browserless, Chrome started with --remote-debugging-port) expose, whatever
   * their Playwright version, while `chromium.connect` needs a `launchServer` of the
   * same Playwright version as this client.
   */
  wsEndpoint?: string;
  /** Proxy for all browser traffic, http(s):// or socks5://. Credentials in the URL are sent when the proxy requests authentication. */
  proxyUrl?: string;
  /** Maximum pages open at once; further callers wait in FIFO order. */
  maxConcurrentPages?: number;
  /** Time one page may take, from context creation to the end of the caller's work. */
  pageTimeoutMs?: number;
  /** How long the browser stays up with no open pages before it is closed. */
  idleCloseMs?: number;
  logger?: Logger;
}

/** Reason codes of BrowserUnavailableError. */
export type BrowserUnavailableReason = "executable_missing" | "launch_failed" | "connect_failed" | "pool_closed";
/** Reason codes of BrowserPageError. */
export type BrowserPageReason = "navigation_failed" | "timeout" | "page_failed";

/** Base class of the pool's errors. `reason` is a stable code that callers branch on. */
export class BrowserError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BrowserError";
  }
}

/** No browser can be had: none installed, the launch or remote connection failed, or the pool is closed. */
export class BrowserUnavailableError extends BrowserError {
  constructor(
    override readonly reason: BrowserUnavailableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
    this.name = "BrowserUnavailableError";
  }
}

/** The browser ran, but one page failed or ran out of time. */
export class BrowserPageError extends BrowserError {
  constructor(
    override readonly reason: BrowserPageReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
    this.name = "BrowserPageError";
  }
}

export interface ReadTextOptions {
  /** Pattern to wait for in `document.body.innerText`. Without it the text is read right after DOMContentLoaded. */
  waitForText?: RegExp;
  /** Budget for navigation and the wait together; defaults to the pool's pageTimeoutMs. */
  timeoutMs?: number;
}

export interface ReadTextResult {
  /** `document.body.innerText` when the wait ended. */
  text: string;
  /** Whether `text` matches waitForText, or true when no waitForText was given. */
  matched: boolean;
  /** HTTP status of the main document, or undefined when the navigation had no response. */
  status: number | undefined;
}

export interface BrowserPoolStats {
  launched: boolean;
  /** Pages that hold a concurrency slot, including ones still waiting for the launch. */
  openPages: number;
  /** Successful launches, or connections to the remote browser, since the pool was created. */
  launches: number;
  queued: number;
}

type CloseReason = "idle" | "shutdown" | "disconnected";

interface BrowserHandle {
  browser: Browser;
  /** Set for local launches only: the in-process Playwright server that owns the Chromium process. */
  server?: BrowserServer;
  closeReason?: CloseReason;
}

/**
 * Chromium features that Playwright 1.65 turns off in its own --disable-features switch. Chromium
 * honours only the last such switch, so ours repeats them. A browser-pool test fails when
 * Playwright's switch names one that is missing here.
 */
export const playwrightDisabledFeatures = [
  "AvoidUnnecessaryBeforeUnloadCheckSync",
  "DestroyProfileOnBrowserClose",
  "HttpsUpgrades",
  "HttpsFirstBalancedModeAutoEnable",
  "LensOverlay",
  "MediaRouter",
  "PaintHolding",
  "ThirdPartyStoragePartitioning",
  "AvoidCorsURLLoaderRestartOnRedirect",
  "TcpPortRandomizationWin",
  "OptimizationHints",
  "NetworkTimeServiceQuerying",
  "AimEnabled",
  "PreconnectToSearch",
  "msForceBrowserSignIn",
  "msEdgeUpdateLaunchServicesPreferredVersion",
];

/**
 * Features turned off to save memory. Chromium 156 opens the omnibox popup and its AI-mode page as
 * WebUI in a renderer of their own for each new window, which here means each page, and keeps a
 * spare renderer warm for the next navigation. Without them a pool of two pages peaked at about
 * 360 MiB PSS instead of 455 MiB (docs/benchmarks/weekly-buyers.md).
 */
const memoryDisabledFeatures = ["WebUIOmniboxPopup", "WebUIOmniboxAimPopup", "SpareRendererForSitePerProcess"];

/**
 * Flags for a root user on a machine without a GPU or outside network; `--headless` is added by Playwright.
 * The reader takes text and never pixels, so the GPU process also goes without its software
 * rasterizer, which saved it about 14 MiB.
 */
const launchArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-software-rasterizer",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  `--disable-features=${[...playwrightDisabledFeatures, ...memoryDisabledFeatures].join(",")}`,
];

const blockedResourceTypes = new Set(["image", "font", "media"]);
const launchTimeoutMs = 30_000;
/** Time readText adds to its own budget for context creation and the final text read. */
const readTextSlackMs = 2_000;
const textPollIntervalMs = 100;

let playwrightModule: Promise<typeof import("playwright-core")> | undefined;

function loadPlaywright(): Promise<typeof import("playwright-core")> {
  playwrightModule ??= import("playwright-core");
  return playwrightModule;
}

/**
 * One headless Chromium per process, launched on first need and closed after idleCloseMs
 * without open pages. Every page gets a fresh browser context with images, fonts and
 * media blocked. Call close() on shutdown.
 */
export class BrowserPool {
  readonly executablePath: string;
  readonly wsEndpoint: string | undefined;
  private readonly proxy: LaunchOptions["proxy"];
  private readonly pageTimeoutMs: number;
  private readonly idleCloseMs: number;
  private readonly log: Logger;
  private readonly slots: Semaphore;

  private current: BrowserHandle | undefined;
  private launching: Promise<BrowserHandle> | undefined;
  private closingBrowser: Promise<void> | undefined;
  private readonly openContexts = new Set<BrowserContext>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private launches = 0;
  private closed = false;
  private shutdown: Promise<void> | undefined;

  constructor(options: BrowserPoolOptions = {}) {
    this.executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
    this.wsEndpoint = options.wsEndpoint ? checkUrl("wsEndpoint", options.wsEndpoint, ["ws:", "wss:", "http:", "https:"]) : undefined;
    this.proxy = options.proxyUrl ? toPlaywrightProxy(checkUrl("proxyUrl", options.proxyUrl, ["http:", "https:", "socks5:"])) : undefined;
    this.slots = new Semaphore(checkInteger("maxConcurrentPages", options.maxConcurrentPages ?? 2, 1));
    this.pageTimeoutMs = checkInteger("pageTimeoutMs", options.pageTimeoutMs ?? 20_000, 1);
    this.idleCloseMs = checkInteger("idleCloseMs", options.idleCloseMs ?? 60_000, 0);
    this.log = (options.logger ?? defaultLogger).child({ component: "browser-pool" });
  }

  /** Checks, without launching anything, whether a remote endpoint is set or a file exists at executablePath. */
  isAvailable(): boolean {
    return this.wsEndpoint !== undefined || existsSync(this.executablePath);
  }

  stats(): BrowserPoolStats {
    return {
      launched: this.current?.browser.isConnected() ?? false,
      openPages: this.slots.active,
      launches: this.launches,
      queued: this.slots.waiting,
    };
  }

  /**
   * Returns the pid of the local Chromium browser process, or undefined when none runs or
   * the browser is remote. Renderer and utility processes are its descendants.
   */
  browserPid(): number | undefined {
    return this.current?.server?.process().pid;
  }

  /**
   * Runs `fn` on a new page in a fresh browser context, and closes the context when `fn`
   * settles or pageTimeoutMs passes, whichever comes first. Errors from `fn` pass through
   * unchanged, and a timeout throws BrowserPageError with reason "timeout".
   */
  async withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    return this.runPage(fn, this.pageTimeoutMs);
  }

  /**
   * Opens `url`, waits until the body text matches `waitForText` or the time runs out, and
   * returns the body text. Running out of time is not an error, so `matched` is false then.
   * A failed navigation throws BrowserPageError with reason "navigation_failed", and a
   * URL other than http(s) throws TypeError.
   */
  async readText(url: string, options: ReadTextOptions = {}): Promise<ReadTextResult> {
    const timeoutMs = checkInteger("timeoutMs", options.timeoutMs ?? this.pageTimeoutMs, 1);
    checkUrl("url", url, ["http:", "https:"], { reveal: true });

    return this.runPage(async (page) => {
      const { errors } = await loadPlaywright();
      const deadline = performance.now() + timeoutMs;

      let status: number | undefined;
      try {
        const response = await page.goto(url, { waitUntil: "domcontentloaded", timeout: timeoutMs });
        status = response?.status();
      } catch (error) {
        throw new BrowserPageError("navigation_failed", `Navigation to ${url} failed: ${firstLine(error)}`, { cause: error });
      }

      const pattern = options.waitForText;
      try {
        if (pattern) {
          const remainingMs = Math.max(1, Math.round(deadline - performance.now()));
          await page
            .waitForFunction(
              ([source, flags]) => new RegExp(source, flags).test(document.body?.innerText ?? ""),
              [pattern.source, pattern.flags] as const,
              { timeout: remainingMs, polling: textPollIntervalMs },
            )
            .catch((error: unknown) => {
              if (!(error instanceof errors.TimeoutError)) throw error;
            });
        }
        const text = await page.evaluate(() => document.body?.innerText ?? "");

        // Matching the returned text here, instead of trusting the wait, keeps `matched` true
        // to `text` even when the banner appears between the last poll and this read.
        const matched = pattern ? new RegExp(pattern.source, pattern.flags).test(text) : true;
        return { text, matched, status };
      } catch (error) {
        throw new BrowserPageError("page_failed", `Reading the text of ${url} failed: ${firstLine(error)}`, { cause: error });
      }
    }, timeoutMs + readTextSlackMs);
  }

  /** Closes open pages and the browser, and rejects later calls. Safe to call more than once. */
  close(): Promise<void> {
    this.shutdown ??= this.closeAll();
    return this.shutdown;
  }

  private async closeAll(): Promise<void> {
    this.closed = true;
    this.cancelIdleClose();

    await Promise.allSettled([...this.openContexts].map((context) => context.close()));
    await this.launching?.catch(() => undefined);
    if (this.current) await this.closeBrowser(this.current, "shutdown");
    await this.closingBrowser;
  }

  private async runPage<T>(fn: (page: Page) => Promise<T>, timeoutMs: number): Promise<T> {
    this.assertUsable();
    await this.slots.acquire();
    this.cancelIdleClose();

    let context: BrowserContext | undefined;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const startedAt = performance.now();
    try {
      this.assertUsable();
      const { browser } = await this.ensureBrowser();

      const work = (async () => {
        const created = await this.newContext(browser);
        context = created;
        // The timeout may have fired while the context was being created.
        if (settled) {
          await this.closeContext(created);
          throw new BrowserPageError("timeout", "Browser page closed after its timeout");
        }
        return fn(await created.newPage());
      })();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BrowserPageError("timeout", `Browser page timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      // After a timeout, `work` fails on its closed page, and nothing is left to read that failure.
      work.catch(() => undefined);
      return await Promise.race([work, timeout]);
    } catch (error) {
      // Launch and connection failures are logged where they happen, once for all waiting callers.
      if (!(error instanceof BrowserUnavailableError)) {
        const reason = error instanceof BrowserPageError ? error.reason : undefined;
        const durationMs = Math.round(performance.now() - startedAt);
        this.log.warn({ reason, durationMs, err: error }, "browser.page_error");
      }
      throw error;
    } finally {
      settled = true;
      clearTimeout(timer);
      if (context) await this.closeContext(context);
      this.slots.release();
      if (this.slots.active === 0) this.scheduleIdleClose();
    }
  }

  private assertUsable(): void {
    if (this.closed) {
      throw new BrowserUnavailableError("pool_closed", "The browser pool is closed, so it opens no new pages");
    }
    if (!this.isAvailable()) {
      throw new BrowserUnavailableError(
        "executable_missing",
        `No Chromium executable at ${this.executablePath}. Install Debian's chromium package, set CHROMIUM_PATH, or configure a remote browser endpoint.`,
      );
    }
  }

  private async newContext(browser: Browser): Promise<BrowserContext> {
    // Service workers would fetch past the routing below, so they are blocked.
    const context = await browser.newContext({ serviceWorkers: "block" });
    this.openContexts.add(context);
    try {
      context.setDefaultTimeout(this.pageTimeoutMs);
      await context.route("**/*", blockHeavyResources);
      return context;
    } catch (error) {
      await this.closeContext(context);
      throw error;
    }
  }

  private async closeContext(context: BrowserContext): Promise<void> {
    this.openContexts.delete(context);
    try {
      await context.close();
    } catch (error) {
      this.log.warn({ err: error }, "browser.context_close_failed");
    }
  }

  /**
   * Returns the running browser, or starts one launch that concurrent callers share.
   * A failed launch is not remembered, so the next call tries again with no backoff.
   */
  private ensureBrowser(): Promise<BrowserHandle> {
    if (this.current?.browser.isConnected()) return Promise.resolve(this.current);

    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  private async launch(): Promise<BrowserHandle> {
    // Keeps one browser per process: a browser still closing for idleness finishes first.
    await this.closingBrowser;

    const startedAt = performance.now();
    const handle = this.wsEndpoint ? await this.connectRemote(this.wsEndpoint) : await this.launchLocal();
    handle.browser.on("disconnected", () => this.onDisconnected(handle));

    if (this.closed) {
      await this.closeBrowser(handle, "shutdown");
      throw new BrowserUnavailableError("pool_closed", "The browser pool was closed while the browser was starting");
    }

    this.current = handle;
    this.launches += 1;
    const durationMs = Math.round(performance.now() - startedAt);
    const pid = handle.server?.process().pid;
    this.log.info({ durationMs, pid, remote: this.wsEndpoint !== undefined, proxied: this.proxy !== undefined }, "browser.launch");
    return handle;
  }

  /**
   * Launches Chromium behind an in-process Playwright server and connects to it over
   * loopback. Playwright 1.65 exposes the browser's process, and so its pid, only on
   * the BrowserServer that launchServer returns; `chromium.launch` hides it.
   */
  private async launchLocal(): Promise<BrowserHandle> {
    const { chromium } = await loadPlaywright();

    let server: BrowserServer;
    try {
      server = await chromium.launchServer({
        executablePath: this.executablePath,
        args: launchArgs,
        proxy: this.proxy,
        host: "127.0.0.1",
        timeout: launchTimeoutMs,
        // Playwright's SIGINT handler exits the process with code 130 and its SIGTERM handler stops the
        // default exit, so the service's own signal handling calls close() instead. Chromium still exits
        // with this process if the process dies without close(), because its debugging pipe closes.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (error) {
      this.log.error({ err: error, executablePath: this.executablePath }, "browser.launch_failed");
      throw new BrowserUnavailableError("launch_failed", `Chromium at ${this.executablePath} failed to launch: ${firstLine(error)}`, { cause: error });
    }

    try {
      const browser = await chromium.connect(server.wsEndpoint(), { timeout: launchTimeoutMs });
      return { browser, server };
    } catch (error) {
      await server.close();
      this.log.error({ err: error }, "browser.launch_failed");
      throw new BrowserUnavailableError("launch_failed", `Connecting to the launched Chromium failed: ${firstLine(error)}`, { cause: error });
    }
  }

  private async connectRemote(endpoint: string): Promise<BrowserHandle> {
    const { chromium } = await loadPlaywright();
    try {
      const browser = await chromium.connectOverCDP(endpoint, { timeout: launchTimeoutMs });
      return { browser };
    } catch (error) {
      this.log.error({ err: error, endpoint: redactUrl(endpoint) }, "browser.connect_failed");
      throw new BrowserUnavailableError("connect_failed", `Connecting to the remote browser at ${redactUrl(endpoint)} failed: ${firstLine(error)}`, { cause: error });
    }
  }

  private onDisconnected(handle: BrowserHandle): void {
    // Closes that the pool starts log themselves, so this one is a crash or a lost connection.
    if (handle.closeReason) return;
    handle.closeReason = "disconnected";
    if (this.current === handle) this.current = undefined;
    this.log.warn({ reason: "disconnected", pid: handle.server?.process().pid }, "browser.close");
    // The connection can drop while the process lives on, so the process is killed to be sure.
    handle.server?.kill().catch((error: unknown) => this.log.error({ err: error }, "browser.kill_failed"));
  }

  private async closeBrowser(handle: BrowserHandle, reason: CloseReason): Promise<void> {
    handle.closeReason = reason;
    if (this.current === handle) this.current = undefined;

    const startedAt = performance.now();
    const pid = handle.server?.process().pid;
    const closing = (async () => {
      try {
        // Closing the server ends a local Chromium process. A remote browser is only disconnected.
        await (handle.server ? handle.server.close() : handle.browser.close());
      } catch (error) {
        this.log.error({ err: error, pid }, "browser.close_failed");
        await handle.server?.kill().catch((killError: unknown) => this.log.error({ err: killError, pid }, "browser.kill_failed"));
      }
    })();
    this.closingBrowser = closing;
    await closing;
    if (this.closingBrowser === closing) this.closingBrowser = undefined;

    this.log.info({ reason, pid, durationMs: Math.round(performance.now() - startedAt) }, "browser.close");
  }

  private scheduleIdleClose(): void {
    this.cancelIdleClose();
    if (this.closed || !this.current) return;

    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.slots.active === 0 && this.current) void this.closeBrowser(this.current, "idle");
    }, this.idleCloseMs);
    // An idle browser alone should not keep the process running.
    this.idleTimer.unref();
  }

  private cancelIdleClose(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** A counting semaphore whose waiters get slots in arrival order. */
class Semaphore {
  private heldSlots = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get active(): number {
    return this.heldSlots;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  async acquire(): Promise<void> {
    if (this.heldSlots < this.limit) {
      this.heldSlots += 1;
      return;
    }
    // The releasing caller hands its slot over, so `heldSlots` stays unchanged.
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.heldSlots -= 1;
  }
}

function blockHeavyResources(route: Route): Promise<void> {
  const request = route.request();
  const handled = blockedResourceTypes.has(request.resourceType()) ? route.abort("blockedbyclient") : route.continue();
  // A request still in flight when its context closes dies with it.
  return handled.catch(() => undefined);
}

// Chromium bypasses proxies for loopback addresses, but playwright-core 1.65 adds "<-loopback>"
// to the bypass list when no bypass names a loopback host, so a proxy on 127.0.0.1 sees local pages too.
function toPlaywrightProxy(url: string): LaunchOptions["proxy"] {
  const parsed = new URL(url);
  return {
    server: `${parsed.protocol}//${parsed.host}`,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

/** Validates a URL option. Only with `reveal` does the value appear in the message, because proxy and endpoint URLs can carry credentials. */
function checkUrl(option: string, value: string, protocols: string[], { reveal = false } = {}): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new TypeError(reveal ? `${option} is not a valid URL: ${JSON.stringify(value)}` : `${option} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new TypeError(`${option} must use one of ${protocols.join(", ")}, got ${parsed.protocol}`);
  }
  return value;
}

function checkInteger(option: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${option} must be an integer of at least ${min}, got ${value}`);
  }
  return value;
}

/** Drops credentials from a URL so it can go into a log line or an error message. */
function redactUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.username || parsed.password) {
      parsed.username = "redacted";
      parsed.password = "";
    }
    parsed.search = parsed.search ? "?redacted" : "";
    return parsed.toString();
  } catch {
    return "[not a URL]";
  }
}

/** Returns the first line of an error message, because Playwright appends a multi-line call log after it. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n", 1)[0];
}
