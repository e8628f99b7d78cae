import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it, expect } from 'vitest';
import { createApp } from '../../src/server/create-app.js';
import { createRenderCache } from '../../src/publish/render-cache.js';
import type { Store } from '../../src/store/store.js';
import type { SourceState } from '../../src/types.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { validateAtom } from '../support/validate-atom.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';

interface Running {
  base: string;
  store: Store;
  cache: ReturnType<typeof createRenderCache>;
  logged: object[];
}

interface Line {
  level: 'error' | 'info';
  msg?: string | undefined;
  [field: string]: unknown;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A real store and app on 127.0.0.1, with baseUrl set to where it listens (so self links are real). */
async function start(options: { listSources?: () => Promise<SourceState[]>; failureSummaryMs?: number } = {}): Promise<Running & { lines: Line[] }> {
  const { store } = await openTestStore('2025-01-01T00:00:00Z');
  await store.storeRun({
    sourceKey: 'source:Example',
    articles: [
      article('央行降准 释放资金', '2024-12-30T08:00:00Z', [FINANCE], { author: '新浪财经', image: 'https://img.example.com/a.webp' }),
      article('New chips', '2024-12-31T08:00:00Z', [TECH]),
      article('Old chips', '2024-12-01T08:00:00Z', [TECH]),
    ],
  });
  await store.recordFetchOutcome(
    { name: 'Example <feed>', url: 'https://news.example.com/feed.xml' },
    { at: new Date('2025-01-01T00:00:00Z'), ok: false, httpStatus: 503, error: 'HTTP 503 <script>alert(1)</script>', nextRun: new Date('2025-01-01T00:15:00Z'), added: 0 },
  );
  const server = http.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = { server: { host: '127.0.0.1', port: 0, baseUrl: base }, feeds: { title: 'Test feeds', items: 50 } };
  const cache = createRenderCache({ store, site: { baseUrl: base, title: config.feeds.title }, items: config.feeds.items });
  const logged: object[] = [];
  const lines: Line[] = [];
  const logger = {
    error: (obj: object, msg?: string) => { logged.push(obj); lines.push({ level: 'error', msg, ...obj }); },
    info: (obj: object, msg?: string) => { lines.push({ level: 'info', msg, ...obj }); },
  };
  const app = createApp({ store, cache, config, logger, ...options });
  server.on('request', app);
  return { base, store, cache, logged, lines };
}

/** Waits for a condition the app reaches by itself (a log line written when its window ends); fails naming it. */
async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (Date.now() - started > 10_000) throw new Error(`no ${what} within 10 s`);
  }
}

const FINANCE_PATH = `/feeds/${encodeURIComponent('金融')}`;

describe('feeds', () => {
  it('serves RSS with its content type, validators and cache policy', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/feeds/all.rss`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(res.headers.get('last-modified')).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
    // Default policy: a 15-minute schedule.
    expect(res.headers.get('cache-control')).toBe('public, max-age=900');
    const parsed = await parseWithFeedparser(new Uint8Array(await res.arrayBuffer()));
    expect(parsed.bozo).toBe(0);
    expect(parsed.entries.map((e) => e.title)).toEqual(['New chips', '央行降准 释放资金', 'Old chips']);
  });

  it('serves a Chinese-slug category as valid Atom whose self link is the URL served', async () => {
    const { base } = await start();
    const res = await fetch(`${base}${FINANCE_PATH}.atom`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = await res.text();
    expect(await validateAtom(xml)).toEqual([]);
    expect(xml).toContain(`<link rel="self" href="${base}${FINANCE_PATH}.atom"/>`);
    expect(xml).toContain('<name>新浪财经</name>');
    expect(xml).toContain('type="image/webp"');
  });

  it('serves JSON Feed and honours ?limit', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/feeds/tech.json?limit=1`);
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const doc = (await res.json()) as { version: string; items: Array<{ title: string }> };
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
    expect(doc.items.map((i) => i.title)).toEqual(['New chips']);
    expect((await fetch(`${base}/feeds/tech.json?limit=0`)).status).toBe(400);
    expect((await fetch(`${base}/feeds/tech.json?limit=abc`)).status).toBe(400);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { base } = await start();
    const identity = { 'accept-encoding': 'identity' };
    const get = await fetch(`${base}/feeds/all.atom`, { headers: identity });
    const body = await get.arrayBuffer();
    const head = await fetch(`${base}/feeds/all.atom`, { method: 'HEAD', headers: identity });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(String(body.byteLength));
    expect(await head.text()).toBe('');
  });

  it('answers 404 with a short message for an unknown category or file name', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/feeds/nope.rss`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('Unknown category\n');
    expect((await fetch(`${base}/feeds/tech.xml`)).status).toBe(404);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('answers 400 for broken percent-encoding', async () => {
    const { base, logged } = await start();
    const res = await fetch(`${base}/feeds/%E9%87.rss`);
    expect(res.status).toBe(400);
    expect(logged).toEqual([]);
  });

  it('serves fresh bytes once ingest invalidates the category', async () => {
    const { base, store, cache } = await start();
    const before = await fetch(`${base}/feeds/tech.rss`);
    const result = await store.storeRun({ sourceKey: 'source:Other', articles: [article('Newer chips', '2025-01-01T00:00:00Z', [TECH])] });
    cache.invalidate(result.changedCategories);
    const after = await fetch(`${base}/feeds/tech.rss`);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(await after.text()).toContain('Newer chips');
  });
});

describe('conditional requests', () => {
  it('answers 304 to If-None-Match: exact, weak, in a list, or *', async () => {
    const { base } = await start();
    const url = `${base}/feeds/all.json`;
    const etag = (await fetch(url)).headers.get('etag')!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await fetch(url, { headers: { 'If-None-Match': header } });
      expect(res.status, header).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    expect((await fetch(url, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
  });

  it('answers 304 to If-Modified-Since only without If-None-Match', async () => {
    const { base } = await start();
    const url = `${base}/feeds/tech.rss`;
    const lastModified = (await fetch(url)).headers.get('last-modified')!;
    expect((await fetch(url, { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    expect((await fetch(url, { headers: { 'If-Modified-Since': 'Tue, 31 Dec 2024 00:00:00 GMT' } })).status).toBe(200);
    const both = await fetch(url, { headers: { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' } });
    expect(both.status).toBe(200);
  });
});

describe('OPML, index, health and sources', () => {
  it('lists every category feed in OPML', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/feeds.opml`);
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    const opml = await res.text();
    expect(opml).toContain(`xmlUrl="${base}${FINANCE_PATH}.rss"`);
    expect(opml).toContain(`xmlUrl="${base}/feeds/tech.rss"`);
    expect(opml).toContain(`xmlUrl="${base}/feeds/empty.rss"`);
  });

  it('shows categories, autodiscovery links and escaped source states on the index page', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="Test feeds (Atom)" href="${base}/feeds/all.atom">`);
    expect(html).toContain(`href="${base}${FINANCE_PATH}.json"`);
    expect(html).toContain(`href="${base}/feeds.opml"`);
    expect(html).toContain('Example &lt;feed&gt;');
    expect(html).toContain('HTTP 503 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    const etag = res.headers.get('etag')!;
    expect((await fetch(`${base}/`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });

  it('reports health from the database', async () => {
    const { base, store } = await start();
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect((await ok.text()).trim()).toBe('ok');
    await store.close();
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
  });

  it('lists source states as JSON', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/api/sources`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const sources = (await res.json()) as Array<Record<string, unknown>>;
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatchObject({ name: 'Example <feed>', httpStatus: 503, consecutiveFailures: 1, nextRun: '2025-01-01T00:15:00.000Z' });
  });

  it('answers 503 with Retry-After when the database fails a read, and logs it', async () => {
    const { base, store, logged } = await start();
    await store.close();
    const res = await fetch(`${base}/feeds/tech.rss?limit=3`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toBe('Database unavailable, retry in a moment\n');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ url: '/feeds/tech.rss?limit=3' });
  });

  it('logs the first of many database failures whole, counts the rest in a line per window, and says once when they stop', async () => {
    const { base, store, lines } = await start({ failureSummaryMs: 300 });
    await store.close();
    const urls = Array.from({ length: 20 }, (_, i) => `/feeds/tech.rss?limit=${i + 1}`);
    const first = await fetch(`${base}${urls[0]}`);
    expect(first.status).toBe(503);
    const rest = await Promise.all(urls.slice(1).map(async (url) => (await fetch(`${base}${url}`)).status));
    expect(rest).toEqual(urls.slice(1).map(() => 503));
    // Answered (and counted in /metrics) one by one, but one line with a stack, not twenty.
    expect(lines.filter((line) => line.msg === 'request failed')).toHaveLength(1);
    const stopped = () => lines.find((line) => line.msg === 'requests no longer fail on the database');
    await waitUntil(() => stopped() !== undefined, 'the line saying the failures stopped');

    // The first: what failed, why (its causes), where, with the stack.
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'request failed', url: urls[0], method: 'GET' });
    expect(lines[0]!['cause']).toEqual(expect.stringContaining(String(lines[0]!['error'])));
    expect(lines[0]!['stack']).toEqual(expect.stringContaining('StoreError'));
    // The other 19: counted in summary lines (one per window, a few urls named), no line (or stack) each.
    const summaries = lines.filter((line) => line.msg === 'requests failed: database unavailable');
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.reduce((sum, line) => sum + Number(line['failed']), 0)).toBe(19);
    for (const line of summaries) {
      expect(line).toMatchObject({ level: 'error', windowSeconds: 0.3 });
      expect((line['urls'] as string[]).length).toBeLessThanOrEqual(5);
      expect(urls).toEqual(expect.arrayContaining(line['urls'] as string[]));
      expect(line['stack']).toBeUndefined();
    }
    // And once that they stopped, with the outage's total.
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'requests no longer fail on the database', failed: 20 });
    expect(lines).toHaveLength(2 + summaries.length);
  });

  it('logs a failure and answers 500 without a stack trace', async () => {
    const failure = new Error('sources table is gone');
    const { base, logged } = await start({ listSources: () => Promise.reject(failure) });
    const res = await fetch(`${base}/api/sources`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toBe('Internal server error\n');
    expect(body).not.toContain('sources table');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ error: 'sources table is gone', url: '/api/sources' });
  });
});
