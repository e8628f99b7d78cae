// /metrics and /readyz of a running service: source runs by outcome, seed scans, HTTP requests by route
// pattern, render-cache hits, per-source gauges read at scrape time, database size.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { rss, startFromFile, tempDir, type StartedService } from '../ops/harness.js';

let feeds: FixtureServer;
let started: StartedService;
let release: () => void;
let readyBeforeIngest: { status: number; body: string };

/** The value of one sample line, e.g. `aggregator_source_fetches_total{source="A",outcome="ok"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

beforeAll(async () => {
  const dir = await tempDir('metrics');
  await mkdir(path.join(dir, 'seed', 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'seed', 'one.md'), '---\ntitle: First seed story\ndate: 2025-06-01 10:00:00\n---\n<p>Body one.</p>\n');
  await writeFile(path.join(dir, 'seed', 'sub', 'two.md'), '---\ntitle: Second seed story\n---\nBody two.\n');
  await writeFile(path.join(dir, 'seed', 'sub', 'empty.md'), '---\ndate: 2025-06-01\n---\n\n');
  await writeFile(path.join(dir, 'seed', 'image.png'), 'not an article');
  // The slow source holds the first ingest open until the test has asked /readyz.
  let held: ServerResponse[] = [];
  release = () => {
    for (const response of held) response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Slow', [{ title: 'Slow story', guid: 'slow-1' }]));
    held = [];
  };
  feeds = await startFixtureServer({
    '/good.rss': serve(rss('Good', [{ title: 'Good story one', guid: 'g1' }, { title: 'Good story two', guid: 'g2' }]), 'application/rss+xml'),
    '/broken.rss': serve('<rss><channel><item><title>unclosed', 'application/rss+xml'),
    '/slow.rss': (_request, response) => void held.push(response),
  });
  started = await startFromFile(dir, {
    seedFolder: { path: path.join(dir, 'seed') },
    sources: [
      { name: 'Good', url: feeds.url('/good.rss'), categories: ['News'] },
      { name: 'Broken', url: feeds.url('/broken.rss'), categories: ['News'] },
      { name: 'Slow', url: feeds.url('/slow.rss'), categories: ['News'] },
    ],
  });
  // Wait until the slow source's request arrived, then look at readiness before releasing it.
  while (!feeds.requests.some((r) => r.includes('/slow.rss'))) await new Promise((resolve) => setTimeout(resolve, 10));
  const response = await fetch(`${started.base}/readyz`);
  readyBeforeIngest = { status: response.status, body: await response.text() };
  release();
  await started.service.firstIngest;
});

afterAll(async () => {
  release?.();
  await started?.service.stop();
  await feeds?.close();
});

describe('/readyz', () => {
  it('answers 503 until the first ingest finished, then 200', async () => {
    expect(readyBeforeIngest.status).toBe(503);
    expect(readyBeforeIngest.body).toContain('first-ingest');
    const after = await fetch(`${started.base}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('ready\n');
  });
});

describe('/metrics', () => {
  it('counts source runs by outcome, with durations and articles added', async () => {
    const text = await (await fetch(`${started.base}/metrics`)).text();
    expect(sample(text, 'aggregator_source_fetches_total{source="Good",outcome="ok"}')).toBe(1);
    expect(sample(text, 'aggregator_source_fetches_total{source="Broken",outcome="failed"}')).toBe(1);
    expect(sample(text, 'aggregator_source_fetches_total{source="Slow",outcome="ok"}')).toBe(1);
    expect(sample(text, 'aggregator_source_articles_added_total{source="Good"}')).toBe(2);
    expect(sample(text, 'aggregator_source_fetch_duration_seconds_count{source="Good"}')).toBe(1);
  });

  it('reads consecutive failures and last success per source from the store at scrape time', async () => {
    const text = await (await fetch(`${started.base}/metrics`)).text();
    expect(sample(text, 'aggregator_source_consecutive_failures{source="Broken"}')).toBe(1);
    expect(sample(text, 'aggregator_source_consecutive_failures{source="Good"}')).toBe(0);
    const lastSuccess = sample(text, 'aggregator_source_last_success_timestamp_seconds{source="Good"}')!;
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(60);
    expect(text).not.toContain('aggregator_source_last_success_timestamp_seconds{source="Broken"}');
  });

  it('counts seed files seen, changed and rejected', async () => {
    const text = await (await fetch(`${started.base}/metrics`)).text();
    expect(sample(text, 'aggregator_seed_scans_total{outcome="ok"}')).toBe(1);
    expect(sample(text, 'aggregator_seed_files_total{state="seen"}')).toBe(3);
    expect(sample(text, 'aggregator_seed_files_total{state="changed"}')).toBe(3);
    expect(sample(text, 'aggregator_seed_files_total{state="rejected"}')).toBe(1);
    expect(sample(text, 'aggregator_seed_articles_added_total')).toBe(2);
  });

  it('labels HTTP requests by route pattern and counts render-cache hits', async () => {
    for (let i = 0; i < 3; i++) await (await fetch(`${started.base}/feeds/all.rss`)).text();
    await (await fetch(`${started.base}/feeds/news.atom?limit=5`)).text();
    await (await fetch(`${started.base}/no/such/page`)).text();
    const etag = (await fetch(`${started.base}/feeds/all.rss`, { method: 'HEAD' })).headers.get('etag')!;
    expect((await fetch(`${started.base}/feeds/all.rss`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const text = await (await fetch(`${started.base}/metrics`)).text();
    expect(sample(text, 'aggregator_http_requests_total{route="/feeds/:file",method="HEAD",status="200"}')).toBe(1);
    expect(sample(text, 'aggregator_http_requests_total{route="/feeds/:file",method="GET",status="304"}')).toBe(1);
    expect(sample(text, 'aggregator_http_requests_total{route="/feeds/:file",method="GET",status="200"}')).toBe(4);
    expect(sample(text, 'aggregator_http_requests_total{route="other",method="GET",status="404"}')).toBe(1);
    expect(sample(text, 'aggregator_http_request_duration_seconds_count{route="/feeds/:file",method="GET"}')).toBe(5);
    // First request renders (miss), the next two, the HEAD and the 304 are served from the rendered bytes; the ?limit one skips the fast path.
    expect(sample(text, 'aggregator_render_cache_lookups_total{result="miss"}')).toBe(1);
    expect(sample(text, 'aggregator_render_cache_lookups_total{result="hit"}')).toBe(4);
    expect(text).not.toMatch(/route="[^"]*(all\.rss|news\.atom|no\/such)/);
  });

  it('reports the database size and process metrics, in Prometheus text format', async () => {
    const response = await fetch(`${started.base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(sample(text, 'aggregator_database_size_bytes')).toBeGreaterThan(4096);
    expect(sample(text, 'aggregator_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE aggregator_source_fetch_duration_seconds histogram');
  });
});
