// Category filters (`filter:` on a category): what the category publishes of its stories. Applied when a
// category's documents are rendered (they are cached until the category changes), so the stored stories
// and the `all` feed stay as they are.
import { compileFilter, filteredBy, lazySubject, type CompiledFilter, type FilterConfig } from '../config/filter-rules.js';
import { htmlToText } from '../text/html-text.js';
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

/**
 * The newest `limit` stories that pass, reading `read(n)` (the newest n) in growing batches until
 * enough pass, the category has no more, or FILTER_SCAN_MAX stories were read.
 */
export async function newestPassing(filter: CompiledFilter, limit: number, read: (n: number) => Promise<Story[]>): Promise<Story[]> {
  let n = Math.min(Math.max(limit * 2, 50), FILTER_SCAN_MAX);
  for (;;) {
    const batch = await read(n);
    const passing = batch.filter((story) => storyPasses(filter, story));
    if (passing.length >= limit || batch.length < n || n >= FILTER_SCAN_MAX) return passing.slice(0, limit);
    n = Math.min(n * 4, FILTER_SCAN_MAX);
  }
}
