import { describe, it, expect } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { storiesWithinBudget } from '../../src/publish/render-documents.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const NOW = new Date('2025-03-01T12:00:00Z');

describe.each(BACKENDS)('categories on %s', (backend) => {
  async function storeWithStories() {
    const store = await openBackendStore(backend, policy, { clock: () => NOW });
    // Day by day, alternating between two categories; two stories share one publication time.
    const articles = Array.from({ length: 10 }, (_, day) =>
      article({ sourceKey: 'source:A', originId: `d${day}`, title: `Story of day ${day}`, published: at(day * 24), categories: day % 2 ? [cat('tech', 'Tech')] : [cat('finance', '金融'), cat('tech', 'Tech')] }),
    );
    articles.push(article({ sourceKey: 'source:A', originId: 'twin', title: 'Twin of day 9', published: at(9 * 24), categories: [cat('tech', 'Tech')] }));
    await store.storeRun({ sourceKey: 'source:A', articles });
    return store;
  }

  describe('listCategoryStories', () => {
    it('lists a category newest first, then by id, up to the limit', async () => {
      const store = await storeWithStories();
      const tech = await store.listCategoryStories('tech', 4);
      expect(tech).toHaveLength(4);
      const keys = tech.map((story) => [story.published.getTime(), story.id] as const);
      const sorted = [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
      expect(keys).toEqual(sorted);
      expect(tech[0]!.published).toEqual(at(9 * 24));
      expect(tech[1]!.published).toEqual(at(9 * 24));
      expect(tech.slice(2).map((story) => story.title)).toEqual(['Story of day 8', 'Story of day 7']);

      const finance = await store.listCategoryStories('finance', 50);
      expect(finance.map((story) => story.title)).toEqual([8, 6, 4, 2, 0].map((day) => `Story of day ${day}`));
      expect((await store.listCategoryStories('all', 3)).map((story) => story.published)).toEqual([at(216), at(216), at(192)]);
      expect(await store.listCategoryStories('unknown', 10)).toEqual([]);
      expect(await store.listCategoryStories('tech', 0)).toEqual([]);
    });

    it('walks a category page by page after a cursor, in the same order as one listing (ties at one time too)', async () => {
      const store = await storeWithStories();
      for (const slug of ['tech', 'all', 'finance']) {
        const walked: string[] = [];
        let after: Parameters<typeof store.listCategoryStoriesAfter>[1] = null;
        for (;;) {
          const page = await store.listCategoryStoriesAfter(slug, after, 3);
          walked.push(...page.map((story) => story.id));
          if (page.length < 3) break;
          after = page.at(-1)!;
        }
        expect(walked, slug).toEqual((await store.listCategoryStories(slug, 50)).map((story) => story.id));
      }
      expect(await store.listCategoryStoriesAfter('unknown', null, 3)).toEqual([]);
    });

    it('shows a category’s configured name', async () => {
      const store = await storeWithStories();
      await store.declareCategories([{ slug: 'finance', name: 'Finance & Markets' }]);
      const [story] = await store.listCategoryStories('finance', 1);
      expect(story!.categories).toEqual([cat('finance', 'Finance & Markets'), cat('tech', 'Tech')]);
    });
  });

  describe('listCategoryStoriesWithin', () => {
    // Six tech stories, newest first with bodies of 400, 300, 500, 100, 200 and 600 characters (plus title and summary).
    async function storeWithBodies() {
      const store = await openBackendStore(backend, policy, { clock: () => NOW });
      const sizes = [600, 200, 100, 500, 300, 400];
      await store.storeRun({
        sourceKey: 'source:A',
        articles: sizes.map((size, day) => article({
          sourceKey: 'source:A', originId: `b${day}`, title: `Body ${size}`, published: at(day * 24), categories: [cat('tech', 'Tech')],
          contentHtml: `<p>${'长'.repeat(size)}</p>`, summary: 's',
        })),
      });
      return store;
    }
    const cost = (story: { contentHtml: string; summary: string; title: string }) => story.contentHtml.length + story.summary.length + story.title.length;

    it('reads only the newest stories whose text fits the budget, the first always', async () => {
      const store = await storeWithBodies();
      const all = await store.listCategoryStories('tech', 10);
      expect(all.map((story) => story.title)).toEqual(['Body 400', 'Body 300', 'Body 500', 'Body 100', 'Body 200', 'Body 600']);
      const firstThree = cost(all[0]!) + cost(all[1]!) + cost(all[2]!);
      const within = (slug: string, limit: number, budget: number) => store.listCategoryStoriesWithin(slug, limit, budget).then((list) => list.map((story) => story.title));
      expect(await within('tech', 10, firstThree)).toEqual(['Body 400', 'Body 300', 'Body 500']);
      expect(await within('tech', 10, firstThree - 1)).toEqual(['Body 400', 'Body 300']);
      expect(await within('all', 10, firstThree)).toEqual(['Body 400', 'Body 300', 'Body 500']);
      expect(await within('tech', 2, 1e9)).toEqual(['Body 400', 'Body 300']);
      expect(await within('tech', 10, 10)).toEqual(['Body 400']);
      expect(await within('tech', 0, 1e9)).toEqual([]);
      expect(await within('unknown', 10, 1e9)).toEqual([]);
      // The same stories, whole, as the full listing gives them.
      expect(await store.listCategoryStoriesWithin('tech', 10, firstThree)).toEqual(all.slice(0, 3));
    });

    it('cuts where the render\'s own count (storiesWithinBudget) cuts, for every budget', async () => {
      const store = await storeWithBodies();
      const all = await store.listCategoryStories('tech', 10);
      let used = 0;
      for (const [i, story] of all.entries()) {
        used += cost(story);
        for (const budget of [used - 1, used, used + 1]) {
          const expected = storiesWithinBudget(all, budget).map((s) => s.title);
          expect({ budget, titles: (await store.listCategoryStoriesWithin('tech', 10, budget)).map((s) => s.title) }).toEqual({ budget, titles: expected });
        }
        expect(storiesWithinBudget(all, used)).toHaveLength(i + 1);
      }
    });
    it('cuts a page after a cursor to the text budget, the first story always, as the render counts', async () => {
      const store = await storeWithBodies();
      for (const slug of ['tech', 'all']) {
        const all = await store.listCategoryStories(slug, 10);
        for (const [i, cursor] of [null, ...all.slice(0, -1)].entries()) {
          const rest = all.slice(i);
          let used = 0;
          for (const story of rest) {
            used += cost(story);
            for (const budget of [used - 1, used]) {
              const page = await store.listCategoryStoriesAfter(slug, cursor, 4, budget);
              expect({ slug, i, budget, titles: page.map((s) => s.title) })
                .toEqual({ slug, i, budget, titles: storiesWithinBudget(rest.slice(0, 4), budget).map((s) => s.title) });
            }
          }
        }
        // Whole stories, as the uncut listing reads them; past the last story, nothing.
        expect(await store.listCategoryStoriesAfter(slug, all[1]!, 2, 1e9)).toEqual(all.slice(2, 4));
        expect(await store.listCategoryStoriesAfter(slug, all.at(-1)!, 2, 1e9)).toEqual([]);
      }
    });

    it('cuts an archive page (oldest first, from its offset) to the text budget, the first story always', async () => {
      const store = await storeWithBodies();
      const oldest = await store.listCategoryPage('tech', 0, 10);
      expect(oldest.map((story) => story.title)).toEqual(['Body 600', 'Body 200', 'Body 100', 'Body 500', 'Body 300', 'Body 400']);
      const page = (offset: number, budget: number) => store.listCategoryPage('tech', offset, 3, budget).then((list) => list.map((story) => story.title));
      expect(await page(0, cost(oldest[0]!) + cost(oldest[1]!))).toEqual(['Body 600', 'Body 200']);
      expect(await page(0, 1e9)).toEqual(['Body 600', 'Body 200', 'Body 100']);
      expect(await page(3, cost(oldest[3]!) + cost(oldest[4]!) - 1)).toEqual(['Body 500']);
      expect(await page(3, 10)).toEqual(['Body 500']);
      expect(await store.listCategoryPage('all', 3, 3, 1e9)).toEqual(oldest.slice(3, 6));
    });

    it('cuts search results to the text budget where the render\'s own count cuts, best first, the count unchanged', async () => {
      const store = await storeWithBodies();
      const full = await store.searchStories('body', 10);
      expect(full.stories).toHaveLength(6);
      let used = 0;
      for (const story of full.stories) {
        used += cost(story);
        for (const budget of [used - 1, used]) {
          const cut = await store.searchStories('body', 10, { maxTextChars: budget });
          expect({ budget, titles: cut.stories.map((s) => s.title), total: cut.total })
            .toEqual({ budget, titles: storiesWithinBudget(full.stories, budget).map((s) => s.title), total: 6 });
        }
      }
    });

    it('reads search results from an offset, then cuts them to the text budget, the count unchanged', async () => {
      const store = await storeWithBodies();
      const full = (await store.searchStories('body', 10)).stories;
      for (let offset = 0; offset <= full.length; offset += 1) {
        const rest = full.slice(offset);
        const whole = await store.searchStories('body', 2, { offset });
        expect({ offset, stories: whole.stories, total: whole.total }).toEqual({ offset, stories: rest.slice(0, 2), total: 6 });
        const budget = rest.length > 1 ? cost(rest[0]!) + cost(rest[1]!) - 1 : 1;
        const cut = await store.searchStories('body', 3, { offset, maxTextChars: budget });
        expect({ offset, titles: cut.stories.map((s) => s.title) }).toEqual({ offset, titles: rest.slice(0, 1).map((s) => s.title) });
      }
      expect((await store.searchStories('body category:tech', 2, { offset: 4 })).stories).toEqual(full.slice(4, 6));
    });
  });

  describe('listCategories and getCategory', () => {
    it('counts stories per category and reports the last change', async () => {
      const store = await storeWithStories();
      expect(await store.listCategories()).toEqual([
        { slug: 'finance', name: '金融', count: 5, lastChanged: NOW },
        { slug: 'tech', name: 'Tech', count: 11, lastChanged: NOW },
      ]);
      expect(await store.getCategory('all')).toMatchObject({ slug: 'all', count: 11, lastChanged: NOW });
      expect(await store.getCategory('nope')).toBeNull();
    });

    it('lists declared categories while empty, and declaring renames', async () => {
      const store = await openBackendStore(backend, policy, { clock: () => NOW });
      await store.declareCategories([{ slug: 'finance', name: '金融' }, { slug: 'games', name: 'Games' }]);
      await store.declareCategories([{ slug: 'games', name: 'Video games' }]);
      expect(await store.listCategories()).toEqual([
        { slug: 'finance', name: '金融', count: 0, lastChanged: null },
        { slug: 'games', name: 'Video games', count: 0, lastChanged: null },
      ]);
      expect(await store.getCategory('all')).toMatchObject({ count: 0, lastChanged: null });
    });

    it('keeps counts right when a story leaves a category', async () => {
      let now = NOW.getTime();
      const store = await openBackendStore(backend, policy, { clock: () => new Date(now) });
      const item = article({ sourceKey: 'source:A', originId: 'm', title: 'Moving', categories: [cat('a'), cat('b')] });
      await store.storeRun({ sourceKey: 'source:A', articles: [item] });
      now += HOUR;
      const result = await store.storeRun({ sourceKey: 'source:A', articles: [{ ...item, categories: [cat('b')] }] });
      expect(result.changedCategories).toEqual(['all', 'a', 'b']);
      expect(await store.getCategory('a')).toEqual({ slug: 'a', name: 'a', count: 0, lastChanged: null });
      expect(await store.getCategory('b')).toEqual({ slug: 'b', name: 'b', count: 1, lastChanged: new Date(now) });
      expect(await store.listCategoryStories('a', 10)).toEqual([]);
    });
  });
});
