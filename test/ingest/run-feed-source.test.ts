import type { LookupFunction } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { MAX_ITEM_HTML_CHARS, runFeedSource, type FeedRunDeps, type RunOutcome } from '../../src/ingest/run-feed-source.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';

const NOW = new Date('2024-05-01T06:00:00Z');
const feed = `<rss version="2.0"><channel><title>T</title><ttl>90</ttl><item><title>One</title><link>http://x.example/1</link><pubDate>Wed, 01 May 2024 05:00:00 GMT</pubDate></item></channel></rss>`;
// One item just over MAX_ITEM_HTML_CHARS (cleaning it costs ~100× on the heap: 9.5 MB ran the service out of memory).
const hugeBody = `<p>${'word '.repeat((2 * 1024 * 1024) / 5 + 1)}</p>`;
const bigFeed = `<rss version="2.0"><channel><title>T</title>`
  + `<item><title>Huge</title><link>http://x.example/huge</link><description><![CDATA[${hugeBody}]]></description></item>`
  + `<item><title>Small</title><link>http://x.example/small</link><description>Fine</description></item></channel></rss>`;
let server: FixtureServer;
let store: Store;
const outcomes: RunOutcome[] = [];

beforeAll(async () => {
  server = await startFixtureServer({
    '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml', 'cache-control': 'max-age=600' }).end(feed),
    '/busy': (_req, res) => void res.writeHead(503, { 'retry-after': '300' }).end(),
    '/big.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(bigFeed),
  });
  store = await openSqliteStore(':memory:', createDedupPolicy(12 * 3600e3), { clock: () => NOW });
});
afterAll(async () => {
  await store.close();
  await server.close();
});

const lookup = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
  opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as LookupFunction;
const deps = (): FeedRunDeps => ({
  store,
  logger: pino({ level: 'silent' }),
  clock: () => NOW,
  resolveCategories: createCategoryResolver([]),
  fetchOptions: { timeoutMs: 2000, maxBytes: 1 << 20, userAgent: 't/1', lookup },
  nextRun: (outcome) => {
    outcomes.push(outcome);
    return null;
  },
});
const src = (name: string, url: string, extra: Partial<SourceConfig> = {}): SourceConfig => ({ name, url, categories: [], enabled: true, ...extra });

describe('runFeedSource', () => {
  it('hands ttl and max-age of a success, and Retry-After of a 503, to the next-run policy', async () => {
    await runFeedSource(src('ok', server.url('/feed.xml')), deps());
    expect(outcomes.at(-1)).toEqual({ ok: true, consecutiveFailures: 0, ttlMinutes: 90, maxAgeMs: 600_000 });
    await runFeedSource(src('busy', server.url('/busy')), deps());
    await runFeedSource(src('busy', server.url('/busy')), deps());
    expect(outcomes.at(-1)).toEqual({ ok: false, consecutiveFailures: 2, retryAfterMs: 300_000 });
  });

  it('lets a source configured with a private address reach it, and refuses a public name resolving there', async () => {
    expect((await runFeedSource(src('local', server.url('/feed.xml')), deps())).ok).toBe(true);
    const publicUrl = server.url('/feed.xml').replace('127.0.0.1', 'feeds.example.com');
    const refused = await runFeedSource(src('public', publicUrl), deps());
    expect(refused.error).toBe(`${publicUrl}: refused: feeds.example.com resolves to private address 127.0.0.1`);
    expect((await store.getSourceState('public'))?.lastError).toBe(refused.error);
  });

  it('honours allowPrivateNetworks on the source either way', async () => {
    const publicUrl = server.url('/feed.xml').replace('127.0.0.1', 'feeds.example.com');
    expect((await runFeedSource(src('opted-in', publicUrl, { allowPrivateNetworks: true }), deps())).ok).toBe(true);
    const lockedDown = await runFeedSource(src('locked', server.url('/feed.xml'), { allowPrivateNetworks: false }), deps());
    expect(lockedDown.error).toContain('refused: 127.0.0.1 resolves to private address 127.0.0.1');
  });

  it('drops an item with more HTML than MAX_ITEM_HTML_CHARS with a warning naming it, and stores the rest', async () => {
    const outcome = await runFeedSource(src('big', server.url('/big.xml')), { ...deps(), fetchOptions: { ...deps().fetchOptions, maxBytes: 8 << 20 } });
    expect(outcome.ok).toBe(true);
    expect(outcome.warnings).toContain(`item 1 (Huge): dropped, ${hugeBody.length + 'Huge'.length} characters of HTML (at most ${MAX_ITEM_HTML_CHARS} are cleaned)`);
    const titles = (await store.listCategoryStoriesWithin('all', 50, Infinity)).map((story) => story.title);
    expect(titles).toContain('Small');
    expect(titles).not.toContain('Huge');
  });
});
