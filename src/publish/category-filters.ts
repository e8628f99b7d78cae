// Category filters (`filter:` on a category): what the category publishes of its stories. Applied when a
// category's documents are rendered (they are cached until the category changes), so the stored stories
// and the `all` feed stay as they are.
import { compileFilter, filteredBy, lazySubject, type CompiledFilter, type FilterConfig } from '../config/filter-rules.js';
import { htmlToText } from '../text/html-text.js';
import type { StoryCursor } from '../store/store.js';
import type { CategoryRef, Story } from '../types.js';

/** slug → compiled filter of each filtered category (`all` never has one). */
export type CategoryFilters = Map<string, CompiledFilter>;

/** Newest stories read at most to fill one filtered feed: bounds the memory and time of a render. */
export const FILTER_SCAN_MAX = 2000;

export function categoryFiltersFromConfig(
  categories: readonly { name: string; filter?: FilterConfig | undefined }[],
  resolve: (names: string[]) => CategoryRef[],
): CategoryFilters {
  const filters: CategoryFilters = new Map();
  for (const category of categories) {
    if (!category.filter) continue;
    const [ref] = resolve([category.name]);
    if (ref && ref.slug !== 'all') filters.set(ref.slug, compileFilter(category.filter));
  }
  return filters;
}

/**
 * Replaces the filters in `current` with `next` in place; returns the slugs whose filter changed (added,
 * removed or other rules), whose documents must be rendered again.
 */
export function replaceCategoryFilters(current: CategoryFilters, next: CategoryFilters): string[] {
  const changed: string[] = [];
  for (const [slug, filter] of current) {
    if (next.get(slug)?.fingerprint !== filter.fingerprint) changed.push(slug);
  }
  for (const slug of next.keys()) if (!current.has(slug)) changed.push(slug);
  current.clear();
  for (const [slug, filter] of next) current.set(slug, filter);
  return changed.sort();
}

/** True when the filter lets the story through: rules see its title, text, author, link and categories. */
export function storyPasses(filter: CompiledFilter, story: Story): boolean {
  const subject = lazySubject({ title: story.title, author: story.author, link: story.link, categories: story.categories.map((c) => c.name) }, story.contentHtml, htmlToText);
  return filteredBy(filter, subject) === null;
}

/** Stories read per page while walking a filtered category: a render holds one page besides what passes. */
export const FILTER_PAGE_SIZE = 100;

/** Reads the next `n` newest-first stories after `after` (null: from the newest); Store.listCategoryStoriesAfter. */
export type ReadPage = (after: StoryCursor | null, n: number) => Promise<Story[]>;

/** Characters a story's text costs a render (body, summary, title): what a one-off render's budget counts. */
export const storyTextChars = (story: Story): number => story.contentHtml.length + story.summary.length + story.title.length;

/** The stories the filter lets through, newest first, among the newest FILTER_SCAN_MAX, read page by page. */
async function* passingStories(filter: CompiledFilter, readPage: ReadPage): AsyncGenerator<Story> {
  let after: StoryCursor | null = null;
  for (let read = 0; read < FILTER_SCAN_MAX;) {
    const n = Math.min(FILTER_PAGE_SIZE, FILTER_SCAN_MAX - read);
    const page = await readPage(after, n);
    for (const story of page.slice(0, FILTER_SCAN_MAX - read)) if (storyPasses(filter, story)) yield story;
    read += page.length;
    if (page.length < n) return;
    after = page.at(-1)!;
  }
}

/**
 * The newest `limit` stories that pass, within `maxTextChars` of text (the first one always), reading the
 * category a page at a time until they are found, the text is spent, the category ends or FILTER_SCAN_MAX
 * stories were read.
 */
export async function newestPassing(filter: CompiledFilter, limit: number, readPage: ReadPage, maxTextChars = Infinity): Promise<Story[]> {
  const kept: Story[] = [];
  if (limit <= 0) return kept;
  let used = 0;
  for await (const story of passingStories(filter, readPage)) {
    used += storyTextChars(story);
    if (used > maxTextChars && kept.length > 0) break;
    kept.push(story);
    if (kept.length >= limit) break;
  }
  return kept;
}

/** How many stories the category's feed can publish: those that pass among its newest FILTER_SCAN_MAX. */
export async function countPassing(filter: CompiledFilter, readPage: ReadPage): Promise<number> {
  let count = 0;
  for await (const _story of passingStories(filter, readPage)) count += 1;
  return count;
}

/**
 * Pages over a ranked list that can only be read from its start (search results, at most a few hundred): each
 * read takes the ones before again, so the pages grow fourfold to keep the reads few.
 */
export const pagesFromPrefix = (readFirst: (n: number) => Promise<Story[]>): ReadPage => {
  let read = 0;
  return async (after, n) => {
    if (after === null) read = 0;
    const page = (await readFirst(Math.max(read + n, read * 4))).slice(read);
    read += page.length;
    return page;
  };
};
