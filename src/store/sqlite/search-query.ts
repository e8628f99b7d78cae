// Running a planned search (search-table.ts plans it: words cut as they were indexed) on a connection: by the
// search thread (search-worker.ts) on its read-only connection, or by the store itself for an in-memory database.
// Nothing here segments text, so the search thread never loads jieba or the Chinese folding tables (~20 MB).
import type Database from 'better-sqlite3';
import { QueryError } from '../../errors.js';
import type { SearchPage, SearchResult } from '../store.js';
import { COUNT_CAP, RANKED_CANDIDATES, RECENCY_BOOST, RECENCY_HALF_MS, TITLE_WEIGHT } from '../search-rules.js';
import { toStory, type StoryRow } from '../stored-rows.js';
import { TEXT_CHARS, TEXT_CHARS_JOIN } from '../text-budget-listing.js';

/** What a search runs: the FTS5 expression, the phrases every match contains, the categories it is restricted to. */
export interface SearchPlan {
  expression: string;
  /** The required phrases (a word, a "phrase", a prefix), each in FTS5 syntax: what bm25 scores. */
  phrases: string[];
  categories: string[];
}

/**
 * A phrase in at least this many stories does not count in the ranking. FTS5's bm25 counts the stories
 * holding each phrase of the query over the whole index, every search: for a word in most stories (的, a
 * word of every title) that walk is the whole cost (~14 ms at 100k stories, ~10× that at 1M), and such a
 * word tells stories apart by almost nothing (its IDF is 0 in over half the stories). Probing a phrase
 * costs at most this many index entries.
 */
export const COMMON_PHRASE_STORIES = 5000;

export { COUNT_CAP, RANKED_CANDIDATES };

/** Runs a search, turning FTS5's complaints about the query (not the database) into a QueryError. */
export function rejectingBadQuery<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if ((error as { code?: string }).code === 'SQLITE_ERROR' && /^(fts5: syntax error|unterminated string|unknown special query|no such column)/.test(message)) {
      throw new QueryError(`Bad search query (${message.replace(/^fts5: /, '').replace(/ near .*$/, '')}): use words and "quoted phrases"`, { cause: error });
    }
    throw error;
  }
}

/**
 * Stories matching a plan, best first (bm25, title matches weighted, recent stories boosted), with how many
 * match (counted up to COUNT_CAP) and the newest change among those returned (what a feed of them shows; a
 * zero limit reads the best one for it).
 */
export function createSearchQuery(db: Database.Database, clock: () => Date) {
  // Newest first, as the matches are walked: the probe reads the end of each word's list the walk reads too.
  const probe = db.prepare(`SELECT count(*) AS n FROM (
    SELECT rowid FROM story_words WHERE story_words MATCH ? ORDER BY rowid DESC LIMIT ${COMMON_PHRASE_STORIES})`).pluck();
  // The newest matches in the index's own order, with no ranking (no count over the index), up to the count's
  // cap: one walk gives both the candidates (the first RANKED_CANDIDATES) and the count.
  const matches = db.prepare(`SELECT rowid FROM story_words WHERE story_words MATCH ? ORDER BY rowid DESC LIMIT ${COUNT_CAP}`).pluck();
  // bm25 of the uncommon phrases alone, over the candidates' rowid range: each phrase's stories are counted
  // (under COMMON_PHRASE_STORIES each), and a common phrase's share of the score, near 0, is left out.
  const scores = db.prepare(`SELECT rowid AS r, bm25(story_words, ${TITLE_WEIGHT}, 1.0) AS score FROM story_words
    WHERE story_words MATCH ? AND rowid BETWEEN ? AND ?`);
  const statements = new Map<number, { page: Database.Statement; stats: Database.Statement }>();

  // One statement pair per number of category restrictions, prepared once.
  function prepared(categories: number) {
    let found = statements.get(categories);
    if (!found) {
      const inCategories = (story: string) => Array.from({ length: categories }, () =>
        ` AND EXISTS (SELECT 1 FROM story_categories sc WHERE sc.story_id = ${story}.id AND sc.slug = ?)`).join('');
      found = {
        // The scored candidates arrive as a JSON array of [rowid, score]; they are ordered on their dates from
        // story_dates (not a visit to each story's row; a category restriction reads each candidate's row for its
        // id). The page is cut to the stories whose text fits the budget (the first always kept), summed in the
        // database (text-budget-listing.ts): only those are read whole into the heap.
        page: db.prepare(`
          WITH ranked AS (
            SELECT d.rowid AS r, (m.value ->> 1) * (1.0 + ${RECENCY_BOOST} / (1.0 + max(0, ? - d.published_ms) / ${RECENCY_HALF_MS}.0)) AS rank,
              d.published_ms AS p
            FROM json_each(?) m JOIN story_dates d ON d.rowid = m.value ->> 0${categories > 0 ? ' JOIN stories c ON c.rowid = d.rowid' : ''}
            WHERE 1${inCategories('c')}
            ORDER BY rank, p DESC LIMIT ? OFFSET ?
          ),
          kept AS (
            SELECT t.r, t.rank, t.p, sum(${TEXT_CHARS}) OVER best AS used, row_number() OVER best AS n
            FROM ranked t JOIN stories s ON s.rowid = t.r ${TEXT_CHARS_JOIN}
            WINDOW best AS (ORDER BY t.rank, t.p DESC ROWS UNBOUNDED PRECEDING)
          )
          SELECT s.* FROM kept k JOIN stories s ON s.rowid = k.r
          WHERE k.n = 1 OR k.used <= ?
          ORDER BY k.rank, k.p DESC`),
        // The count among the matches read (up to COUNT_CAP) of those in every category.
        stats: db.prepare(`SELECT count(*) AS n FROM json_each(?) f JOIN stories s ON s.rowid = f.value WHERE 1${inCategories('s')}`).pluck(),
      };
      statements.set(categories, found);
    }
    return found;
  }

  /** The candidates with their bm25 score (-1, the same for all, when every phrase is common: newest first). */
  function scored(plan: SearchPlan, rowids: readonly number[]): Array<[number, number]> {
    const uncommon = plan.phrases.filter((phrase) => (probe.get(phrase) as number) < COMMON_PHRASE_STORIES);
    if (rowids.length === 0 || uncommon.length === 0) return rowids.map((r) => [r, -1]);
    const rows = scores.all(uncommon.join(' AND '), rowids.at(-1), rowids[0]) as Array<{ r: number; score: number }>;
    const byRowid = new Map(rows.map((row) => [row.r, row.score]));
    return rowids.map((r) => [r, byRowid.get(r) ?? -1]);
  }

  /** `page`: the best `offset` are skipped, and the stories returned cut to `maxTextChars` of text (the first kept). */
  function run(plan: SearchPlan, limit: number, names: ReadonlyMap<string, string>, page: SearchPage = {}): SearchResult {
    const { offset = 0, maxTextChars = Number.MAX_SAFE_INTEGER } = page;
    const statement = prepared(plan.categories.length);
    const wanted = Math.max(0, Math.floor(limit));
    const found = matches.all(plan.expression) as number[];
    const candidates = found.slice(0, RANKED_CANDIDATES);
    const rows = statement.page.all(clock().getTime(), JSON.stringify(scored(plan, candidates)), ...plan.categories, Math.max(1, wanted), Math.max(0, Math.floor(offset)), maxTextChars) as StoryRow[];
    const total = plan.categories.length === 0 ? found.length : statement.stats.get(JSON.stringify(found), ...plan.categories) as number;
    const newest = rows.reduce<number | null>((m, row) => (m === null || row.updated_ms > m ? row.updated_ms : m), null);
    return {
      stories: rows.slice(0, wanted).map((row) => toStory(row, names)),
      total,
      lastChanged: newest === null ? null : new Date(newest),
    };
  }

  return { run };
}
