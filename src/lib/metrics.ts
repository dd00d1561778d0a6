import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The service's Prometheus metrics, served as text at `GET /metrics`.
 *
 * Each Metrics instance has its own registry, so several apps in one test process do not
 * mix their counts. Label values come from fixed sets (route templates, upstream names,
 * job names, outcomes), never from ids or URLs, so the number of series stays bounded.
 */

export interface MetricsOptions {
  /**
   * Adds prom-client's process and runtime metrics: resident memory, heap, CPU time, open
   * files and event-loop lag. They describe the whole process, so one registry per process
   * should have them.
   */
  processMetrics?: boolean;
}

/** One finished HTTP request, as the http-base plugin sees it. */
export interface HttpRequestSample {
  method: string;
  /** The matched route template such as `/api/v1/products/:id`; undefined when no route matched. */
  route: string | undefined;
  status: number;
  durationMs: number;
}

/** One attempt of an outgoing request, as `HttpClient`'s `onAttempt` reports it. */
export interface UpstreamAttemptSample {
  /** The client's name, such as `uzum-rest` or `uzum-graphql`. */
  upstream: string;
  /** The HTTP status as text, or `network` or `timeout` when no response arrived. */
  outcome: string;
  durationMs: number;
}

export interface JobRunSample {
  job: string;
  outcome: string;
  durationMs: number;
}

export interface AlertDeliverySample {
  /** Channel the alert went to, such as `telegram`. */
  channel: string;
  /** Such as `delivered`, `no_chat`, `retry` or `failed`. */
  outcome: string;
  /** Alerts with this outcome; 1 when left out. */
  count?: number;
}

/** Pages and browser state of a `BrowserPool`, in the shape of its `stats()`. */
export interface BrowserPoolReading {
  launched: boolean;
  openPages: number;
  queued: number;
}

const httpBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const upstreamBucketsSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const jobBucketsSeconds = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200];

export class Metrics {
  readonly registry = new Registry();

  private readonly httpRequests: Counter<"method" | "route" | "status">;
  private readonly httpDuration: Histogram<"method" | "route" | "status">;
  private readonly upstreamRequests: Counter<"endpoint" | "outcome">;
  private readonly upstreamDuration: Histogram<"endpoint" | "outcome">;
  private readonly jobRuns: Counter<"job" | "outcome">;
  private readonly jobDuration: Histogram<"job" | "outcome">;
  private readonly alertDeliveries: Counter<"channel" | "outcome">;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];

    this.httpRequests = new Counter({
      name: "ventra_http_requests_total",
      help: "HTTP requests answered, by method, route template and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "ventra_http_request_duration_seconds",
      help: "Time from receiving an HTTP request to sending its response",
      labelNames: ["method", "route", "status"],
      buckets: httpBucketsSeconds,
      registers,
    });
    this.upstreamRequests = new Counter({
      name: "ventra_uzum_requests_total",
      help: "Attempts of requests to Uzum, by client and outcome (HTTP status, network or timeout); each retry counts",
      labelNames: ["endpoint", "outcome"],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: "ventra_uzum_request_duration_seconds",
      help: "Duration of one attempt of a request to Uzum, body read included",
      labelNames: ["endpoint", "outcome"],
      buckets: upstreamBucketsSeconds,
      registers,
    });
    this.jobRuns = new Counter({
      name: "ventra_job_runs_total",
      help: "Finished job runs, by job and outcome",
      labelNames: ["job", "outcome"],
      registers,
    });
    this.jobDuration = new Histogram({
      name: "ventra_job_run_duration_seconds",
      help: "Duration of finished job runs",
      labelNames: ["job", "outcome"],
      buckets: jobBucketsSeconds,
      registers,
    });
    this.alertDeliveries = new Counter({
      name: "ventra_alert_deliveries_total",
      help: "Alerts handed to a channel, by channel and outcome",
      labelNames: ["channel", "outcome"],
      registers,
    });

    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The Content-Type of `render()`'s text, Prometheus exposition format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  recordHttpRequest(sample: HttpRequestSample): void {
    // Unmatched paths are free text from the client, so they share one label value.
    const labels = { method: sample.method, route: sample.route ?? "unmatched", status: String(sample.status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, sample.durationMs / 1000);
  }

  /** Records one attempt; pass it as `onAttempt` to an `HttpClient` or an Uzum client. */
  readonly recordUpstreamAttempt = (sample: UpstreamAttemptSample): void => {
    const labels = { endpoint: sample.upstream, outcome: sample.outcome };
    this.upstreamRequests.inc(labels);
    this.upstreamDuration.observe(labels, sample.durationMs / 1000);
  };

  readonly recordJobRun = (sample: JobRunSample): void => {
    const labels = { job: sample.job, outcome: sample.outcome };
    this.jobRuns.inc(labels);
    this.jobDuration.observe(labels, sample.durationMs / 1000);
  };

  readonly recordAlertDelivery = (sample: AlertDeliverySample): void => {
    this.alertDeliveries.inc({ channel: sample.channel, outcome: sample.outcome }, sample.count ?? 1);
  };

  /**
   * Reports the discovery queue depth, read from `readDepth` on every scrape. The gauge
   * is absent from the output until a source is given, so a missing worker does not show as 0.
   */
  watchDiscoveryQueue(readDepth: () => number | Promise<number>): void {
    this.registry.removeSingleMetric("ventra_discovery_queue_depth");
    new Gauge({
      name: "ventra_discovery_queue_depth",
      help: "Discovery tasks waiting to run",
      registers: [this.registry],
      async collect() {
        this.set(await readDepth());
      },
    });
  }

  /** Reports the browser pool's size, read from `readStats` (such as `pool.stats()`) on every scrape. */
  watchBrowserPool(readStats: () => BrowserPoolReading): void {
    this.registry.removeSingleMetric("ventra_browser_pages");
    this.registry.removeSingleMetric("ventra_browser_running");
    new Gauge({
      name: "ventra_browser_pages",
      help: "Browser pool pages: open (holding a slot) and queued (waiting for one)",
      labelNames: ["state"],
      registers: [this.registry],
      collect() {
        const stats = readStats();
        this.set({ state: "open" }, stats.openPages);
        this.set({ state: "queued" }, stats.queued);
      },
    });
    new Gauge({
      name: "ventra_browser_running",
      help: "1 while the pool's Chromium is launched or connected, else 0",
      registers: [this.registry],
      collect() {
        this.set(readStats().launched ? 1 : 0);
      },
    });
  }
}
