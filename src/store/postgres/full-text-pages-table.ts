// full_text_pages on PostgreSQL: the item pages fetched for fullText sources, as on SQLite (sqlite/full-text-pages-table.ts).
import { toFullTextPage, toFullTextPageRow, type FullTextPageRow } from '../full-text-rows.js';
import type { FullTextPage } from '../store.js';
import { pgValue } from './pg-text.js';
import type { Sql } from './pool.js';

export async function getFullTextPages(sql: Sql, links: readonly string[]): Promise<Map<string, FullTextPage>> {
  const { rows } = await sql.query<FullTextPageRow>('SELECT * FROM full_text_pages WHERE link = ANY($1::text[])', [[...new Set(links)]]);
  return new Map(rows.map((row) => [row.link, toFullTextPage(row)]));
}

export async function saveFullTextPages(sql: Sql, pages: readonly FullTextPage[]): Promise<void> {
  // One row per link: the last page of a link in the batch wins, as sequential upserts would.
  const rows = [...new Map(pages.map((page) => [page.link, toFullTextPageRow(page)])).values()];
  await sql.query(
    `INSERT INTO full_text_pages (link, source_key, state, html, etag, last_modified, error, failures, fetched_ms, retry_ms)
     SELECT * FROM json_populate_recordset(NULL::full_text_pages, $1::json)
     ON CONFLICT (link) DO UPDATE SET source_key = excluded.source_key, state = excluded.state, html = excluded.html,
       etag = excluded.etag, last_modified = excluded.last_modified, error = excluded.error, failures = excluded.failures,
       fetched_ms = excluded.fetched_ms, retry_ms = excluded.retry_ms`,
    [JSON.stringify(rows, (_key, value: unknown) => pgValue(value))],
  );
}
