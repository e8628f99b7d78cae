import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/config/filter-rules.js';
import {
  categoryFiltersFromConfig, countPassing, FILTER_PAGE_SIZE, FILTER_SCAN_MAX, FILTER_SCAN_MAX_TEXT_CHARS, newestPassing, replaceCategoryFilters, storyPasses,
  storyTextChars, type ReadPage,
} from '../../src/publish/category-filters.js';
import type { Story } from '../../src/types.js';

const story = (i: number, title: string, extra: Partial<Story> = {}): Story => ({
  id: `s${i}`, title, link: `https://news.example/${i}`, links: [], published: new Date(Date.UTC(2024, 0, 1) - i * 60_000),
  updated: new Date(0), author: null, categories: [{ slug: 'tech', name: 'Tech' }], image: null, contentHtml: '<p>Body</p>', summary: 'Body', ...extra,
});
// Newest first, as the store lists them: every tenth is about bitcoin.
const stories = Array.from({ length: 3000 }, (_, i) => story(i, i % 10 === 0 ? `Bitcoin ${i}` : `Other ${i}`));
// Pages as the store reads them (listCategoryStoriesAfter): the `n` after the cursor.
const reader = () => {
  const reads: number[] = [];
  const read: ReadPage = async (after, n) => {
    const from = after === null ? 0 : stories.findIndex((s) => s.id === after.id) + 1;
    const page = stories.slice(from, from + n);
    reads.push(page.length);
    return page;
  };
  return { reads, read };
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

  it('reads the newest stories a page at a time until enough pass', async () => {
    const { reads, read } = reader();
    const passing = await newestPassing(compileFilter({ keep: ['title:^Bitcoin'] }), 20, read);
    expect(passing.map((s) => s.title)).toEqual(Array.from({ length: 20 }, (_, i) => `Bitcoin ${i * 10}`));
    expect(reads).toEqual([FILTER_PAGE_SIZE, FILTER_PAGE_SIZE]);
  });

  it('stops at FILTER_SCAN_MAX stories, publishing fewer when the filter keeps few', async () => {
    const { reads, read } = reader();
    const passing = await newestPassing(compileFilter({ keep: ['title:^Bitcoin 2[0-9]{3}$'] }), 50, read);
    expect(reads.reduce((a, b) => a + b, 0)).toBe(FILTER_SCAN_MAX);
    expect(Math.max(...reads)).toBe(FILTER_PAGE_SIZE);
    expect(passing).toEqual([]);
  });

  it('stops reading once the passing stories fill the text budget, keeping the first one always', async () => {
    const { reads, read } = reader();
    const budget = [0, 10, 20].reduce((sum, i) => sum + storyTextChars(stories[i]!), 0);
    const passing = await newestPassing(compileFilter({ keep: ['title:^Bitcoin'] }), 1000, read, budget);
    expect(passing.map((s) => s.title)).toEqual(['Bitcoin 0', 'Bitcoin 10', 'Bitcoin 20']);
    expect(reads).toEqual([FILTER_PAGE_SIZE]);
    expect(await newestPassing(compileFilter({ keep: ['title:^Bitcoin'] }), 1000, read, 1)).toHaveLength(1);
  });

  it('counts what passes among the newest FILTER_SCAN_MAX', async () => {
    const { read } = reader();
    expect(await countPassing(compileFilter({ keep: ['title:^Bitcoin'] }), read)).toBe(FILTER_SCAN_MAX / 10);
  });

  it('walks on past short pages (a store cuts a page to its text) until an empty one, asking twice what the last held', async () => {
    const reads: Array<[number, number]> = [];
    const oneAtATime: ReadPage = async (after, n, read) => {
      expect(read).toBe(after === null ? 0 : stories.findIndex((s) => s.id === after.id) + 1);
      reads.push([read, n]);
      return stories.slice(read, Math.min(read + (read < 20 ? 1 : n), 25));
    };
    expect(await countPassing(compileFilter({ keep: ['title:^Bitcoin'] }), oneAtATime)).toBe(3);
    // One story a page up to the 20th, then a full page of 2 and a short one of 3 (the 25 end), then the empty one.
    expect(reads).toEqual([[0, FILTER_PAGE_SIZE], ...Array.from({ length: 20 }, (_, i): [number, number] => [i + 1, 2]), [22, 4], [25, 6]]);
  });

  it('stops once FILTER_SCAN_MAX_TEXT_CHARS of text are read, the story crossing it included', async () => {
    const body = `<p>${'长'.repeat(64 * 1024)}</p>`;
    const large = stories.map((s) => ({ ...s, contentHtml: body }));
    const read: ReadPage = async (_after, n, from) => large.slice(from, from + n);
    const scanned = Math.ceil(FILTER_SCAN_MAX_TEXT_CHARS / storyTextChars(large[0]!));
    expect(scanned).toBeLessThan(FILTER_SCAN_MAX);
    expect(await countPassing(compileFilter({ keep: ['title:^Bitcoin'] }), read)).toBe(Math.ceil(scanned / 10));
    const passing = await newestPassing(compileFilter({ keep: ['title:^Bitcoin'] }), FILTER_SCAN_MAX, read);
    expect(passing.at(-1)!.title).toBe(`Bitcoin ${10 * (Math.ceil(scanned / 10) - 1)}`);
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
