// Rendered documents per category, kept as bytes with their gzip and brotli forms until a change
// in that category. Renders lazily on first request; concurrent requests for one missing entry
// share its render. Ingest calls `invalidate` with the categories a run changed. The `peek`
// methods answer synchronously from settled entries, for the server's fast path.
import type { CategorySummary } from '../types.js';
import { ARCHIVE_PAGE_SIZE } from './archive-pages.js';
import type { FeedSite } from './build-feed.js';
import { OPML_CONTENT_TYPE, type ArchiveFormat, type FeedFormat } from './feed-urls.js';
import { fixedFeedPolicy, type FeedPolicy } from './feed-policy.js';
import {
  listCategorySummaries, renderArchivePage, renderCategoryFeed, renderCategoryPreview, renderSearchFeed,
  type DocumentDeps, type DocumentStore,
} from './render-documents.js';
import { renderOpml } from './render-opml.js';
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
}

export interface RenderCache {
  /** A category's feed (`all` included); null when the category is unknown. */
  getFeed(slug: string, format: FeedFormat, limit?: number): Promise<Rendered | null>;
  /** The default-limit feed when it is rendered already (no I/O, no await). */
  peekFeed(slug: string, format: FeedFormat): Rendered | undefined;
  /** Archive page (1 = oldest); null when the category or page does not exist. */
  getArchive(slug: string, page: number, format: ArchiveFormat): Promise<Rendered | null>;
  getPreview(slug: string): Promise<Rendered | null>;
  getOpml(): Promise<Rendered>;
  peekOpml(): Rendered | undefined;
  /** Categories with counts (saved searches counted by matches), for the index page. */
  listCategories(): Promise<CategorySummary[]>;
  /** Not cached: queries are unbounded. */
  search(query: string, format: FeedFormat, limit?: number): Promise<Rendered>;
  /** Drops what these categories' changes make stale: their documents, `all`, saved searches, OPML. */
  invalidate(slugs: string[]): void;
  clear(): void;
  readonly items: number;
  readonly policy: FeedPolicy;
}

const GLOBAL_KEY = '\u0000global';

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
  // slug → variant key → pending or settled render. Promises are kept so concurrent misses share one.
  const entries = new Map<string, Map<string, Promise<unknown>>>();
  // The same renders once settled, for synchronous lookups.
  const settled = new Map<string, Map<string, unknown>>();

  function cached<T>(slug: string, variant: string, render: () => Promise<T | null>): Promise<T | null> {
    let variants = entries.get(slug);
    if (!variants) entries.set(slug, (variants = new Map()));
    const hit = variants.get(variant) as Promise<T | null> | undefined;
    if (hit) return hit;
    const pending: Promise<T | null> = render().then(
      (result) => {
        // Unknown categories are not kept: they may appear with the next ingest run.
        if (result === null) forget(slug, variant, pending);
        else if (entries.get(slug)?.get(variant) === pending) {
          let done = settled.get(slug);
          if (!done) settled.set(slug, (done = new Map()));
          done.set(variant, result);
        }
        return result;
      },
      (error: unknown) => {
        forget(slug, variant, pending);
        throw error;
      },
    );
    variants.set(variant, pending);
    return pending;
  }

  // Removes an entry only if it is still this render (an invalidate may have replaced it).
  function forget(slug: string, variant: string, pending: Promise<unknown>): void {
    const variants = entries.get(slug);
    if (variants?.get(variant) === pending) variants.delete(variant);
  }

  function drop(slug: string): void {
    entries.delete(slug);
    settled.delete(slug);
  }

  async function renderOpmlList(): Promise<Rendered> {
    const categories = await listCategorySummaries(deps);
    const newest = categories.reduce<Date | null>(
      (acc, c) => (c.lastChanged && (!acc || c.lastChanged > acc) ? c.lastChanged : acc),
      null,
    );
    const maxAge = policy.maxAgeSeconds('all');
    return toRenderedEncoded(renderOpml(site, categories), OPML_CONTENT_TYPE, newest ?? deps.now(), `public, max-age=${maxAge}`);
  }

  return {
    items,
    policy,
    getFeed(slug, format, limit = items) {
      // Only the default page is kept: every `?limit=` kept would let any client grow the cache.
      if (limit !== items) return renderCategoryFeed(deps, slug, format, limit);
      return cached(slug, `${format}:${limit}`, () => renderCategoryFeed(deps, slug, format, limit));
    },
    peekFeed(slug, format) {
      return settled.get(slug)?.get(`${format}:${items}`) as Rendered | undefined;
    },
    getArchive(slug, page, format) {
      return cached(slug, `archive:${format}:${page}`, () => renderArchivePage(deps, slug, page, format));
    },
    getPreview(slug) {
      return cached(slug, 'preview', () => renderCategoryPreview(deps, slug, items));
    },
    async getOpml() {
      return (await cached(GLOBAL_KEY, 'opml', renderOpmlList))!;
    },
    peekOpml() {
      return settled.get(GLOBAL_KEY)?.get('opml') as Rendered | undefined;
    },
    async listCategories() {
      return (await cached(GLOBAL_KEY, 'categories', () => listCategorySummaries(deps)))!;
    },
    search(query, format, limit = items) {
      return renderSearchFeed(deps, query, format, limit);
    },
    invalidate(slugs) {
      if (slugs.length === 0) return;
      for (const slug of slugs) drop(slug);
      drop('all');
      for (const slug of policy.savedQueries.keys()) drop(slug);
      drop(GLOBAL_KEY);
    },
    clear() {
      entries.clear();
      settled.clear();
    },
  };
}
