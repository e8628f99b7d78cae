// stories + story_categories on PostgreSQL: the unit-of-work operations and the newest-first listings.
import type { Story } from '../../types.js';
import {
  STORED_STORY_COLUMNS, storyRow, toStory, toStoredStory, type StoredStory, type StoredStoryRow, type StoryRow,
} from '../stored-rows.js';
import type { PrunedStory, UnitTables } from '../table-steps.js';
import type { StoryCursor } from '../store.js';
import { columnArrays, fromPgKey, toPg } from './pg-text.js';
import type { Sql } from './pool.js';
import { textBudgetListingSql } from '../text-budget-listing.js';
import { changedWords, saveWords } from './story-words.js';

const COLUMNS = [
  ['id', 'text'], ['title_key', 'text'], ['published_ms', 'bigint'], ['updated_ms', 'bigint'], ['title', 'text'],
  ['link', 'text'], ['links_json', 'text'], ['author', 'text'], ['categories_json', 'text'], ['image', 'text'],
  ['content_html', 'text'], ['summary', 'text'], ['content_hash', 'text'], ['row_hash', 'text'], ['text_hash', 'text'],
  ['feed_id', 'text'], ['enclosures_json', 'text'],
] as const satisfies readonly (readonly [keyof StoryRow, string])[];

/** The story columns as read back (never the word index: it stays in the database). */
export const STORY_COLUMNS = COLUMNS.map(([name]) => name).join(', ');
export const S_STORY_COLUMNS = COLUMNS.map(([name]) => `s.${name}`).join(', ');

const UPSERT = `
  INSERT INTO stories (${STORY_COLUMNS})
  SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET
    ${COLUMNS.filter(([name]) => name !== 'id').map(([name]) => `${name} = excluded.${name}`).join(', ')}`;

/** Both listings walk an index backwards and stop after `limit` rows, as on SQLite. */
export const listingSql = {
  all: `SELECT ${STORY_COLUMNS} FROM stories ORDER BY published_ms DESC, id DESC LIMIT $1`,
  category: `SELECT ${S_STORY_COLUMNS} FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = $1 ORDER BY sc.published_ms DESC, sc.story_id DESC LIMIT $2`,
  /** The next page after (published_ms, id): the same index walk, started at the cursor. */
  allAfter: `SELECT ${STORY_COLUMNS} FROM stories WHERE (published_ms, id) < ($1, $2) ORDER BY published_ms DESC, id DESC LIMIT $3`,
  categoryAfter: `SELECT ${S_STORY_COLUMNS} FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = $1 AND (sc.published_ms, sc.story_id) < ($2, $3) ORDER BY sc.published_ms DESC, sc.story_id DESC LIMIT $4`,
} as const;

const storedStory = (row: StoredStoryRow): StoredStory => toStoredStory({ ...row, title_key: fromPgKey(row.title_key) });

type Describe = Pick<StoryRow, 'id' | 'title_key' | 'published_ms' | 'categories_json'>;

export function createStoriesTable(sql: Sql): UnitTables['stories'] {
  return {
    async withTitleKeys(keys: readonly string[]): Promise<StoredStory[]> {
      const { rows } = await sql.query<StoredStoryRow>(`SELECT ${STORED_STORY_COLUMNS} FROM stories WHERE title_key = ANY($1::text[])`, [keys.map(toPg)]);
      return rows.map(storedStory);
    },
    async findMany(ids: readonly string[]): Promise<(StoredStory | null)[]> {
      const { rows } = await sql.query<StoredStoryRow>(`SELECT ${STORED_STORY_COLUMNS} FROM stories WHERE id = ANY($1::text[])`, [ids]);
      const byId = new Map(rows.map((row) => [row.id, storedStory(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    async saveMany(saves): Promise<void> {
      const rows = saves.map(storyRow);
      await sql.query(UPSERT, columnArrays(rows, COLUMNS));
      // The word index's row (story-words.ts), in the same transaction: words only where the text changed,
      // made where the article was parsed, so the writer only inserts them.
      await saveWords(sql, saves.map((save, i) => ({ id: rows[i]!.id, publishedMs: rows[i]!.published_ms, words: changedWords(save) })));
      const ids = rows.map((row) => row.id);
      await sql.query('DELETE FROM story_categories WHERE story_id = ANY($1::text[])', [ids]);
      const links = saves.flatMap((save, i) => save.story.categories.map((ref) => [ids[i]!, ref.slug, rows[i]!.published_ms] as const));
      await sql.query(
        `INSERT INTO story_categories (story_id, slug, published_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
        [links.map((l) => l[0]), links.map((l) => l[1]), links.map((l) => l[2])],
      );
    },
    async removeMany(ids: readonly string[]): Promise<void> {
      await sql.query('DELETE FROM stories WHERE id = ANY($1::text[])', [ids]);
    },
    async publishedBefore(ms: number): Promise<string[]> {
      const { rows } = await sql.query<{ id: string }>('SELECT id FROM stories WHERE published_ms < $1', [ms]);
      return rows.map((row) => row.id);
    },
    async pastCategoryLimit(limit: number): Promise<string[]> {
      const { rows } = await sql.query<{ id: string }>(
        `SELECT DISTINCT story_id AS id FROM (
           SELECT story_id, row_number() OVER (PARTITION BY slug ORDER BY published_ms DESC, story_id DESC) AS rank
           FROM story_categories
         ) ranked WHERE rank > $1`,
        [limit],
      );
      return rows.map((row) => row.id);
    },
    async describe(ids: readonly string[]): Promise<PrunedStory[]> {
      const { rows } = await sql.query<Describe>('SELECT id, title_key, published_ms, categories_json FROM stories WHERE id = ANY($1::text[])', [ids]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.flatMap((id) => {
        const row = byId.get(id);
        if (!row) return [];
        return [{ id, titleKey: fromPgKey(row.title_key), publishedMs: row.published_ms, categories: JSON.parse(row.categories_json) as { slug: string }[] }];
      });
    },
    async setFeedIds(stories: readonly { id: string; feedId: string }[]): Promise<void> {
      await sql.query(
        'UPDATE stories s SET feed_id = u.feed_id FROM unnest($1::text[], $2::text[]) AS u(id, feed_id) WHERE s.id = u.id',
        [stories.map((story) => story.id), stories.map((story) => story.feedId)],
      );
    },
  };
}

/** The newest whose text fits `maxTextChars` (text-budget-listing.ts): only those rows are read whole. */
export async function newestStoriesWithin(sql: Sql, slug: string, limit: number, maxTextChars: number, names: ReadonlyMap<string, string>): Promise<Story[]> {
  const { rows } = slug === 'all'
    ? await sql.query<StoryRow>(textBudgetListingSql(S_STORY_COLUMNS, { limit: '$1', budget: '$2' }), [limit, maxTextChars])
    : await sql.query<StoryRow>(textBudgetListingSql(S_STORY_COLUMNS, { slug: '$1', limit: '$2', budget: '$3' }), [slug, limit, maxTextChars]);
  return rows.map((row) => toStory(row, names));
}

/** Newest-first stories of a category (`all` for every story). */
export async function newestStories(sql: Sql, slug: string, limit: number, names: ReadonlyMap<string, string>): Promise<Story[]> {
  const { rows } = slug === 'all'
    ? await sql.query<StoryRow>(listingSql.all, [limit])
    : await sql.query<StoryRow>(listingSql.category, [slug, limit]);
  return rows.map((row) => toStory(row, names));
}

/**
 * The next `limit` newest-first stories after the cursor (null: from the newest); with `maxTextChars`, cut to those
 * whose text fits it (the first always), as newestStoriesWithin cuts.
 */
export async function newestStoriesAfter(
  sql: Sql, slug: string, after: StoryCursor | null, limit: number, names: ReadonlyMap<string, string>, maxTextChars?: number,
): Promise<Story[]> {
  if (after === null) {
    return maxTextChars === undefined ? newestStories(sql, slug, limit, names) : newestStoriesWithin(sql, slug, limit, maxTextChars, names);
  }
  const all = slug === 'all';
  const cursor = [after.published.getTime(), after.id];
  const text = maxTextChars === undefined
    ? (all ? listingSql.allAfter : listingSql.categoryAfter)
    : all
      ? textBudgetListingSql(S_STORY_COLUMNS, { after: { published: '$1', id: '$2' }, limit: '$3', budget: '$4' })
      : textBudgetListingSql(S_STORY_COLUMNS, { slug: '$1', after: { published: '$2', id: '$3' }, limit: '$4', budget: '$5' });
  const params = [...(all ? [] : [slug]), ...cursor, limit, ...(maxTextChars === undefined ? [] : [maxTextChars])];
  const { rows } = await sql.query<StoryRow>(text, params);
  return rows.map((row) => toStory(row, names));
}
