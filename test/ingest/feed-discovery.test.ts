// Discovery: a source URL answering an HTML page that advertises one feed is read from that feed, remembered in
// the source state (both backends) and polled directly afterwards; several advertised feeds are an error naming them.
import type { LookupFunction } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { runFeedSource, type FeedRunDeps } from '../../src/ingest/run-feed-source.js';
import type { Store } from '../../src/store/store.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const NOW = new Date('2024-05-01T06:00:00Z');
const page = (links: string) => `<!DOCTYPE html><html><head><title>Site</title>${links}</head><body><p>Welcome</p></body></html>`;
const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Site</title><id>urn:site</id><updated>2024-05-01T05:00:00Z</updated>
<entry><title>Discovered story</title><id>urn:1</id><link href="http://x.example/1"/><updated>2024-05-01T05:00:00Z</updated><summary>Text</summary></entry></feed>`;

let server: FixtureServer;
let feedAvailable = true;
beforeAll(async () => {
  server = await startFixtureServer({
    '/one': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(page('<link rel="alternate" type="application/atom+xml" title="All" href="/feed.atom">')),
    '/two': (_req, res) =>
      void res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(page('<link rel="alternate" type="application/rss+xml" href="/news.rss"><link rel="alternate" type="application/feed+json" href="https://cdn.example/feed.json">')),
    '/inside': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(page('<link rel="alternate" type="application/rss+xml" href="http://inside.example/feed.rss">')),
    '/feed.atom': (req, res) => {
      if (!feedAvailable) return void res.writeHead(404).end();
      if (req.headers['if-none-match'] === '"a1"') return void res.writeHead(304, { etag: '"a1"' }).end();
      res.writeHead(200, { 'content-type': 'application/atom+xml', etag: '"a1"' }).end(atom);
    },
  });
});
afterAll(() => server.close());

// Every name resolves to the fixture server; `inside.example` stands for a private address.
const lookup = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
  opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as LookupFunction;
const deps = (store: Store): FeedRunDeps => ({
  store,
  logger: pino({ level: 'silent' }),
  clock: () => NOW,
  resolveCategories: createCategoryResolver([]),
  fetchOptions: { timeoutMs: 2000, maxBytes: 1 << 20, userAgent: 't/1', lookup, addressPolicy: (_address, hostname) => hostname === 'inside.example' },
  nextRun: () => null,
});
const src = (name: string, url: string, extra: Partial<SourceConfig> = {}): SourceConfig => ({ name, url, categories: [], enabled: true, ...extra });
const requestsFor = (path: string) => server.requests.filter((r) => r === `GET ${path}`).length;

describe.each(BACKENDS)('feed discovery on %s', (backend) => {
  it('reads the one advertised feed, says so, and polls it directly (conditionally) afterwards', async () => {
    feedAvailable = true;
    const store = await openBackendStore(backend, createDedupPolicy(12 * 3600e3), { clock: () => NOW });
    const source = src('site', server.url('/one'));
    const pageBefore = requestsFor('/one');
    const first = await runFeedSource(source, deps(store));
    expect(first).toMatchObject({ ok: true, error: null });
    expect((await store.listCategoryStories('all', 10)).map((story) => story.title)).toEqual(['Discovered story']);
    const feedUrl = server.url('/feed.atom');
    expect(await store.getSourceState('site')).toMatchObject({
      discoveredUrl: feedUrl, lastError: `using ${feedUrl}; put it in the config`, etag: '"a1"', consecutiveFailures: 0,
    });

    const second = await runFeedSource(source, deps(store));
    expect(second).toMatchObject({ ok: true, notModified: true });
    expect(requestsFor('/one') - pageBefore).toBe(1);
    expect(await store.getSourceState('site')).toMatchObject({ httpStatus: 304, discoveredUrl: feedUrl, lastError: `using ${feedUrl}; put it in the config` });
  });

  it('asks the page again once the discovered feed is gone', async () => {
    feedAvailable = true;
    const store = await openBackendStore(backend, createDedupPolicy(12 * 3600e3), { clock: () => NOW });
    const source = src('site', server.url('/one'));
    await runFeedSource(source, deps(store));
    feedAvailable = false;
    const gone = await runFeedSource(source, deps(store));
    expect(gone.error).toBe(`${server.url('/feed.atom')}: HTTP 404 Not Found`);
    expect(await store.getSourceState('site')).toMatchObject({ discoveredUrl: null, consecutiveFailures: 1 });
    feedAvailable = true;
    const pageBefore = requestsFor('/one');
    expect((await runFeedSource(source, deps(store))).ok).toBe(true);
    expect(requestsFor('/one') - pageBefore).toBe(1);
  });

  it('names every advertised feed when there are several, and stores nothing', async () => {
    const store = await openBackendStore(backend, createDedupPolicy(12 * 3600e3), { clock: () => NOW });
    const run = await runFeedSource(src('two', server.url('/two')), deps(store));
    expect(run.error).toBe(`${server.url('/two')}: not a feed (HTML page); it advertises ${server.url('/news.rss')}, https://cdn.example/feed.json`);
    expect(await store.getSourceState('two')).toMatchObject({ discoveredUrl: null, consecutiveFailures: 1, httpStatus: 200 });
    expect(await store.listCategoryStories('all', 10)).toEqual([]);
  });

  it('sends the discovered feed through the network guard of the source', async () => {
    const store = await openBackendStore(backend, createDedupPolicy(12 * 3600e3), { clock: () => NOW });
    const publicPage = server.url('/inside').replace('127.0.0.1', 'www.example.org');
    const run = await runFeedSource(src('guarded', publicPage), deps(store));
    expect(run.error).toBe('http://inside.example/feed.rss: refused: inside.example resolves to private address 127.0.0.1');
    expect(await store.getSourceState('guarded')).toMatchObject({ discoveredUrl: null, consecutiveFailures: 1 });
  });
});
