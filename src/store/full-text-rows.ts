// Rows of full_text_pages as both backends keep them (one schema, the integer type aside), and their mapping to FullTextPage.
import type { FullTextPage } from './store.js';

/** The table's schema; `ms` is the type of millisecond times (INTEGER on SQLite, BIGINT on PostgreSQL). */
export const fullTextPagesTable = (ms: 'INTEGER' | 'BIGINT'): string => `
  CREATE TABLE full_text_pages (
    link TEXT PRIMARY KEY,
    source_key TEXT NOT NULL,
    state TEXT NOT NULL,
    html TEXT,
    etag TEXT,
    last_modified TEXT,
    error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    fetched_ms ${ms} NOT NULL,
    retry_ms ${ms}
  );
`;

export interface FullTextPageRow {
  link: string;
  source_key: string;
  state: string;
  html: string | null;
  etag: string | null;
  last_modified: string | null;
  error: string | null;
  failures: number;
  fetched_ms: number;
  retry_ms: number | null;
}

export const toFullTextPage = (row: FullTextPageRow): FullTextPage => ({
  link: row.link,
  sourceKey: row.source_key,
  state: row.state as FullTextPage['state'],
  html: row.html,
  etag: row.etag,
  lastModified: row.last_modified,
  error: row.error,
  failures: row.failures,
  fetchedAt: new Date(row.fetched_ms),
  retryAt: row.retry_ms === null ? null : new Date(row.retry_ms),
});

/** The columns in table order, as both backends insert them. */
export const toFullTextPageRow = (page: FullTextPage): FullTextPageRow => ({
  link: page.link,
  source_key: page.sourceKey,
  state: page.state,
  html: page.html,
  etag: page.etag,
  last_modified: page.lastModified,
  error: page.error,
  failures: page.failures,
  fetched_ms: page.fetchedAt.getTime(),
  retry_ms: page.retryAt?.getTime() ?? null,
});
