// The word index on PostgreSQL, written side: stories.search_words, a tsvector of the words
// text/search-words.ts made (title weight A, body weight B) under the 'simple' configuration, which
// only splits at the spaces between our words and lowercases: the segmenting and folding are ours, the
// same as SQLite's FTS5 index reads. Written with the story in the writer's transaction when its text
// changes; stories stored before migration 5 are indexed by `rebuildWordsSlice`.
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

/** The SQL of a story's tsvector from its title and body words (text parameters or columns). */
export const wordsVector = (title: string, body: string): string =>
  `setweight(to_tsvector('simple', ${title}), 'A') || setweight(to_tsvector('simple', ${body}), 'B')`;

function capped(words: string): string {
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

/** The rebuild's progress counts the stories still to index up to this many (the log then says "at least"). */
export const REMAINING_COUNT_CAP = 10_000;

/**
 * Indexes up to `maxStories` stories not indexed yet, in the caller's transaction. The rows are locked
 * (SKIP LOCKED), so two processes rebuilding at once share the work and a writer's newer words are
 * never overwritten by older ones.
 */
export async function rebuildWordsSlice(sql: Sql, maxStories: number): Promise<{ indexed: number; remaining: number }> {
  const { rows } = await sql.query<{ id: string; title: string; content_html: string }>(
    'SELECT id, title, content_html FROM stories WHERE search_words IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED',
    [Math.max(1, Math.floor(maxStories))],
  );
  if (rows.length > 0) {
    const words = rows.map((row) => storyWords({ title: row.title, contentHtml: row.content_html }, {}));
    await sql.query(
      `UPDATE stories SET search_words = ${wordsVector('u.title', 'u.body')}
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, title, body) WHERE stories.id = u.id`,
      [rows.map((row) => row.id), words.map((w) => toPg(w.title)), words.map((w) => toPg(capped(w.body)))],
    );
  }
  // Counted up to REMAINING_COUNT_CAP: an exact count walked every unindexed story again on every slice.
  const { rows: [left] } = await sql.query<{ n: number }>(
    `SELECT count(*) AS n FROM (SELECT 1 FROM stories WHERE search_words IS NULL LIMIT ${REMAINING_COUNT_CAP}) u`,
  );
  return { indexed: rows.length, remaining: Number(left!.n) };
}
