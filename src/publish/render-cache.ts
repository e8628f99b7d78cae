// Rendered documents per category, kept as bytes with their gzip and brotli forms until a change
// in that category. Renders lazily on first request; concurrent requests for one missing entry
// share its render. Ingest calls `invalidate` with the categories a run changed. The `peek`
// methods answer synchronously from settled entries, for the server's fast path.
// Memory is bounded by construction: only categories the store knows get entries, the bytes kept
// are capped (least recently used go first), one-off `?limit=` renders are never kept or
// precompressed and are capped in size, and every render that reads stories (cache misses and
// one-off renders alike) runs a few at a time.
import pLimit from 'p-limit';
import { BusyError } from '../errors.js';
import type { CategorySummary } from '../types.js';
import { ARCHIVE_PAGE_SIZE } from './archive-pages.js';
import type { FeedSite } from './build-feed.js';
import { OPML_CONTENT_TYPE, type ArchiveFormat, type FeedFormat } from './feed-urls.js';
import { fixedFeedPolicy, type FeedPolicy } from './feed-policy.js';
import { replaceCategoryFilters, type CategoryFilters } from './category-filters.js';
import {
  listCategorySummaries, renderArchivePage, renderCategoryFeed, renderCategoryPreview, renderGoneDocument, renderSearchFeed,
  renderSearchPageFor, renderStoryDocument, type DocumentDeps, type DocumentStore, type StoryDocument,
} from './render-documents.js';
import { renderOpml } from './render-opml.js';
import { renderSearchPage } from './render-search-page.js';
import { createBudgetCache, type BudgetCacheStats } from './budget-cache.js';
import { toRenderedEncoded, type Rendered } from './rendered.js';

export { etagOf, toRendered, type Rendered } from './rendered.js';

export interface RenderCacheOptions {
  store: DocumentStore;
  site: FeedSite;
  /** Config `feeds.items`: stories per feed when no limit is asked for. */
  items: number;
  /** Clock for Last-Modified of empty categories. */
  now?: () => Date;
  /** Polling hints, hub and saved searches; default: 15-minute schedule, no hub, no saved searches. */
  policy?: FeedPolicy;
  archivePageSize?: number;
  /** Bytes of rendered documents kept (identity, gzip and brotli together); default RENDER_CACHE_BYTES. */
  budgetBytes?: number;
  /** Renders reading stories at once (feeds, archives, previews, story pages, `?limit=`); default RENDERS_AT_ONCE. */
  rendersAtOnce?: number;
  /** Renders waiting for a slot before more are refused; default RENDERS_WAITING. */
  rendersWaiting?: number;
  /** Searches waiting for a slot before more are refused; default SEARCHES_WAITING. */
  searchesWaiting?: number;
}

/** Default byte budget: room for every default page of a few hundred categories. */
export const RENDER_CACHE_BYTES = 48 * 1024 * 1024;
/**
 * Renders reading stories at once, whatever the document: each holds its stories (up to 1 Mi characters, or one
 * whole story for its page) and its output until its gzip and brotli forms are made. Without a bound, 50 parallel
 * requests for the pages of 50 different 1.9 MB seed articles ran the service out of its 192 MB heap (25: 658 MB RSS).
 */
export const RENDERS_AT_ONCE = 2;
/**
 * Renders waiting for a slot, at most; one more is refused (BusyError: 503 with Retry-After) rather than queued: a
 * request that waits without a byte sent is cut off at `server.timeouts.idle` (60 s) anyway, and the line would
 * otherwise grow with every client. Requests for a document already waiting share its place.
 */
export const RENDERS_WAITING = 32;
/**
 * Searches (page or feed) waiting for one of their RENDERS_AT_ONCE slots, at most. Fewer than renders: a search page
 * of long matches takes seconds (~4 s for 2 MB stories on PostgreSQL), and 32 waiting outlived the 60 s idle timeout.
 */
export const SEARCHES_WAITING = 8;


export interface RenderCache {
  /** A category's feed (`all` included); null when the category is unknown. */
  getFeed(slug: string, format: FeedFormat, limit?: number): Promise<Rendered | null>;
  /** The default-limit feed when it is rendered already (no I/O, no await). */
  peekFeed(slug: string, format: FeedFormat): Rendered | undefined;
  /** Archive page (1 = oldest); null when the category or page does not exist. */
  getArchive(slug: string, page: number, format: ArchiveFormat): Promise<Rendered | null>;
  getPreview(slug: string): Promise<Rendered | null>;
  /** A story's page (kept until any change), or why there is none. */
  getStory(storyId: string): Promise<StoryDocument>;
  getOpml(): Promise<Rendered>;
  peekOpml(): Rendered | undefined;
  /** Categories with counts (saved searches counted by matches), for the index page. */
  listCategories(): Promise<CategorySummary[]>;
  /** Not cached: queries are unbounded. Searches take RENDERS_AT_ONCE slots of their own. */
  search(query: string, format: FeedFormat, limit?: number): Promise<Rendered>;
  /** The HTML search page of a query ('' for the empty form); rendered per request. */
  searchPage(query: string): Promise<Rendered>;
  /** The search page of a query that cannot be run: the message and the form holding the query (for a 400). */
  searchErrorPage(query: string, message: string): string;
  /** Drops what these categories' changes make stale: their documents, `all`, saved searches, OPML. */
  invalidate(slugs: string[]): void;
  /** Drops everything (a follower that may have missed changes renders everything again). */
  invalidateAll(): void;
  /** Takes the category filters of a reloaded config; the documents of categories whose filter changed are rendered again. Returns those slugs. */
  setCategoryFilters(next: CategoryFilters): string[];
  /** Entries and bytes kept, for /metrics. */
  stats(): BudgetCacheStats;
  readonly items: number;
  readonly policy: FeedPolicy;
}

const GLOBAL_KEY = '\u0000global';
/** Story pages: any change may touch any story (merges, categories), so a change drops them all. */
const STORIES_KEY = '\u0000stories';

export function createRenderCache(options: RenderCacheOptions): RenderCache {
  const { site, items } = options;
  const policy = options.policy ?? fixedFeedPolicy();
  const deps: DocumentDeps = {
    store: options.store,
    site,
    policy,
    now: options.now ?? (() => new Date()),
    archivePageSize: options.archivePageSize ?? ARCHIVE_PAGE_SIZE,
  };
  const kept = createBudgetCache<object>(options.budgetBytes ?? RENDER_CACHE_BYTES, sizeOfValue);
  const atOnce = options.rendersAtOnce ?? RENDERS_AT_ONCE;
  const waitingMax = options.rendersWaiting ?? RENDERS_WAITING;
  const renders = slotsFor(atOnce, waitingMax, 'too many documents being rendered at once');
  // Searches (page and feed) have slots of their own: a slow search does not hold up the feeds' renders.
  const searches = slotsFor(atOnce, options.searchesWaiting ?? SEARCHES_WAITING, 'too many searches at once');
  // The default page's variant key per format, made once (peekFeed runs on every polled request).
  const feedVariant: Record<FeedFormat, string> = { rss: `rss:${items}`, atom: `atom:${items}`, json: `json:${items}` };
  // A miss waits for a render slot; requests for the same document share its render (and its place in line).
  const cached = <T extends object>(slug: string, variant: string, render: () => Promise<T | null>): Promise<T | null> =>
    kept.get(slug, variant, () => renders(render)) as Promise<T | null>;

  async function renderOpmlList(): Promise<Rendered> {
    const categories = await listCategorySummaries(deps, { filteredCounts: false });
    const newest = categories.reduce<Date | null>(
      (acc, c) => (c.lastChanged && (!acc || c.lastChanged > acc) ? c.lastChanged : acc),
      null,
    );
    const maxAge = policy.maxAgeSeconds('all');
    return toRenderedEncoded(renderOpml(site, categories), OPML_CONTENT_TYPE, newest ?? deps.now(), `public, max-age=${maxAge}`);
  }

  function invalidate(slugs: string[]): void {
    if (slugs.length === 0) return;
    for (const slug of slugs) kept.dropGroup(slug);
    kept.dropGroup('all');
    for (const slug of policy.savedQueries.keys()) kept.dropGroup(slug);
    kept.dropGroup(GLOBAL_KEY);
    kept.dropGroup(STORIES_KEY);
  }

  return {
    items,
    policy,
    getFeed(slug, format, limit = items) {
      // Only the default page is kept: every `?limit=` kept would let any client grow the cache.
      if (limit !== items) return renders(() => renderCategoryFeed(deps, slug, format, limit, { oneOff: true }));
      return cached(slug, feedVariant[format], () => renderCategoryFeed(deps, slug, format, limit));
    },
    peekFeed(slug, format) {
      return kept.peek(slug, feedVariant[format]) as Rendered | undefined;
    },
    getArchive(slug, page, format) {
      return cached(slug, `archive:${format}:${page}`, () => renderArchivePage(deps, slug, page, format));
    },
    getPreview(slug) {
      return cached(slug, 'preview', () => renderCategoryPreview(deps, slug, items));
    },
    async getStory(storyId) {
      let lookup: Awaited<ReturnType<DocumentStore['findStory']>> | undefined;
      const rendered = await cached(STORIES_KEY, storyId, async () => {
        lookup = await deps.store.findStory(storyId);
        return lookup.state === 'found' ? renderStoryDocument(deps, lookup.story) : null;
      });
      if (rendered) return { state: 'found', rendered };
      // Another request's render was shared (or the page was dropped meanwhile): ask the store.
      lookup ??= await deps.store.findStory(storyId);
      if (lookup.state === 'moved') return lookup;
      if (lookup.state === 'pruned') return { state: 'pruned', rendered: renderGoneDocument(deps, lookup.prunedAt) };
      if (lookup.state === 'found') {
        const { story } = lookup;
        return { state: 'found', rendered: await renders(() => renderStoryDocument(deps, story)) };
      }
      return { state: 'unknown' };
    },
    async getOpml() {
      return (await cached(GLOBAL_KEY, 'opml', renderOpmlList))!;
    },
    peekOpml() {
      return kept.peek(GLOBAL_KEY, 'opml') as Rendered | undefined;
    },
    async listCategories() {
      return (await cached(GLOBAL_KEY, 'categories', () => listCategorySummaries(deps)))!;
    },
    search(query, format, limit = items) {
      return searches(() => renderSearchFeed(deps, query, format, limit));
    },
    searchPage(query) {
      return searches(() => renderSearchPageFor(deps, query, items));
    },
    searchErrorPage(query, message) {
      return renderSearchPage({ site: deps.site, query, hits: [], total: 0, error: message });
    },
    invalidate,
    invalidateAll() {
      kept.clear();
    },
    setCategoryFilters(next) {
      const changed = replaceCategoryFilters(policy.categoryFilters, next);
      if (changed.length > 0) invalidate(changed);
      return changed;
    },
    stats: () => kept.stats(),
  };
}

/**
 * Event-loop turns a render in line waits before it starts. Node 20's libuv accepts one new connection per turn, so
 * with a render on every turn a new connection (a cached feed, /healthz) waited behind every connection in the
 * kernel's accept backlog: 40 `?limit=` feeds of 2 MB stories (~150 ms each) kept /healthz waiting 3.6-15 s. An empty
 * turn costs microseconds, so this costs the renders nothing measurable.
 */
export const TURNS_BETWEEN_RENDERS = 16;

/** Resolves after `turns` turns of the event loop, each with its I/O poll (and so one accept). */
function afterTurns(turns: number): Promise<void> {
  return new Promise((resolve) => {
    let left = turns;
    const hop = (): void => void (--left <= 0 ? resolve() : setImmediate(hop));
    setImmediate(hop);
  });
}

/**
 * Runs renders `atOnce` at a time; beyond `waiting` in line, refuses with a BusyError (503) saying `busyWith`. A slot's
 * next render starts TURNS_BETWEEN_RENDERS turns of the event loop later, not in the microtask that freed the slot:
 * with the synchronous SQLite store, renders chained there held the loop for their sum (a healthz waited 9 s), and
 * one turn apart they still let in only one new connection per render.
 */
function slotsFor(atOnce: number, waiting: number, busyWith: string) {
  const slots = pLimit(atOnce);
  return <T>(render: () => Promise<T>): Promise<T> => {
    if (slots.pendingCount >= waiting) return Promise.reject(new BusyError(`${slots.pendingCount} renders are waiting already`, { busyWith }));
    return slots(() => afterTurns(TURNS_BETWEEN_RENDERS).then(render));
  };
}

/** Bytes a kept value holds: a rendered document's three codings, or a small list. */
function sizeOfValue(value: object): number {
  if (Array.isArray(value)) return 256 * (value.length + 1);
  const rendered = value as Rendered;
  return rendered.body.length + (rendered.gzip?.length ?? 0) + (rendered.br?.length ?? 0) + 512;
}
