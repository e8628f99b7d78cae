// RFC 5005 archive pages: page 1 holds the oldest `size` stories of a category in publication order,
// page n the next ones; the last page may be partial. A full page never changes as long as stories
// arrive in publication order (a story backdated before a full page shifts later ones: see README).
import type { HistoryLinks } from './build-feed.js';
import { archiveUrl, feedUrl, type ArchiveFormat } from './feed-urls.js';

export const ARCHIVE_PAGE_SIZE = 50;

export function archivePageCount(count: number, size = ARCHIVE_PAGE_SIZE): number {
  return Math.ceil(Math.max(0, count) / size);
}

export function isFullPage(page: number, count: number, size = ARCHIVE_PAGE_SIZE): boolean {
  return page * size <= count;
}

/** Links of archive page `page` of `pages`. */
export function archiveHistory(baseUrl: string, slug: string, page: number, pages: number, format: ArchiveFormat): HistoryLinks {
  return {
    archive: true,
    current: feedUrl(baseUrl, slug, format),
    prevArchive: page > 1 ? archiveUrl(baseUrl, slug, page - 1, format) : undefined,
    nextArchive: page < pages ? archiveUrl(baseUrl, slug, page + 1, format) : undefined,
  };
}

/** The subscription feed points back at the newest archive page. */
export function currentHistory(baseUrl: string, slug: string, pages: number, format: ArchiveFormat): HistoryLinks | undefined {
  return pages > 0 ? { archive: false, prevArchive: archiveUrl(baseUrl, slug, pages, format) } : undefined;
}
