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

/**
 * Text a page of that walk holds at most (bodies, summaries, titles; the first story always): the store cuts the
 * page, so a page of 100 stored 2 MB articles is one article, not 200 MB in the heap.
 */
export const FILTER_PAGE_TEXT_CHARS = 1024 * 1024;

/**
 * Text the walk reads at most, whatever the stories' size: ordinary stories (~12 KB) reach FILTER_SCAN_MAX long
 * before it, and a category of 2 MB articles stops after ~32 of them rather than reading 4 GB on the serving thread.
 */
export const FILTER_SCAN_MAX_TEXT_CHARS = 64 * 1024 * 1024;

/**
 * Reads up to `n` stories past the `read` first of the walk (`after` is the last of them, null at the start), cut by
 * the store to FILTER_PAGE_TEXT_CHARS: Store.listCategoryStoriesAfter, or searchStories from an offset.
 */
export type ReadPage = (after: StoryCursor | null, n: number, read: number) => Promise<Story[]>;

/** Characters a story's text costs a render (body, summary, title): what a one-off render's budget counts. */
export const storyTextChars = (story: Story): number => story.contentHtml.length + story.summary.length + story.title.length;

/**
 * The stories the filter lets through, newest first, among the newest FILTER_SCAN_MAX, read page by page until
 * FILTER_SCAN_MAX_TEXT_CHARS of text are read (the story crossing it included). A page cut to its text can be
 * short, so only an empty page ends the category; the next page asks for twice what the last one held, as the
 * store sums the text of every story asked for (asking 100 stored 2 MB articles for a page of one took ~0.2–0.5 s).
 */
async function* passingStories(filter: CompiledFilter, readPage: ReadPage): AsyncGenerator<Story> {
  let after: StoryCursor | null = null;
  let scanned = 0;
  let size = FILTER_PAGE_SIZE;
  for (let read = 0; read < FILTER_SCAN_MAX;) {
    const asked = Math.min(size, FILTER_SCAN_MAX - read);
    const page = await readPage(after, asked, read);
    if (page.length === 0) return;
    size = Math.min(FILTER_PAGE_SIZE, 2 * page.length);
    for (const story of page.slice(0, FILTER_SCAN_MAX - read)) {
      if (scanned >= FILTER_SCAN_MAX_TEXT_CHARS) return;
      scanned += storyTextChars(story);
      if (storyPasses(filter, story)) yield story;
    }
    read += page.length;
    after = page.at(-1)!;
    // The next page is read on a later turn of the event loop: with the synchronous SQLite store the walk (up to
    // 64 Mi characters) otherwise held the loop for all of it (a cold index page: /healthz waited 4.9 s).
    await new Promise((resolve) => setImmediate(resolve));
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
