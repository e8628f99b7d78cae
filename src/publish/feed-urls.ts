// Public URLs of what the server publishes, built from config `server.baseUrl`.
import { createHash } from 'node:crypto';

export type FeedFormat = 'rss' | 'atom' | 'json';
export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8';

/** baseUrl without trailing slashes, so joins never produce `//`. */
export function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** `${baseUrl}/feeds/${slug}.${format}`, the slug percent-encoded (slugs may be in any script). */
export function feedUrl(baseUrl: string, slug: string, format: FeedFormat): string {
  return `${trimBase(baseUrl)}/feeds/${encodeURIComponent(slug)}.${format}`;
}

export function opmlUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}/feeds.opml`;
}

export function indexUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}/`;
}

/** Anchor of a category's row on the index page. */
export function categoryAnchor(slug: string): string {
  return `category-${encodeURIComponent(slug)}`;
}

// Fixed namespace for our name-based UUIDs (random, generated once for this project).
const NAMESPACE = Buffer.from('5b0c1f3e8a6d4c2b9e7f1a2d3c4b5e6f', 'hex');

/** RFC 4122 version-5 UUID URN of a name: stable across runs and independent of baseUrl. */
export function uuidUrn(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const storyUrn = (storyId: string): string => uuidUrn(`story:${storyId}`);
export const feedUrn = (slug: string): string => uuidUrn(`feed:${slug}`);

export type ArchiveFormat = 'rss' | 'atom';

/** `${baseUrl}/feeds/${slug}/archive/${page}.${format}`: page 1 holds the oldest stories. */
export function archiveUrl(baseUrl: string, slug: string, page: number, format: ArchiveFormat): string {
  return `${trimBase(baseUrl)}/feeds/${encodeURIComponent(slug)}/archive/${page}.${format}`;
}

/** The HTML preview of a category, as a reader would show it. */
export function previewUrl(baseUrl: string, slug: string): string {
  return `${trimBase(baseUrl)}/categories/${encodeURIComponent(slug)}`;
}

export function searchUrl(baseUrl: string, query: string, format: FeedFormat): string {
  return `${trimBase(baseUrl)}/feeds/search.${format}?q=${encodeURIComponent(query)}`;
}

/** `${baseUrl}/stories/${id}`: the page of one story, the link of every item that has no origin link. */
export function storyUrl(baseUrl: string, storyId: string): string {
  return `${trimBase(baseUrl)}/stories/${encodeURIComponent(storyId)}`;
}

/** The HTML search page for a query. */
export function searchPageUrl(baseUrl: string, query: string): string {
  return `${trimBase(baseUrl)}/search${query ? `?q=${encodeURIComponent(query)}` : ''}`;
}
