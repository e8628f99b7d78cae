// Read-only listings on PostgreSQL: archive pages (oldest first by offset) and a story's merge record.
import type { Story } from '../../types.js';
import { publicTitleKey } from '../row-hashes.js';
import { toStory, type StoryRow } from '../stored-rows.js';
import { textBudgetListingSql } from '../text-budget-listing.js';
import type { StoryOrigin } from '../store.js';
import { fromPgKey } from './pg-text.js';
import type { Sql } from './pool.js';
import { STORY_COLUMNS, S_STORY_COLUMNS } from './stories-table.js';

const archiveSql = {
  all: `SELECT ${STORY_COLUMNS} FROM stories ORDER BY published_ms ASC, id ASC LIMIT $1 OFFSET $2`,
  category: `SELECT ${S_STORY_COLUMNS} FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = $3 ORDER BY sc.published_ms ASC, sc.story_id ASC LIMIT $1 OFFSET $2`,
} as const;

/** Stories at positions offset … offset+limit-1 in publication order, oldest first (cut to `maxTextChars`). */
export async function categoryPage(
  sql: Sql, slug: string, offset: number, limit: number, names: ReadonlyMap<string, string>, maxTextChars?: number,
): Promise<Story[]> {
  const all = slug === 'all';
  const text = maxTextChars === undefined
    ? (all ? archiveSql.all : archiveSql.category)
    : textBudgetListingSql(S_STORY_COLUMNS, { ...(all ? {} : { slug: '$4' }), limit: '$1', offset: '$2', budget: '$3', oldestFirst: true });
  const params = [limit, offset, ...(maxTextChars === undefined ? [] : [maxTextChars]), ...(all ? [] : [slug])];
  const { rows } = await sql.query<StoryRow>(text, params);
  return rows.map((row) => toStory(row, names));
}

/** One story by id; null when there is none. */
export async function storyById(sql: Sql, storyId: string, names: ReadonlyMap<string, string>): Promise<Story | null> {
  const { rows } = await sql.query<StoryRow>(`SELECT ${STORY_COLUMNS} FROM stories WHERE id = $1`, [storyId]);
  return rows[0] ? toStory(rows[0], names) : null;
}

const HOUR_MS = 3_600_000;

/** The origins of a story, earliest first; empty for an unknown id. */
export async function storyOrigins(sql: Sql, storyId: string): Promise<StoryOrigin[]> {
  const { rows } = await sql.query<{
    source_key: string; origin_id: string; title: string; link: string | null; published_ms: number; served_ms: number; title_key: string; story_published_ms: number;
  }>(
    `SELECT o.source_key, o.origin_id, o.title, o.link, o.published_ms, LEAST(o.published_ms, o.first_seen_ms) AS served_ms,
       o.title_key, s.published_ms AS story_published_ms
     FROM origins o JOIN stories s ON s.id = o.story_id
     WHERE o.story_id = $1
     ORDER BY o.published_ms, o.source_key, o.origin_id`,
    [storyId],
  );
  return rows.map((row) => ({
    sourceKey: row.source_key,
    originId: row.origin_id,
    title: row.title,
    link: row.link,
    published: new Date(row.published_ms),
    titleKey: publicTitleKey(fromPgKey(row.title_key)),
    // The dates dedup compared (a future-dated copy counts from its first sighting), as on SQLite.
    differenceHours: Math.round(((row.served_ms - row.story_published_ms) / HOUR_MS) * 1000) / 1000,
  }));
}
