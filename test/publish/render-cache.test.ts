import { describe, it, expect } from 'vitest';
import { fixedFeedPolicy } from '../../src/publish/feed-policy.js';
import { createRenderCache } from '../../src/publish/render-cache.js';
import { RENDER_MAX_TEXT_CHARS } from '../../src/publish/render-documents.js';
import type { Store } from '../../src/store/store.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';

const site = { baseUrl: 'http://feeds.test', title: 'Test feeds' };

/** The real store, counting how often the cache reads stories (to observe renders). */
function counting(store: Store): { store: Store; renders: () => number } {
  let count = 0;
  const wrapped: Store = {
    ...store,
    listCategoryStoriesWithin: (slug, limit, maxTextChars) => {
      count += 1;
      return store.listCategoryStoriesWithin(slug, limit, maxTextChars);
    },
  };
  return { store: wrapped, renders: () => count };
}

async function seeded() {
  const { store, setNow } = await openTestStore('2025-01-01T00:00:00Z');
  await store.storeRun({
    sourceKey: 'source:Example',
    articles: [
      article('央行降准 释放资金', '2024-12-30T08:00:00Z', [FINANCE]),
      article('New chips', '2024-12-31T08:00:00Z', [TECH]),
    ],
  });
  return { store, setNow };
}

/** The seeded store with eight tech stories of a quarter of the render budget each: a few fit, eight do not. */
async function withBigStories(): Promise<Store> {
  const { store } = await seeded();
  const big = 'x'.repeat(RENDER_MAX_TEXT_CHARS / 4 - 1024);
  await store.storeRun({
    sourceKey: 'source:Big',
    articles: Array.from({ length: 8 }, (_, i) => article(`Big story ${i}`, `2024-12-0${i + 1}T08:00:00Z`, [TECH], { contentHtml: `<p>${big}</p>` })),
  });
  return store;
}

describe('render cache', () => {
  it('renders a category once and serves the same bytes with a quoted strong ETag', async () => {
    const { store } = await seeded();
    const { store: spy, renders } = counting(store);
    const cache = createRenderCache({ store: spy, site, items: 50 });
    const first = await cache.getFeed(FINANCE.slug, 'rss');
    const second = await cache.getFeed(FINANCE.slug, 'rss');
    expect(first).not.toBeNull();
    expect(second).toBe(first);
    expect(renders()).toBe(1);
    expect(first!.etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    expect(first!.contentType).toBe('application/rss+xml; charset=utf-8');
    const category = await store.getCategory(FINANCE.slug);
    expect(first!.lastModified).toEqual(category!.lastChanged);
    const parsed = await parseWithFeedparser(first!.body);
    expect(parsed.entries.map((e) => e.title)).toEqual(['央行降准 释放资金']);
  });

  it('shares one render between concurrent requests for a missing entry', async () => {
    const { store } = await seeded();
    const { store: spy, renders } = counting(store);
    const cache = createRenderCache({ store: spy, site, items: 50 });
    const results = await Promise.all(Array.from({ length: 5 }, () => cache.getFeed('all', 'atom')));
    expect(renders()).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('keeps formats and limits apart', async () => {
    const { store } = await seeded();
    const cache = createRenderCache({ store, site, items: 50 });
    const rss = await cache.getFeed('all', 'rss');
    const json = await cache.getFeed('all', 'json');
    const one = await cache.getFeed('all', 'json', 1);
    expect(rss!.etag).not.toBe(json!.etag);
    expect(JSON.parse(json!.body.toString()).items).toHaveLength(2);
    expect(JSON.parse(one!.body.toString()).items).toHaveLength(1);
  });

  it('serves stale bytes until invalidated, then renders the change', async () => {
    const { store, setNow } = await seeded();
    const cache = createRenderCache({ store, site, items: 50 });
    const before = await cache.getFeed(FINANCE.slug, 'json');
    const allBefore = await cache.getFeed('all', 'json');
    const opmlBefore = await cache.getOpml();

    setNow('2025-01-02T00:00:00Z');
    const result = await store.storeRun({
      sourceKey: 'source:Other',
      articles: [article('Bond yields fall', '2025-01-01T12:00:00Z', [FINANCE, { slug: 'bonds', name: 'Bonds' }])],
    });
    expect(await cache.getFeed(FINANCE.slug, 'json')).toBe(before);

    cache.invalidate(result.changedCategories);
    const after = await cache.getFeed(FINANCE.slug, 'json');
    expect(after!.etag).not.toBe(before!.etag);
    expect(JSON.parse(after!.body.toString()).items.map((i: { title: string }) => i.title)).toEqual([
      'Bond yields fall',
      '央行降准 释放资金',
    ]);
    expect(after!.lastModified.getTime()).toBeGreaterThan(before!.lastModified.getTime());
    // `all` and the OPML list depend on every category, so they go too.
    expect((await cache.getFeed('all', 'json'))!.etag).not.toBe(allBefore!.etag);
    const opml = await cache.getOpml();
    expect(opml.etag).not.toBe(opmlBefore.etag);
    expect(opml.body.toString()).toContain('xmlUrl="http://feeds.test/feeds/bonds.rss"');
  });

  it('answers null for an unknown category without remembering it', async () => {
    const { store } = await seeded();
    const cache = createRenderCache({ store, site, items: 50 });
    expect(await cache.getFeed('later', 'rss')).toBeNull();
    await store.declareCategories([{ slug: 'later', name: 'Later' }]);
    expect(await cache.getFeed('later', 'rss')).not.toBeNull();
  });

  it('dates an empty category by the clock', async () => {
    const { store } = await seeded();
    const now = new Date('2025-03-04T05:06:07Z');
    const cache = createRenderCache({ store, site, items: 50, now: () => now });
    const empty = await cache.getFeed('empty', 'atom');
    expect(empty!.lastModified).toEqual(now);
    expect(empty!.body.toString()).toContain('<updated>2025-03-04T05:06:07.000Z</updated>');
  });

  it('does not keep a failed render', async () => {
    const { store } = await seeded();
    let fail = true;
    const flaky: Store = {
      ...store,
      listCategoryStoriesWithin: (slug, limit, maxTextChars) =>
        fail ? Promise.reject(new Error('database is locked')) : store.listCategoryStoriesWithin(slug, limit, maxTextChars),
    };
    const cache = createRenderCache({ store: flaky, site, items: 50 });
    await expect(cache.getFeed('all', 'rss')).rejects.toThrow('database is locked');
    fail = false;
    expect(await cache.getFeed('all', 'rss')).not.toBeNull();
  });
});

describe('render cache bounds', () => {
  it('keeps nothing for unknown categories, however many are asked for', async () => {
    const { store } = await seeded();
    const cache = createRenderCache({ store, site, items: 50 });
    await cache.getFeed(TECH.slug, 'rss');
    const before = cache.stats();
    for (let i = 0; i < 2_000; i++) {
      const slug = `made-up-${i}-${'x'.repeat(200)}`;
      expect(await cache.getFeed(slug, 'rss')).toBeNull();
      expect(await cache.getArchive(slug, 1, 'atom')).toBeNull();
      expect(await cache.getPreview(slug)).toBeNull();
    }
    expect(cache.stats()).toEqual(before);
    expect(before.entries).toBe(1);
  });

  it('stays within its byte budget, dropping the least recently used document first', async () => {
    const { store } = await seeded();
    const probe = createRenderCache({ store, site, items: 50 });
    await probe.getFeed('all', 'rss');
    const one = probe.stats().bytes;
    // Room for two such documents, not three.
    const cache = createRenderCache({ store, site, items: 50, budgetBytes: Math.floor(one * 2.5) });
    await cache.getFeed('all', 'rss');
    await cache.getFeed('all', 'atom');
    expect(cache.peekFeed('all', 'rss')).toBeDefined(); // a use: `atom` is now the oldest
    await cache.getFeed('all', 'json');
    const stats = cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(stats.budgetBytes);
    expect(stats.evictions).toBe(1);
    expect(cache.peekFeed('all', 'atom')).toBeUndefined();
    expect(cache.peekFeed('all', 'rss')).toBeDefined();
    expect(cache.peekFeed('all', 'json')).toBeDefined();
  });

  it('renders a one-off limit without keeping or precompressing it, a few at a time', async () => {
    const { store } = await seeded();
    let inFlight = 0;
    let most = 0;
    const slow: Store = {
      ...store,
      // A one-off render reads the stories that fit its text budget.
      listCategoryStoriesWithin: async (slug, limit, max) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return store.listCategoryStoriesWithin(slug, limit, max);
      },
    };
    const cache = createRenderCache({ store: slow, site, items: 50, rendersAtOnce: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => cache.getFeed('all', 'rss', 1)));
    expect(most).toBe(2);
    for (const r of results) {
      expect(r!.gzip).toBeUndefined();
      expect(r!.br).toBeUndefined();
    }
    expect(cache.stats().entries).toBe(0);
  });

  it('caps the text of a one-off render', async () => {
    const store = await withBigStories();
    // Stories the render reads from the store, whichever listing it uses.
    let read = 0;
    const counted: Store = {
      ...store,
      listCategoryStories: async (slug, limit) => store.listCategoryStories(slug, limit).then((list) => ((read += list.length), list)),
      listCategoryStoriesWithin: async (slug, limit, max) => store.listCategoryStoriesWithin(slug, limit, max).then((list) => ((read += list.length), list)),
    };
    const cache = createRenderCache({ store: counted, site, items: 50 });
    const r = await cache.getFeed(TECH.slug, 'json', 1000);
    const items = JSON.parse(r!.body.toString()).items as unknown[];
    expect(items.length).toBeGreaterThan(1);
    expect(items.length).toBeLessThan(8);
    // Only what it publishes: the stories over the budget (and the older small one) stay in the database.
    expect(read).toBe(items.length);
  });

  it('caps the text of every document of several stories, cached or not: feeds, saved and one-off searches, archives, previews', async () => {
    const store = await withBigStories();
    const policy = fixedFeedPolicy(15, { savedQueries: new Map([['big', 'big']]) });
    const cache = createRenderCache({ store, site, items: 50, policy, archivePageSize: 10 });
    const feedItems = async (rendered: Promise<{ body: Buffer } | null>) => (JSON.parse((await rendered)!.body.toString()) as { items: unknown[] }).items.length;
    const entries = async (rendered: Promise<{ body: Buffer } | null>) => ((await rendered)!.body.toString().match(/<entry>/g) ?? []).length;
    const counts = {
      feed: await feedItems(cache.getFeed(TECH.slug, 'json')),
      savedSearch: await feedItems(cache.getFeed('big', 'json')),
      search: await feedItems(cache.search('big', 'json', 1000)),
      archive: await entries(cache.getArchive(TECH.slug, 1, 'atom')),
      preview: ((await cache.getPreview(TECH.slug))!.body.toString().match(/Big story/g) ?? []).length,
    };
    // Four of the big stories fit in the budget, never all eight (nor one alone: the budget is not one story).
    for (const [document, n] of Object.entries(counts)) expect({ document, fits: n > 1 && n < 8 }).toEqual({ document, fits: true });
  });

  it('lists every result on the search page however long the bodies, holding one page of them at a time', async () => {
    const store = await withBigStories();
    const pages: number[] = [];
    const counted: Store = {
      ...store,
      searchStories: (query, limit, page) => store.searchStories(query, limit, page).then((result) => (pages.push(result.stories.length), result)),
    };
    const cache = createRenderCache({ store: counted, site, items: 50 });
    const html = (await cache.searchPage('big')).body.toString();
    expect((html.match(/<article>/g) ?? []).length).toBe(8);
    expect(html).toContain('<p class="count">8 matches · subscribe');
    expect((html.match(/<p class="snippet">x{20}/g) ?? []).length).toBe(8);
    // Four big stories fit in one page's text: more than one page, none holding all eight.
    expect(pages.length).toBeGreaterThan(1);
    expect(Math.max(...pages)).toBeLessThan(8);
  });
});
