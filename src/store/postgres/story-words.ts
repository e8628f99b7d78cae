// The word index on PostgreSQL, written side: story_search.words, a tsvector of the words
// text/search-words.ts made (title weight A, body weight B) under the 'simple' configuration, which
// only splits at the spaces between our words and lowercases: the segmenting and folding are ours, the
// same as SQLite's FTS5 index reads. Every story has its story_search row (id, published_ms, words),
// written with the story in the writer's transaction; words NULL = not indexed yet (stories stored
// before migration 5, or copied by copy-store), indexed by `rebuildWordsSlice` (rebuild-words.ts).
import type { SearchWords } from '../../types.js';
import { storyWords } from '../../text/search-words.js';
import type { StorySave } from '../stored-rows.js';
import type { Sql } from './pool.js';
import { toPg } from './pg-text.js';

/**
 * A tsvector holds at most 1 MB (positions stop at 16,383): the body's words are indexed up to this
 * many characters (about 100 KB of text, far beyond a news article), so an oversized body is still
 * stored and found by its title and first 100 KB rather than failing its whole run.
 */
export const MAX_INDEXED_CHARS = 100_000;

/**
 * Migration 11: the word index in a narrow table of its own, beside `stories`. A search visits one row per
 * match it reads (for its date, and its tsvector for the filter and the rank): in `stories` that was a
 * row with the whole story in a 2 GB table at 1M stories, far beyond shared_buffers. Here a row is the id,
 * the date and the tsvector. toast_tuple_target/EXTERNAL only act on a row PostgreSQL toasts at all (over
 * ~2 KB: a real article's tsvector; it then goes out of line uncompressed, tsvectors barely compress): the
 * bench's short stories (~1.5 KB tsvectors) are stored inline as written, and only the copies this migration
 * made from `stories`' out-of-line values stayed out of line (the table was 81 MB at 1M, 1.56 GB inline after
 * migration 12 copied it again, and faster: no toast lookups). Filled in publication order, so the newest
 * stories are together; the maintenance memory is raised for the GIN build (55 s at 1M stories with 256 MB).
 */
export const STORY_SEARCH_MIGRATION = `
  CREATE TABLE story_search (
    id TEXT COLLATE "C" PRIMARY KEY,
    published_ms BIGINT NOT NULL,
    words tsvector
  ) WITH (toast_tuple_target = 128);
  ALTER TABLE story_search ALTER COLUMN words SET STORAGE EXTERNAL;
  INSERT INTO story_search (id, published_ms, words) SELECT id, published_ms, search_words FROM stories ORDER BY published_ms, id;
  SET LOCAL maintenance_work_mem = '256MB';
  CREATE INDEX story_search_words ON story_search USING gin (words);
  CREATE INDEX story_search_by_published ON story_search (published_ms, id);
  CREATE INDEX story_search_unindexed ON story_search (id) WHERE words IS NULL;
  ALTER TABLE story_search ADD FOREIGN KEY (id) REFERENCES stories (id) ON DELETE CASCADE;
  DROP INDEX stories_search_words;
  DROP INDEX stories_unindexed;
  ALTER TABLE stories DROP COLUMN search_words;
  ANALYZE story_search;
`;

/**
 * Each indexed story's tsvector also holds one lexeme naming its 30-day period of publication (`#` and the
 * period's number, no position): a window of publication time is then a condition the GIN index answers
 * together with the words (`words @@ '#669' | '#668' | …`), so the GIN scan skips the postings outside the
 * window and only the window's matches are visited (search-candidates.ts). With a range of `published_ms`
 * instead, the planner reads every match's row to test its date (5,570 pages for `面 主城 会` at 1M, where
 * the period window visits 1,873, and the GIN scan itself took 11 ms against 4–6). Our words never hold `#`
 * (the cutter keeps letters, marks and digits) and to_tsquery('simple', …) drops it from a query, so no
 * query matches a period lexeme; ts_rank_cd looks only at the query's lexemes, so ranks do not change.
 */
export const PERIOD_MS = 30 * 86_400_000;

/** The period lexeme of a publication time (as `periodVector` makes it in SQL). */
export const periodLexeme = (publishedMs: number): string => `#${Math.floor(publishedMs / PERIOD_MS)}`;

const periodText = (ms: string): string => `'#' || floor(${ms} / ${PERIOD_MS}.0)::bigint::text`;
const periodVector = (ms: string): string => `array_to_tsvector(ARRAY[${periodText(ms)}])`;

/**
 * Migration 12: the period lexemes added to every indexed story, by copying the table in publication order
 * and building its indexes again (faster than updating 1M rows in place, and no dead copy of every tsvector).
 */
export const STORY_PERIODS_MIGRATION = `
  CREATE TABLE story_search_periods (
    id TEXT COLLATE "C" NOT NULL,
    published_ms BIGINT NOT NULL,
    words tsvector
  ) WITH (toast_tuple_target = 128);
  ALTER TABLE story_search_periods ALTER COLUMN words SET STORAGE EXTERNAL;
  INSERT INTO story_search_periods (id, published_ms, words)
    SELECT id, published_ms, words || ${periodVector('published_ms')} FROM story_search ORDER BY published_ms, id;
  DROP TABLE story_search;
  ALTER TABLE story_search_periods RENAME TO story_search;
  SET LOCAL maintenance_work_mem = '256MB';
  ALTER TABLE story_search ADD PRIMARY KEY (id);
  CREATE INDEX story_search_words ON story_search USING gin (words);
  CREATE INDEX story_search_by_published ON story_search (published_ms, id);
  CREATE INDEX story_search_unindexed ON story_search (id) WHERE words IS NULL;
  ALTER TABLE story_search ADD FOREIGN KEY (id) REFERENCES stories (id) ON DELETE CASCADE;
  ANALYZE story_search;
`;

/** The SQL of a story's tsvector from its title and body words (text parameters or columns). */
export const wordsVector = (title: string, body: string): string =>
  `setweight(to_tsvector('simple', ${title}), 'A') || setweight(to_tsvector('simple', ${body}), 'B')`;

/** The stored tsvector: the words and the period lexeme of `publishedMs` (columns or parameters). */
export const indexedVector = (title: string, body: string, publishedMs: string): string =>
  `${wordsVector(title, body)} || ${periodVector(publishedMs)}`;

/** A story's words as indexed: the first MAX_INDEXED_CHARS characters, cut at a space. */
export function capped(words: string): string {
  if (words.length <= MAX_INDEXED_CHARS) return words;
  const cut = words.lastIndexOf(' ', MAX_INDEXED_CHARS);
  return words.slice(0, cut > 0 ? cut : MAX_INDEXED_CHARS);
}

/** The words to index as stored, or null when the story's text did not change (its index entry stays). */
export function changedWords({ story, before, hashes }: StorySave): SearchWords | null {
  if (before !== undefined && before.textHash === hashes.text) return null;
  const words = storyWords(story, { title: story.titleWords, body: story.bodyWords });
  return { title: toPg(words.title), body: toPg(capped(words.body)) };
}

/**
 * Writes the saved stories' rows of story_search, after their `stories` rows (the foreign key): the date
 * always, the words when the text changed (`words` null keeps the words the story has, its period lexeme
 * following the date).
 */
export async function saveWords(sql: Sql, stories: ReadonlyArray<{ id: string; publishedMs: number; words: SearchWords | null }>): Promise<void> {
  await sql.query(
    `INSERT INTO story_search (id, published_ms, words)
     SELECT u.id, u.published_ms, CASE WHEN u.title IS NULL THEN NULL ELSE ${indexedVector('u.title', 'u.body', 'u.published_ms')} END
     FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) AS u(id, published_ms, title, body)
     ON CONFLICT (id) DO UPDATE SET published_ms = excluded.published_ms, words = coalesce(excluded.words,
       ts_delete(story_search.words, ${periodText('story_search.published_ms')}) || ${periodVector('excluded.published_ms')})
     WHERE excluded.words IS NOT NULL OR story_search.published_ms <> excluded.published_ms`,
    [stories.map((s) => s.id), stories.map((s) => s.publishedMs), stories.map((s) => s.words?.title ?? null), stories.map((s) => s.words?.body ?? null)],
  );
}
