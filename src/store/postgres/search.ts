// Search on PostgreSQL, minimal and correct: every term must occur (case-insensitively) in the title or
// in the body's text (tags dropped). A scan of the stories; the word index replaces it.
import type { SearchResult } from '../store.js';
import { toStory, type StoryRow } from '../stored-rows.js';
import type { Sql } from './pool.js';

const MAX_TERMS = 8;
const likePattern = (term: string): string => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function searchStories(sql: Sql, query: string, limit: number, names: ReadonlyMap<string, string>): Promise<SearchResult> {
  const terms = query.normalize('NFKC').trim().split(/\s+/u).filter(Boolean).slice(0, MAX_TERMS);
  if (terms.length === 0) return { stories: [], total: 0, lastChanged: null };
  const { rows } = await sql.query<StoryRow & { total: number; last_changed_ms: number | null }>(
    `WITH matches AS (
       SELECT s.* FROM stories s
       WHERE (SELECT bool_and(s.title ILIKE t OR regexp_replace(s.content_html, '<[^>]*>', ' ', 'g') ILIKE t) FROM unnest($1::text[]) AS t)
     )
     SELECT m.*, stats.total, stats.last_changed_ms
     FROM (SELECT count(*) AS total, max(updated_ms) AS last_changed_ms FROM matches) stats
     LEFT JOIN LATERAL (SELECT * FROM matches ORDER BY published_ms DESC, id DESC LIMIT $2) m ON TRUE`,
    [terms.map(likePattern), Math.max(0, Math.floor(limit))],
  );
  const first = rows[0];
  return {
    stories: rows.filter((row) => row.id !== null).map((row) => toStory(row, names)),
    total: first?.total ?? 0,
    lastChanged: first?.last_changed_ms == null ? null : new Date(first.last_changed_ms),
  };
}
