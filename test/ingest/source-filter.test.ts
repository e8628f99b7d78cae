// A source's filter decides what is stored, on both backends: a real feed server, a real store, real runs.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { runFeedSource, type FeedRunDeps } from '../../src/ingest/run-feed-source.js';
import type { Store } from '../../src/store/store.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { serveStore } from '../server/serve.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const NOW = new Date('2024-05-01T06:00:00Z');
interface Item { id: string; title: string; author?: string; category?: string; body?: string }
let items: Item[] = [];
const rss = () =>
  `<rss version="2.0"><channel><title>T</title>${items
    .map((i) => `<item><guid>${i.id}</guid><title>${i.title}</title><link>http://news.example/${i.id}</link><pubDate>Wed, 01 May 2024 05:00:00 GMT</pubDate>${i.author ? `<author>${i.author}</author>` : ''}${i.category ? `<category>${i.category}</category>` : ''}<description>${i.body ?? 'Body text.'}</description></item>`)
    .join('')}</channel></rss>`;

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss()) });
});
afterAll(() => server.close());

const deps = (store: Store): FeedRunDeps => ({
  store,
  logger: pino({ level: 'silent' }),
  clock: () => NOW,
  resolveCategories: createCategoryResolver([]),
  fetchOptions: { timeoutMs: 5000, maxBytes: 1 << 20, userAgent: 't/1' },
  nextRun: () => null,
});
const source = (filter: SourceConfig['filter']): SourceConfig => ({ name: 'news', url: server.url('/feed.xml'), categories: ['金融'], enabled: true, filter });
const storedTitles = async (store: Store) => (await store.listCategoryStories('all', 100)).map((s) => s.title).sort();

describe.each(BACKENDS)('source filter on %s', (backend) => {
  it('stores what passes, records each drop once under its rule, and counts drops per rule', async () => {
    const store = await openBackendStore(backend, createDedupPolicy(12 * 3600e3), { clock: () => NOW });
    items = [
      { id: 'a', title: 'Bitcoin climbs' },
      { id: 'b', title: 'SPONSORED: Bitcoin wallet' },
      { id: 'c', title: '【广告】比特币课程' },
      { id: 'd', title: '比特币 daily', author: '机器人7号' },
      { id: 'e', title: 'Gold steady' },
      { id: 'f', title: 'Bitcoin promo', category: '推广' },
      { id: 'g', title: 'Bitcoin video', body: 'Watch it.' },
    ];
    const filter = { block: ['(?i)sponsored', 'title:^【广告】', 'author:^机器人', 'category:推广'], keep: ['title:(?i)bitcoin|比特币'] };
    const first = await runFeedSource(source(filter), deps(store));
    expect(first.ok).toBe(true);
    expect(await storedTitles(store)).toEqual(['Bitcoin climbs', 'Bitcoin video']);
    const counts = [
      { sourceKey: 'source:news', rule: 'block: (?i)sponsored', count: 1 },
      { sourceKey: 'source:news', rule: 'block: author:^机器人', count: 1 },
      { sourceKey: 'source:news', rule: 'block: category:推广', count: 1 },
      { sourceKey: 'source:news', rule: 'block: title:^【广告】', count: 1 },
      { sourceKey: 'source:news', rule: 'keep: no rule matched', count: 1 },
    ];
    expect(await store.filterCounts()).toEqual(counts);
    const served = await serveStore(store);
    try {
      const [news] = (await (await fetch(`${served.base}/api/sources`)).json()) as { name: string; filtered: unknown }[];
      expect(news).toMatchObject({ name: 'news', filtered: { total: 5, byRule: counts.map(({ rule, count }) => ({ rule, count })) } });
      const page = await (await fetch(`${served.base}/`)).text();
      expect(page).toContain('5 articles dropped by the filter</summary>');
      expect(page).toContain('<li><code>block: title:^【广告】</code>: 1</li>');
    } finally {
      await served.close();
    }

    // The next poll lists the same items: nothing new stored, each drop still counted once.
    await runFeedSource(source(filter), deps(store));
    expect(await store.filterCounts()).toEqual(counts);

    // An item edited so that it now passes stays out while the same rules stand…
    items[1] = { id: 'b', title: 'Bitcoin wallet' };
    await runFeedSource(source(filter), deps(store));
    expect(await storedTitles(store)).toEqual(['Bitcoin climbs', 'Bitcoin video']);

    // …and is decided again under new rules: stored now, and its drop record forgotten.
    const relaxed = { block: ['title:^【广告】', 'author:^机器人', 'category:推广', 'link:/g$'], keep: filter.keep };
    await runFeedSource(source(relaxed), deps(store));
    expect(await storedTitles(store)).toEqual(['Bitcoin climbs', 'Bitcoin video', 'Bitcoin wallet']);
    expect((await store.filterCounts()).find((c) => c.rule === 'block: (?i)sponsored')).toBeUndefined();
    // A stored article a new rule matches stays stored; its drop is recorded (link:/g$ matches item g).
    expect((await store.filterCounts()).find((c) => c.rule === 'block: link:/g$')).toEqual({ sourceKey: 'source:news', rule: 'block: link:/g$', count: 1 });
  });

  it('runs a pathological rule over a long title without hanging the run', async () => {
    const store = await openBackendStore(backend, createDedupPolicy(12 * 3600e3), { clock: () => NOW });
    items = [{ id: 'p', title: `${'a'.repeat(5000)}!` }, { id: 'q', title: 'aaaa' }];
    const run = await runFeedSource(source({ block: ['title:(a+)+$'] }), deps(store));
    expect(run.ok).toBe(true);
    expect((await storedTitles(store)).map((t) => t.length)).toEqual([5001]);
    expect(await store.filterCounts()).toEqual([{ sourceKey: 'source:news', rule: 'block: title:(a+)+$', count: 1 }]);
  });
});
