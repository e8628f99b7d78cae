// A stop (SIGTERM) while a full-text source waits for its pages: nothing is recorded, so the next process fetches
// the pages and stores their full text, not the summaries.
import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { runFeedSource, type FeedRunDeps } from '../../src/ingest/run-feed-source.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { openBackendStore } from '../support/store-backends.js';
import { waitFor } from '../ops/harness.js';

const PAGE = readFileSync(new URL('../fixtures/fulltext/news-page.html', import.meta.url), 'utf8');
const SLUGS = ['a', 'b', 'c'];
let server: FixtureServer;
/** Page requests are held while `holding`: the stop lands while the run waits for the first. */
const held: (() => void)[] = [];
let holding = true;
const rss = () => `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title><link>${server.url('/')}</link>
${SLUGS.map((s) => `<item><title>Story ${s}</title><link>${server.url(`/news/${s}`)}</link><guid>${s}</guid><pubDate>Wed, 01 May 2024 05:00:00 GMT</pubDate><description>SUMMARY-${s}</description></item>`).join('\n')}</channel></rss>`;

beforeAll(async () => {
  const routes: Parameters<typeof startFixtureServer>[0] = { '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss()) };
  for (const slug of SLUGS) {
    routes[`/news/${slug}`] = (_req, res) => {
      const answer = () => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE.replaceAll('{{TITLE}}', slug).replaceAll('{{LEAD}}', `LEAD-${slug}.`));
      if (holding) held.push(answer);
      else answer();
    };
  }
  server = await startFixtureServer(routes);
});
afterAll(() => {
  for (const release of held.splice(0)) release();
  server.close();
});

const toLoopback = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
  opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as LookupFunction;

it('saves no page and stores nothing when stopped while pages are fetched; the next run stores the full text', async () => {
  const store = await openBackendStore('sqlite', createDedupPolicy(12 * 3_600_000));
  const source: SourceConfig = { name: 'harbour', url: server.url('/feed.xml'), categories: [], enabled: true, fullText: true } as SourceConfig;
  const deps = (signal?: AbortSignal): FeedRunDeps => ({
    store, logger: pino({ level: 'silent' }), clock: () => new Date(), resolveCategories: createCategoryResolver([]),
    fetchOptions: { timeoutMs: 60_000, maxBytes: 8 << 20, userAgent: 'test/1', lookup: toLoopback, ...(signal ? { signal } : {}) },
    nextRun: () => null, backoffCapMs: 6 * 3_600_000,
  });
  const stop = new AbortController();
  const stopped = runFeedSource(source, deps(stop.signal));
  await waitFor(() => held.length > 0, 10_000, 'the first page request');
  stop.abort();
  await stopped.catch(() => undefined);
  expect((await store.getFullTextPages(SLUGS.map((s) => server.url(`/news/${s}`)))).size).toBe(0);
  expect(await store.getSourceState('harbour')).toBeNull();

  holding = false;
  for (const release of held.splice(0)) release();
  const next = await runFeedSource(source, deps());
  expect(next.warnings).toEqual([]);
  const bodies = (await store.listCategoryStories('all', 10)).map((story) => story.contentHtml);
  expect(bodies).toHaveLength(3);
  for (const body of bodies) expect(body).toMatch(/LEAD-[abc]\./);
  await store.close();
});
