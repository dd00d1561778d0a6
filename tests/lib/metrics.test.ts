import { describe, expect, test } from "bun:test";
import { Metrics } from "../../src/lib/metrics";
import { readSample } from "../helpers/prometheus";

describe("Metrics", () => {
  test("counts HTTP requests by route template", async () => {
    const metrics = new Metrics();
    metrics.recordHttpRequest({ method: "GET", route: "/api/v1/products/:id", status: 200, durationMs: 12 });
    metrics.recordHttpRequest({ method: "GET", route: "/api/v1/products/:id", status: 200, durationMs: 30 });
    metrics.recordHttpRequest({ method: "GET", route: undefined, status: 404, durationMs: 1 });

    const text = await metrics.render();
    const product = { method: "GET", route: "/api/v1/products/:id", status: "200" };
    expect(readSample(text, "ventra_http_requests_total", product)).toBe(2);
    expect(readSample(text, "ventra_http_request_duration_seconds_count", product)).toBe(2);
    expect(readSample(text, "ventra_http_request_duration_seconds_sum", product)).toBeCloseTo(0.042, 6);
    expect(readSample(text, "ventra_http_request_duration_seconds_bucket", { ...product, le: "0.025" })).toBe(1);
    expect(readSample(text, "ventra_http_requests_total", { route: "unmatched", status: "404" })).toBe(1);
  });

  test("counts upstream attempts and job runs", async () => {
    const metrics = new Metrics();
    metrics.recordUpstreamAttempt({ upstream: "uzum-rest", outcome: "503", durationMs: 40 });
    metrics.recordUpstreamAttempt({ upstream: "uzum-rest", outcome: "200", durationMs: 60 });
    metrics.recordUpstreamAttempt({ upstream: "uzum-graphql", outcome: "timeout", durationMs: 2000 });
    metrics.recordJobRun({ job: "refresh-tracked", outcome: "interrupted", durationMs: 90_000 });
    metrics.recordAlertDelivery({ channel: "telegram", outcome: "sent" });

    const text = await metrics.render();
    expect(readSample(text, "ventra_uzum_requests_total", { endpoint: "uzum-rest", outcome: "503" })).toBe(1);
    expect(readSample(text, "ventra_uzum_requests_total", { endpoint: "uzum-rest", outcome: "200" })).toBe(1);
    expect(readSample(text, "ventra_uzum_request_duration_seconds_sum", { endpoint: "uzum-graphql", outcome: "timeout" })).toBe(2);
    expect(readSample(text, "ventra_job_runs_total", { job: "refresh-tracked", outcome: "interrupted" })).toBe(1);
    expect(readSample(text, "ventra_job_run_duration_seconds_sum", { job: "refresh-tracked" })).toBe(90);
    expect(readSample(text, "ventra_alert_deliveries_total", { channel: "telegram", outcome: "sent" })).toBe(1);
  });

  test("reads watched gauges on every scrape", async () => {
    const metrics = new Metrics();
    expect(readSample(await metrics.render(), "ventra_discovery_queue_depth")).toBeUndefined();

    let depth = 7;
    metrics.watchDiscoveryQueue(async () => depth);
    const stats = { launched: true, openPages: 2, queued: 3 };
    metrics.watchBrowserPool(() => stats);

    let text = await metrics.render();
    expect(readSample(text, "ventra_discovery_queue_depth")).toBe(7);
    expect(readSample(text, "ventra_browser_pages", { state: "open" })).toBe(2);
    expect(readSample(text, "ventra_browser_pages", { state: "queued" })).toBe(3);
    expect(readSample(text, "ventra_browser_running")).toBe(1);

    depth = 0;
    stats.launched = false;
    text = await metrics.render();
    expect(readSample(text, "ventra_discovery_queue_depth")).toBe(0);
    expect(readSample(text, "ventra_browser_running")).toBe(0);
  });

  test("includes process memory when asked", async () => {
    const withProcess = await new Metrics({ processMetrics: true }).render();
    expect(readSample(withProcess, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(readSample(withProcess, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);

    const without = await new Metrics().render();
    expect(readSample(without, "process_resident_memory_bytes")).toBeUndefined();
  });

  test("keeps registries of two instances apart", async () => {
    const first = new Metrics();
    const second = new Metrics();
    first.recordAlertDelivery({ channel: "telegram", outcome: "failed" });

    expect(readSample(await first.render(), "ventra_alert_deliveries_total", { outcome: "failed" })).toBe(1);
    expect(readSample(await second.render(), "ventra_alert_deliveries_total", { outcome: "failed" })).toBeUndefined();
  });
});
