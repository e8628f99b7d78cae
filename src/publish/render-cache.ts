// Rendered feed bytes per (slug, format, limit), with a strong ETag and Last-Modified. Renders lazily
// on first request; concurrent requests for one missing entry share its render. Ingest calls
// `invalidate` with the categories a run changed.
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { CategorySummary } from '../types.js';
import type { FeedSite } from './build-feed.js';
import { FEED_CONTENT_TYPES, OPML_CONTENT_TYPE, type FeedFormat } from './feed-urls.js';
import { renderFeed } from './render-feed.js';
import { renderOpml } from './render-opml.js';

export interface Rendered {
  body: Buffer;
  /** Strong validator: quoted hash of the bytes. */
  etag: string;
  lastModified: Date;
  contentType: string;
}

export interface RenderCacheOptions {
  store: Pick<Store, 'getCategory' | 'listCategoryStories' | 'listCategories'>;
  site: FeedSite;
  /** Config `feeds.items`: stories per feed when no limit is asked for. */
  items: number;
  /** Clock for Last-Modified of empty categories. */
  now?: () => Date;
}

export interface RenderCache {
  /** A category's feed (`all` included); null when the category is unknown. */
  getFeed(slug: string, format: FeedFormat, limit?: number): Promise<Rendered | null>;
  getOpml(): Promise<Rendered>;
  /** Drops what these categories' changes make stale: their feeds, `all` and the OPML list. */
  invalidate(slugs: string[]): void;
  clear(): void;
}

/** Quoted, strong ETag of some bytes. */
export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

export function toRendered(text: string, contentType: string, lastModified: Date): Rendered {
  const body = Buffer.from(text, 'utf8');
  return { body, etag: etagOf(body), lastModified, contentType };
}

const OPML_KEY = '\u0000opml';

export function createRenderCache(options: RenderCacheOptions): RenderCache {
  const { store, site, items } = options;
  const now = options.now ?? (() => new Date());
  // slug → variant key → pending or settled render. Promises are kept so concurrent misses share one.
  const entries = new Map<string, Map<string, Promise<Rendered | null>>>();

  function cached(slug: string, variant: string, render: () => Promise<Rendered | null>): Promise<Rendered | null> {
    let variants = entries.get(slug);
    if (!variants) entries.set(slug, (variants = new Map()));
    const hit = variants.get(variant);
    if (hit) return hit;
    const pending = render().then(
      (result) => {
        // Unknown categories are not kept: they may appear with the next ingest run.
        if (result === null) forget(slug, variant, pending);
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
  function forget(slug: string, variant: string, pending: Promise<Rendered | null>): void {
    const variants = entries.get(slug);
    if (variants?.get(variant) === pending) variants.delete(variant);
  }

  async function renderCategory(slug: string, format: FeedFormat, limit: number): Promise<Rendered | null> {
    const category = await store.getCategory(slug);
    if (!category) return null;
    const stories = await store.listCategoryStories(slug, limit);
    const lastModified = lastModifiedOf(category, now);
    const text = renderFeed(format, { site, category, stories, updatedFallback: lastModified });
    return toRendered(text, FEED_CONTENT_TYPES[format], lastModified);
  }

  async function renderOpmlList(): Promise<Rendered> {
    const categories = await store.listCategories();
    const newest = categories.reduce<Date | null>(
      (acc, c) => (c.lastChanged && (!acc || c.lastChanged > acc) ? c.lastChanged : acc),
      null,
    );
    return toRendered(renderOpml(site, categories), OPML_CONTENT_TYPE, newest ?? now());
  }

  return {
    getFeed(slug, format, limit = items) {
      return cached(slug, `${format}:${limit}`, () => renderCategory(slug, format, limit));
    },
    async getOpml() {
      return (await cached(OPML_KEY, 'opml', renderOpmlList))!;
    },
    invalidate(slugs) {
      if (slugs.length === 0) return;
      for (const slug of slugs) entries.delete(slug);
      entries.delete('all');
      entries.delete(OPML_KEY);
    },
    clear() {
      entries.clear();
    },
  };
}

function lastModifiedOf(category: CategorySummary, now: () => Date): Date {
  return category.lastChanged ?? now();
}
