// Every cached document, rendered from the store: category feeds (saved searches included),
// archive pages, search results (feeds and the HTML page) and the HTML preview of a category.
import type { Store } from '../store/store.js';
import type { CategorySummary, Story } from '../types.js';
import { archiveHistory, archivePageCount, currentHistory, isFullPage } from './archive-pages.js';
import type { FeedExtras, FeedSite } from './build-feed.js';
import { FEED_CONTENT_TYPES, archiveUrl, searchPageUrl, searchUrl, type ArchiveFormat, type FeedFormat } from './feed-urls.js';
import type { FeedPolicy } from './feed-policy.js';
import { FILTER_PAGE_TEXT_CHARS, countPassing, newestPassing, storyTextChars, type ReadPage } from './category-filters.js';
import { renderFeed } from './render-feed.js';
import { renderPreviewPage } from './render-preview-page.js';
import { renderSearchPage } from './render-search-page.js';
import { searchHits } from './search-hits.js';
import { highlightWords, parseQuery } from '../text/parse-query.js';
import { renderGoneStoryPage, renderStoryPage } from './render-story-page.js';
import { IMMUTABLE_CACHE_CONTROL, toRendered, toRenderedEncoded, type Rendered } from './rendered.js';

export type DocumentStore = Pick<
  Store, 'getCategory' | 'listCategoryStoriesWithin' | 'listCategoryStoriesAfter' | 'listCategories' | 'listCategoryPage' | 'searchStories' | 'findStory' | 'listStoryOrigins'
>;

export interface DocumentDeps {
  store: DocumentStore;
  site: FeedSite;
  policy: FeedPolicy;
  now: () => Date;
  archivePageSize: number;
}

export const SEARCH_CACHE_CONTROL = 'public, max-age=60';

interface CategoryContent {
  category: CategorySummary;
  stories: Story[];
  lastModified: Date;
  savedQuery: boolean;
  /** A filtered category publishes no archive pages (their fixed positions would not hold). */
  filtered?: boolean;
}

const maxAge = (deps: DocumentDeps, slug: string): string => `public, max-age=${deps.policy.maxAgeSeconds(slug)}`;

/** A filtered category's stories, page by page, each cut to its text: a saved search's matches, else the category's listing. */
const readPages = (deps: DocumentDeps, slug: string, query: string | undefined): ReadPage =>
  query !== undefined
    ? async (_after, n, read) => (await deps.store.searchStories(query, n, { offset: read, maxTextChars: FILTER_PAGE_TEXT_CHARS })).stories
    : (after, n) => deps.store.listCategoryStoriesAfter(slug, after, n, FILTER_PAGE_TEXT_CHARS);

/**
 * A category's newest stories; a saved search's are its matches; a filtered category's, those its filter
 * lets through. Null for an unknown category. The stories are cut to RENDER_MAX_TEXT_CHARS of text while they
 * are read (a plain category's and a saved search's by the store; a filtered one's pages are cut by the store
 * too), so a render holds only what it publishes and one page.
 */
export async function categoryContent(deps: DocumentDeps, slug: string, limit: number): Promise<CategoryContent | null> {
  const maxTextChars = RENDER_MAX_TEXT_CHARS;
  const query = deps.policy.savedQueries.get(slug);
  const filter = deps.policy.categoryFilters.get(slug);
  const passing = (pages: ReadPage) => newestPassing(filter!, limit, pages, maxTextChars);
  if (query !== undefined) {
    const declared = await deps.store.getCategory(slug);
    const result = await deps.store.searchStories(query, limit, { maxTextChars });
    const category = { slug, name: declared?.name ?? query, count: result.total, lastChanged: result.lastChanged };
    const stories = filter ? await passing(readPages(deps, slug, query)) : result.stories;
    return { category, stories, lastModified: result.lastChanged ?? deps.now(), savedQuery: true };
  }
  const category = await deps.store.getCategory(slug);
  if (!category) return null;
  const stories = filter
    ? await passing(readPages(deps, slug, undefined))
    : await deps.store.listCategoryStoriesWithin(slug, limit, maxTextChars);
  return { category, stories, lastModified: category.lastChanged ?? deps.now(), savedQuery: false, filtered: filter !== undefined };
}

/**
 * Categories with counts: what each one's feed can publish. A saved search counts its matches; a filtered
 * category (or search) the stories its filter lets through among the newest FILTER_SCAN_MAX its feed reads, unless
 * `filteredCounts` is false (the OPML list shows no counts: a category of 2 MB articles costs seconds to count).
 */
export async function listCategorySummaries(deps: DocumentDeps, { filteredCounts = true } = {}): Promise<CategorySummary[]> {
  const listed = await deps.store.listCategories();
  const out: CategorySummary[] = [];
  for (const c of listed) {
    const query = deps.policy.savedQueries.get(c.slug);
    const filter = filteredCounts ? deps.policy.categoryFilters.get(c.slug) : undefined;
    const summary = query === undefined ? c : await savedQuerySummary(deps, c, query);
    out.push(filter ? { ...summary, count: await countPassing(filter, readPages(deps, c.slug, query)) } : summary);
  }
  return out;
}

async function savedQuerySummary(deps: DocumentDeps, c: CategorySummary, query: string): Promise<CategorySummary> {
  const result = await deps.store.searchStories(query, 0);
  return { ...c, count: result.total, lastChanged: result.lastChanged };
}

function commonExtras(deps: DocumentDeps, slug: string): FeedExtras {
  return { ttlMinutes: deps.policy.ttlMinutes(slug), hub: deps.policy.hub ?? undefined };
}

/**
 * Text of stories a render of several (a feed, a search, a preview) takes at most, however large the bodies: the
 * output stays ~3 MB and four parallel renders keep the serving process under its 150 MB (2 Mi characters peaked
 * at 170–202 MB RSS). Fifty stored 2 MB articles read whole ran the service out of its heap.
 */
export const RENDER_MAX_TEXT_CHARS = 1024 * 1024;

/**
 * The newest stories whose text fits in `budget` characters (at least one): the rule every store cut follows
 * (store/text-budget-listing.ts), in memory, so the stores' cuts are tested against it.
 */
export function storiesWithinBudget(stories: Story[], budget: number): Story[] {
  let used = 0;
  let n = 0;
  for (const story of stories) {
    used += storyTextChars(story);
    if (used > budget && n > 0) break;
    n += 1;
  }
  return n === stories.length ? stories : stories.slice(0, n);
}

/**
 * A category's feed; null for an unknown category. A one-off render (a `?limit=` asked by a client)
 * is served once and dropped, so it is not precompressed.
 */
export async function renderCategoryFeed(
  deps: DocumentDeps, slug: string, format: FeedFormat, limit: number, options: { oneOff?: boolean } = {},
): Promise<Rendered | null> {
  const content = await categoryContent(deps, slug, limit);
  if (!content) return null;
  const extras = commonExtras(deps, slug);
  if (!content.savedQuery && !content.filtered && format !== 'json') {
    extras.history = currentHistory(deps.site.baseUrl, slug, archivePageCount(content.category.count, deps.archivePageSize), format);
  }
  const text = renderFeed(format, { site: deps.site, category: content.category, stories: content.stories, updatedFallback: content.lastModified, extras });
  const encode = options.oneOff ? toRendered : toRenderedEncoded;
  return encode(text, FEED_CONTENT_TYPES[format], content.lastModified, maxAge(deps, slug));
}

/** Archive page `page` (1 = oldest) of a category; null when the category or the page does not exist. */
export async function renderArchivePage(deps: DocumentDeps, slug: string, page: number, format: ArchiveFormat): Promise<Rendered | null> {
  if (deps.policy.savedQueries.has(slug) || deps.policy.categoryFilters.has(slug)) return null;
  const category = await deps.store.getCategory(slug);
  if (!category) return null;
  const size = deps.archivePageSize;
  const pages = archivePageCount(category.count, size);
  if (!Number.isInteger(page) || page < 1 || page > pages) return null;
  const stories = await deps.store.listCategoryPage(slug, (page - 1) * size, size, RENDER_MAX_TEXT_CHARS);
  const newest = stories.reduce<Date | null>((acc, s) => (!acc || s.updated > acc ? s.updated : acc), null);
  const lastModified = newest ?? category.lastChanged ?? deps.now();
  const { baseUrl } = deps.site;
  const extras: FeedExtras = {
    ...commonExtras(deps, slug),
    self: { rss: archiveUrl(baseUrl, slug, page, 'rss'), atom: archiveUrl(baseUrl, slug, page, 'atom') },
    history: archiveHistory(baseUrl, slug, page, pages, format),
  };
  const text = renderFeed(format, { site: deps.site, category, stories, updatedFallback: lastModified, extras });
  const cacheControl = isFullPage(page, category.count, size) ? IMMUTABLE_CACHE_CONTROL : maxAge(deps, slug);
  return toRenderedEncoded(text, FEED_CONTENT_TYPES[format], lastModified, cacheControl);
}

/** Matches of a query as a feed; rendered per request (queries are unbounded, so not cached). */
export async function renderSearchFeed(deps: DocumentDeps, query: string, format: FeedFormat, limit: number): Promise<Rendered> {
  const result = await deps.store.searchStories(query, limit, { maxTextChars: RENDER_MAX_TEXT_CHARS });
  const lastModified = result.lastChanged ?? deps.now();
  const { baseUrl, title } = deps.site;
  const extras: FeedExtras = {
    title: `Search “${query}” — ${title}`,
    page: searchPageUrl(baseUrl, query),
    self: { rss: searchUrl(baseUrl, query, 'rss'), atom: searchUrl(baseUrl, query, 'atom'), json: searchUrl(baseUrl, query, 'json') },
  };
  const category = { slug: 'search', name: `Search: ${query}` };
  const text = renderFeed(format, { site: deps.site, category, stories: result.stories, updatedFallback: lastModified, extras });
  return toRendered(text, FEED_CONTENT_TYPES[format], lastModified, SEARCH_CACHE_CONTROL);
}

/** The HTML search page (not cached: queries are unbounded); its snippets are made page by page (search-hits.ts). */
export async function renderSearchPageFor(deps: DocumentDeps, query: string, limit: number): Promise<Rendered> {
  const parsed = parseQuery(query);
  const prefixes = new Set(parsed.terms.filter((t) => t.prefix && !t.exclude).map((t) => t.words.at(-1)!));
  const result = query
    ? await searchHits(deps.store, query, limit, RENDER_MAX_TEXT_CHARS, { words: highlightWords(parsed), prefixes })
    : { hits: [], total: 0, lastChanged: null };
  const html = renderSearchPage({ site: deps.site, query, hits: result.hits, total: result.total });
  return toRendered(html, 'text/html; charset=utf-8', result.lastChanged ?? deps.now(), SEARCH_CACHE_CONTROL);
}

export async function renderCategoryPreview(deps: DocumentDeps, slug: string, limit: number): Promise<Rendered | null> {
  const content = await categoryContent(deps, slug, limit);
  if (!content) return null;
  const html = renderPreviewPage({ site: deps.site, category: content.category, stories: content.stories });
  return toRenderedEncoded(html, 'text/html; charset=utf-8', content.lastModified, maxAge(deps, slug));
}

const HTML = 'text/html; charset=utf-8';

/** A story's page: found (cacheable), pruned (410 Gone, rendered per request), or unknown. */
export type StoryDocument =
  | { state: 'found'; rendered: Rendered }
  | { state: 'pruned'; rendered: Rendered }
  /** The story's id changed (an earlier copy arrived later): it lives at `storyId` now. */
  | { state: 'moved'; storyId: string }
  | { state: 'unknown' };

/** The page of a stored story with its merge record; Last-Modified is the story's last change. */
export async function renderStoryDocument(deps: DocumentDeps, story: Story): Promise<Rendered> {
  const origins = await deps.store.listStoryOrigins(story.id);
  const html = renderStoryPage({ site: deps.site, story, origins });
  return toRenderedEncoded(html, HTML, story.updated, maxAge(deps, 'all'));
}

/** The 410 page of a pruned story (small, rare: not cached). */
export function renderGoneDocument(deps: DocumentDeps, prunedAt: Date): Rendered {
  return toRendered(renderGoneStoryPage(deps.site, prunedAt), HTML, prunedAt, maxAge(deps, 'all'));
}
