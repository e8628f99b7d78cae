// Running a planned search (search-table.ts plans it: words cut as they were indexed) on a connection: by the
// search thread (search-worker.ts) on its read-only connection, or by the store itself for an in-memory database.
// Nothing here segments text, so the search thread never loads jieba or the Chinese folding tables (~20 MB).
import type Database from 'better-sqlite3';
import { QueryError } from '../../errors.js';
import type { SearchResult } from '../store.js';
import { COUNT_CAP, RANKED_CANDIDATES, RECENCY_BOOST, RECENCY_HALF_MS, TITLE_WEIGHT } from '../search-rules.js';
import { toStory, type StoryRow } from '../stored-rows.js';

/** What a search runs: the FTS5 expression and the categories it is restricted to. */
export interface SearchPlan {
  expression: string;
  categories: string[];
}

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
  const statements = new Map<number, { page: Database.Statement; stats: Database.Statement }>();

  // One statement pair per number of category restrictions, prepared once.
  function prepared(categories: number) {
    let found = statements.get(categories);
    if (!found) {
      const inCategories = Array.from({ length: categories }, () =>
        ' AND EXISTS (SELECT 1 FROM story_categories sc WHERE sc.story_id = s.id AND sc.slug = ?)').join('');
      found = {
        page: db.prepare(`
          SELECT s.* FROM (
            SELECT rowid AS r, bm25(story_words, ${TITLE_WEIGHT}, 1.0) AS score FROM story_words
            WHERE story_words MATCH ? ORDER BY rowid DESC LIMIT ${RANKED_CANDIDATES}
          ) m JOIN stories s ON s.rowid = m.r
          WHERE 1${inCategories}
          ORDER BY m.score * (1.0 + ${RECENCY_BOOST} / (1.0 + max(0, ? - s.published_ms) / ${RECENCY_HALF_MS}.0)), s.published_ms DESC
          LIMIT ?`),
        // Without a category the count reads the index alone.
        stats: db.prepare(categories === 0
          ? `SELECT count(*) AS n FROM (SELECT rowid FROM story_words WHERE story_words MATCH ? LIMIT ${COUNT_CAP})`
          : `SELECT count(*) AS n FROM (
              SELECT rowid AS r FROM story_words WHERE story_words MATCH ? ORDER BY rowid DESC LIMIT ${COUNT_CAP}
            ) f JOIN stories s ON s.rowid = f.r
            WHERE 1${inCategories}`),
      };
      statements.set(categories, found);
    }
    return found;
  }

  function run(plan: SearchPlan, limit: number, names: ReadonlyMap<string, string>): SearchResult {
    const statement = prepared(plan.categories.length);
    const wanted = Math.max(0, Math.floor(limit));
    const rows = statement.page.all(plan.expression, ...plan.categories, clock().getTime(), Math.max(1, wanted)) as StoryRow[];
    const stats = statement.stats.get(plan.expression, ...plan.categories) as { n: number };
    const newest = rows.reduce<number | null>((m, row) => (m === null || row.updated_ms > m ? row.updated_ms : m), null);
    return {
      stories: rows.slice(0, wanted).map((row) => toStory(row, names)),
      total: stats.n,
      lastChanged: newest === null ? null : new Date(newest),
    };
  }

  return { run };
}
