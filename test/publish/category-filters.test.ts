import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/config/filter-rules.js';
import { categoryFiltersFromConfig, FILTER_SCAN_MAX, newestPassing, replaceCategoryFilters, storyPasses } from '../../src/publish/category-filters.js';
import type { Story } from '../../src/types.js';

const story = (i: number, title: string, extra: Partial<Story> = {}): Story => ({
  id: `s${i}`, title, link: `https://news.example/${i}`, links: [], published: new Date(Date.UTC(2024, 0, 1) - i * 60_000),
  updated: new Date(0), author: null, categories: [{ slug: 'tech', name: 'Tech' }], image: null, contentHtml: '<p>Body</p>', summary: 'Body', ...extra,
});
// Newest first, as the store lists them: every tenth is about bitcoin.
const stories = Array.from({ length: 3000 }, (_, i) => story(i, i % 10 === 0 ? `Bitcoin ${i}` : `Other ${i}`));
const reader = () => {
  const reads: number[] = [];
  return { reads, read: async (n: number) => (reads.push(n), stories.slice(0, n)) };
};

describe('category filters', () => {
  it('matches a story by title, text, author, link and its categories', () => {
    const s = story(1, 'Hello', { contentHtml: '<p>Sponsored <b>post</b></p>', author: 'Bot', categories: [{ slug: 'ads', name: '推广' }] });
    expect(storyPasses(compileFilter({ block: ['(?i)sponsored post'] }), s)).toBe(false);
    expect(storyPasses(compileFilter({ block: ['author:^Bot$'] }), s)).toBe(false);
    expect(storyPasses(compileFilter({ block: ['category:推广'] }), s)).toBe(false);
    expect(storyPasses(compileFilter({ block: ['link:/2$'] }), s)).toBe(true);
    expect(storyPasses(compileFilter({ keep: ['title:Hello'] }), s)).toBe(true);
  });

  it('reads the newest stories in growing batches until enough pass', async () => {
    const { reads, read } = reader();
    const passing = await newestPassing(compileFilter({ keep: ['title:^Bitcoin'] }), 20, read);
    expect(passing.map((s) => s.title)).toEqual(Array.from({ length: 20 }, (_, i) => `Bitcoin ${i * 10}`));
    expect(reads).toEqual([50, 200]);
  });

  it('stops at FILTER_SCAN_MAX stories, publishing fewer when the filter keeps few', async () => {
    const { reads, read } = reader();
    const passing = await newestPassing(compileFilter({ keep: ['title:^Bitcoin 2[0-9]{3}$'] }), 50, read);
    expect(reads.at(-1)).toBe(FILTER_SCAN_MAX);
    expect(passing).toEqual([]);
  });

  it('resolves category names to slugs, never filters `all`, and reports which filters a reload changed', () => {
    const resolve = (names: string[]) => names.map((name) => ({ name, slug: name.toLowerCase() }));
    const current = categoryFiltersFromConfig([{ name: 'Tech', filter: { block: ['a'] } }, { name: 'All', filter: { block: ['a'] } }, { name: 'News' }], resolve);
    expect([...current.keys()]).toEqual(['tech']);
    const next = categoryFiltersFromConfig([{ name: 'Tech', filter: { block: ['b'] } }, { name: 'News', filter: { keep: ['x'] } }], resolve);
    expect(replaceCategoryFilters(current, next)).toEqual(['news', 'tech']);
    expect(replaceCategoryFilters(current, categoryFiltersFromConfig([{ name: 'News', filter: { keep: ['x'] } }], resolve))).toEqual(['tech']);
    expect([...current.keys()]).toEqual(['news']);
  });
});
