import { describe, it, expect } from 'vitest';
import { createRenderCache } from '../../src/publish/render-cache.js';
import type { Store } from '../../src/store/store.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';

const site = { baseUrl: 'http://feeds.test', title: 'Test feeds' };

/** The real store, counting how often the cache reads stories (to observe renders). */
function counting(store: Store): { store: Store; renders: () => number } {
  let count = 0;
  const wrapped: Store = {
    ...store,
    listCategoryStories: (slug, limit) => {
      count += 1;
      return store.listCategoryStories(slug, limit);
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
      listCategoryStories: (slug, limit) =>
        fail ? Promise.reject(new Error('database is locked')) : store.listCategoryStories(slug, limit),
    };
    const cache = createRenderCache({ store: flaky, site, items: 50 });
    await expect(cache.getFeed('all', 'rss')).rejects.toThrow('database is locked');
    fail = false;
    expect(await cache.getFeed('all', 'rss')).not.toBeNull();
  });
});
