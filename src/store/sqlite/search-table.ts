// Full-text search over stories: an FTS5 index of words (unicode61 over the words text/search-words.ts
// made where the article was parsed), contentless (the text is the story's; only the index is kept),
// ranked by bm25 with a title weight and a small recency boost (search-query.ts runs what searchPlan
// plans here). The writer inserts a story's words in the same transaction that stores it, so a search
// right after an import finds everything it stored.
import type Database from 'better-sqlite3';
import type { SearchWords } from '../../types.js';
import { parseQuery, type ParsedQuery, type QueryTerm } from '../../text/parse-query.js';
import { storyWords } from '../../text/search-words.js';
import type { SearchPlan } from './search-query.js';

export { storyWords };

/**
 * Migration 8: words, not trigrams. Drops the trigram index and its queue; the stories already stored
 * are indexed by `rebuildSlice` (the rebuild row holds its progress), not inside the migration, so a
 * large database is rebuilt in slices with progress in the log.
 */
export const SEARCH_WORDS_MIGRATION = `
  DROP TRIGGER search_queue_insert;
  DROP TRIGGER search_queue_update;
  DROP TRIGGER search_queue_delete;
  DROP TABLE search_queue;
  DROP TABLE story_search;
  CREATE VIRTUAL TABLE story_words USING fts5(
    title, body, tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1
  );
  CREATE TRIGGER story_words_delete AFTER DELETE ON stories BEGIN
    DELETE FROM story_words WHERE rowid = old.rowid;
  END;
  ALTER TABLE stories ADD COLUMN text_hash TEXT;
  CREATE TABLE search_rebuild (id INTEGER PRIMARY KEY CHECK (id = 1), next_rowid INTEGER NOT NULL, last_rowid INTEGER NOT NULL);
  INSERT INTO search_rebuild SELECT 1, min(rowid), max(rowid) FROM stories HAVING count(*) > 0;
`;

/**
 * Migration 17: each story's publication time by rowid, in a table of its own kept in step by triggers. A search
 * ranks its 500 candidates (index rowids) on their dates: read from the stories table, that is one page visit per
 * candidate (a row is ~2 KB there), 500 random reads of a 2 GB table at 1M stories when the file is not in the
 * OS cache (30–430 ms measured); this table is ~15 bytes a story (15 MB at 1M), a few hundred pages for them all.
 */
export const SEARCH_DATES_MIGRATION = `
  CREATE TABLE story_dates (rowid INTEGER PRIMARY KEY, published_ms INTEGER NOT NULL);
  INSERT INTO story_dates (rowid, published_ms) SELECT rowid, published_ms FROM stories;
  CREATE TRIGGER story_dates_insert AFTER INSERT ON stories BEGIN
    INSERT OR REPLACE INTO story_dates (rowid, published_ms) VALUES (new.rowid, new.published_ms);
  END;
  CREATE TRIGGER story_dates_update AFTER UPDATE OF published_ms ON stories WHEN new.published_ms IS NOT old.published_ms BEGIN
    UPDATE story_dates SET published_ms = new.published_ms WHERE rowid = new.rowid;
  END;
  CREATE TRIGGER story_dates_delete AFTER DELETE ON stories BEGIN
    DELETE FROM story_dates WHERE rowid = old.rowid;
  END;
`;

/** One story's entry: its words; `replace` when an existing story's entry is removed first. */
export interface SearchEntry {
  rowid: number;
  words: SearchWords;
  replace: boolean;
}

/** Writes of the index, called by the stories table in the writer's transaction. */
export function createSearchIndex(db: Database.Database) {
  const insert = db.prepare<[number, string, string]>('INSERT INTO story_words (rowid, title, body) VALUES (?, ?, ?)');
  const remove = db.prepare<[number]>('DELETE FROM story_words WHERE rowid = ?');
  return {
    /**
     * Indexes stories' words (removals first, then single-row inserts, nothing in between). FTS5 keeps inserted words
     * in memory and writes them out as a new segment whenever a statement of the transaction opens a statement
     * savepoint, as the stories upsert does: interleaved with it, every story's words became a segment of their own
     * (the upsert took ~0.19 ms instead of ~0.03). Written together, a batch's words are flushed a few times.
     */
    writeMany(entries: readonly SearchEntry[]): void {
      for (const entry of entries) if (entry.replace) remove.run(entry.rowid);
      for (const { rowid, words } of entries) insert.run(rowid, words.title, words.body);
    },
    /** Removes stories' entries: before entries are inserted one at a time (removals first, as in writeMany). */
    removeMany(rowids: readonly number[]): void {
      for (const rowid of rowids) remove.run(rowid);
    },
    insertOne(rowid: number, words: SearchWords): void {
      insert.run(rowid, words.title, words.body);
    },
  };
}

export type SearchIndex = ReturnType<typeof createSearchIndex>;

export interface RebuildProgress {
  indexed: number;
  /** Stories still to index, at most (0: the index is complete). */
  remaining: number;
}

/**
 * Body characters a rebuild slice reads at most (always at least one story): its stories are read and segmented
 * one at a time, so one body and its words are held at once. Reading 50 whole bodies of megabytes together and
 * segmenting them all before writing ran a 192 MB process out of heap.
 */
export const REBUILD_SLICE_CHARS = 4_000_000;

/**
 * The rebuild of the index for stories stored before migration 8, slice by slice; `onComplete` runs in the
 * transaction of the slice that completes it. Whole bodies are indexed, as the writer indexes them.
 */
export function createSearchRebuild(db: Database.Database, onComplete: () => void = () => {}) {
  const state = db.prepare<[], { next_rowid: number; last_rowid: number }>('SELECT next_rowid, last_rowid FROM search_rebuild');
  // length() counts the characters in SQLite: no body is read into JavaScript to choose the slice.
  const lengths = db.prepare<[number, number, number], { rowid: number; chars: number }>(
    'SELECT rowid, length(content_html) AS chars FROM stories WHERE rowid >= ? AND rowid <= ? ORDER BY rowid LIMIT ?',
  );
  const story = db.prepare<[number], { title: string; content_html: string }>('SELECT title, content_html FROM stories WHERE rowid = ?');
  const advance = db.prepare<[number]>('UPDATE search_rebuild SET next_rowid = ?');
  const finish = db.prepare('DELETE FROM search_rebuild');
  const index = createSearchIndex(db);

  const run = db.transaction((maxStories: number): RebuildProgress => {
    const at = state.get();
    if (!at) return { indexed: 0, remaining: 0 };
    const rows = lengths.all(at.next_rowid, at.last_rowid, Math.max(1, Math.floor(maxStories)));
    const taken: number[] = [];
    for (let i = 0, chars = 0; i < rows.length && (i === 0 || chars < REBUILD_SLICE_CHARS); i++) {
      taken.push(rows[i]!.rowid);
      chars += rows[i]!.chars ?? 0;
    }
    // Replace: a story the writer re-indexed since the migration is not indexed twice. The removals all come
    // first, then each story is read, segmented and inserted before the next is read.
    index.removeMany(taken);
    for (const rowid of taken) {
      const row = story.get(rowid)!;
      index.insertOne(rowid, storyWords({ title: row.title, contentHtml: row.content_html }, {}));
    }
    const next = taken.length > 0 ? taken.at(-1)! + 1 : at.last_rowid + 1;
    // The rowids left in the rebuilt range: exact unless stories were deleted there since the migration (then
    // fewer are left). Counting the rows instead walked the rest of the table on every slice (1 s for 500k).
    const left = next > at.last_rowid ? 0 : at.last_rowid - next + 1;
    if (left === 0) {
      finish.run();
      onComplete();
    } else advance.run(next);
    return { indexed: taken.length, remaining: left };
  });
  return {
    /** Indexes up to `maxStories` stories in one write transaction. */
    slice: (maxStories: number): RebuildProgress => run.immediate(maxStories),
    /** True when nothing is left to rebuild: the slice that completes it deletes the cursor row. */
    complete: (): boolean => state.get() === undefined,
  };
}

const quoted = (word: string): string => `"${word.replace(/"/g, '""')}"`;

/** The FTS5 phrases of one term: the phrase itself, or each word (all must occur). */
function termPhrases(term: QueryTerm): string[] {
  const last = term.words.length - 1;
  if (term.phrase) return [`${quoted(term.words.join(' '))}${term.prefix ? ' *' : ''}`];
  return term.words.map((word, i) => `${quoted(word)}${term.prefix && i === last ? ' *' : ''}`);
}

/** One term as an FTS5 expression: a phrase, or words that must all occur. */
function termExpression(term: QueryTerm): string {
  const phrases = termPhrases(term);
  return phrases.length === 1 ? phrases[0]! : `(${phrases.join(' AND ')})`;
}

/** The FTS5 MATCH expression of a query; null when nothing is required (only exclusions, or nothing). */
export function ftsExpression(parsed: ParsedQuery): string | null {
  const required = parsed.terms.filter((term) => !term.exclude).map(termExpression);
  if (required.length === 0) return null;
  const excluded = parsed.terms.filter((term) => term.exclude).map(termExpression);
  const all = required.join(' AND ');
  return excluded.length === 0 ? all : `(${all}) NOT (${excluded.join(' OR ')})`;
}

/**
 * The plan of a query; null when it requires nothing. Made where the query arrives: segmenting words
 * needs jieba's dictionary (~50 MB), which the serving thread holds already and the search thread need not.
 */
export function searchPlan(query: string): SearchPlan | null {
  const parsed = parseQuery(query);
  const expression = ftsExpression(parsed);
  if (expression === null) return null;
  const phrases = [...new Set(parsed.terms.filter((term) => !term.exclude).flatMap(termPhrases))];
  return { expression, phrases, categories: parsed.categories };
}
