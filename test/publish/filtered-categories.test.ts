// A filtered category (`filter:` on a category, or on a saved query) counts on the index page what its feed
// can publish, and a `?limit=` render of it reads the category a page at a time, only as far as it publishes.
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/config/filter-rules.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { FILTER_PAGE_SIZE, FILTER_PAGE_TEXT_CHARS, FILTER_SCAN_MAX, storyPasses } from '../../src/publish/category-filters.js';
import { fixedFeedPolicy } from '../../src/publish/feed-policy.js';
import { RENDER_MAX_TEXT_CHARS, storiesWithinBudget } from '../../src/publish/render-documents.js';
import type { Store } from '../../src/store/store.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { rawRequest, serveStore } from '../server/serve.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const bitcoin = compileFilter({ keep: ['title:^Bitcoin'] });
// Every tenth story is about bitcoin; those carry long bodies, so a `?limit=1000` render runs out of text first.
const LONG_BODY = `<p>${'比特币价格 '.repeat(12_000)}</p>`;
const STORIES = 400;

async function techStore(backend: (typeof BACKENDS)[number]): Promise<Store> {
  const store = await openBackendStore(backend, createDedupPolicy(12 * HOUR));
  const articles = Array.from({ length: STORIES }, (_, i) => {
    const about = i % 10 === 0 ? 'Bitcoin' : 'Other';
    return article({
      sourceKey: 'source:T', originId: `t${i}`, title: `${about} story number ${i}`, published: at(-i), categories: [cat('tech', 'Tech')],
      contentHtml: about === 'Bitcoin' ? LONG_BODY : `<p>${about} ${i}</p>`,
    });
  });
  await store.storeRun({ sourceKey: 'source:T', articles });
  return store;
}

/** The store, counting the stories every listing hands the renderer and the largest single read. */
function counting(store: Store) {
  const reads = { stories: 0, largest: 0 };
  const add = (list: Awaited<ReturnType<Store['listCategoryStories']>>) => {
    reads.stories += list.length;
    reads.largest = Math.max(reads.largest, list.length);
    return list;
  };
  const counted: Store = {
    ...store,
    searchStories: (query, limit, page) => store.searchStories(query, limit, page).then((result) => (add(result.stories), result)),
    listCategoryStories: (slug, limit) => store.listCategoryStories(slug, limit).then(add),
    listCategoryStoriesWithin: (slug, limit, max) => store.listCategoryStoriesWithin(slug, limit, max).then(add),
    listCategoryStoriesAfter: (slug, after, limit, max) => store.listCategoryStoriesAfter(slug, after, limit, max).then(add),
  };
  return { counted, reads };
}

describe.each(BACKENDS)('filtered categories on %s', (backend) => {
  it('reads stories over half the page text budget one at a time, for the count on / and for the feed', async () => {
    // Six bitcoin stories of 600 Ki characters: two do not fit one page's text, so each read holds one story.
    const body = `<p>${'b'.repeat(600 * 1024)}</p>`;
    const store = await openBackendStore(backend, createDedupPolicy(12 * HOUR));
    await store.storeRun({
      sourceKey: 'source:T',
      articles: Array.from({ length: 6 }, (_, i) => article({
        sourceKey: 'source:T', originId: `big${i}`, title: `Bitcoin story ${i}`, published: at(-i), categories: [cat('tech', 'Tech')], contentHtml: body,
      })),
    });
    await store.declareCategories([{ slug: 'story', name: 'Stories' }]);
    expect(2 * 600 * 1024).toBeGreaterThan(FILTER_PAGE_TEXT_CHARS);
    const { counted, reads } = counting(store);
    const policy = fixedFeedPolicy(15, { categoryFilters: new Map([['tech', bitcoin], ['story', bitcoin]]), savedQueries: new Map([['story', 'story']]) });
    const served = await serveStore(counted, { policy });
    try {
      const page = (await rawRequest(`${served.base}/`)).body.toString();
      const count = (slug: string) => page.match(new RegExp(`<tr id="category-${slug}">.*?<td class="num">(\\d+)</td>`))?.[1];
      expect({ tech: count('tech'), story: count('story') }).toEqual({ tech: '6', story: '6' });
      expect(reads.largest).toBe(1);
      for (const slug of ['tech', 'story']) {
        const feed = JSON.parse((await rawRequest(`${served.base}/feeds/${slug}.json`)).body.toString()) as { items: { title: string }[] };
        expect({ slug, titles: feed.items.map((item) => item.title) }).toEqual({ slug, titles: ['Bitcoin story 0'] });
      }
      expect(reads.largest).toBe(1);
    } finally {
      await served.close();
    }
  });

  it('the index page counts what a filtered category and a filtered saved query publish, not every story', async () => {
    const store = await techStore(backend);
    const policy = fixedFeedPolicy(15, {
      categoryFilters: new Map([['tech', bitcoin], ['story', bitcoin]]),
      savedQueries: new Map([['story', 'story']]),
    });
    await store.declareCategories([{ slug: 'story', name: 'Stories' }]);
    const served = await serveStore(store, { policy });
    try {
      const page = (await rawRequest(`${served.base}/`)).body.toString();
      const count = (slug: string) => page.match(new RegExp(`<tr id="category-${slug}">.*?<td class="num">(\\d+)</td>`))?.[1];
      expect(count('tech')).toBe(String(STORIES / 10));
      const matches = (await store.searchStories('story', FILTER_SCAN_MAX)).stories;
      expect(matches.length).toBeGreaterThan(0);
      expect(count('story')).toBe(String(matches.filter((story) => storyPasses(bitcoin, story)).length));
    } finally {
      await served.close();
    }
  });

  it('a ?limit= render of a filtered category publishes what it did, reading pages only as far as it publishes', async () => {
    const store = await techStore(backend);
    const { counted, reads } = counting(store);
    const served = await serveStore(counted, { policy: fixedFeedPolicy(15, { categoryFilters: new Map([['tech', bitcoin]]) }) });
    try {
      const feed = JSON.parse((await rawRequest(`${served.base}/feeds/tech.json?limit=1000`)).body.toString()) as { items: { title: string }[] };
      // What the render published before paging: the first 1000 passing of the newest FILTER_SCAN_MAX, cut to the text budget.
      const everything = (await store.listCategoryStories('tech', FILTER_SCAN_MAX)).filter((story) => storyPasses(bitcoin, story));
      const expected = storiesWithinBudget(everything.slice(0, 1000), RENDER_MAX_TEXT_CHARS).map((story) => story.title);
      expect(expected.length).toBeGreaterThan(1);
      expect(expected.length).toBeLessThan(everything.length);
      expect(feed.items.map((item) => item.title)).toEqual(expected);
      // One page at a time, and only up to the page holding the first passing story over the budget (every
      // tenth passes: the next one is at position 10 × published; pages are cut to their text, so that page ends
      // under FILTER_PAGE_SIZE stories later), where the render read all 400 before.
      expect(reads.largest).toBeLessThanOrEqual(FILTER_PAGE_SIZE);
      expect(reads.stories).toBeLessThan(10 * expected.length + FILTER_PAGE_SIZE);
      expect(reads.stories).toBeLessThan(STORIES);
    } finally {
      await served.close();
    }
  });
});
