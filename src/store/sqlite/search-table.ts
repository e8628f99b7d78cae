// Full-text search over stories: an FTS5 table with the trigram tokenizer (substring matching that
// works for Chinese, which has no spaces between words). The index holds the title and the body's
// text; `html_text` (registered per connection before the migrations run) turns the cleaned HTML into
// that text. Since migration 4 indexing is deferred: triggers queue new, edited and deleted stories in
// `search_queue` (indexing costs more than the rest of an import) and `indexBacklog` indexes them in
// slices; a search first drains the queue, so it never misses a stored story.
import type Database from 'better-sqlite3';
import { QueryError } from '../../errors.js';
import type { Story } from '../../types.js';
import { toStory, type StoryRow } from '../stored-rows.js';

/** The migration creating the index (appended to migrations.ts). */
export const SEARCH_MIGRATION = `
  CREATE VIRTUAL TABLE story_search USING fts5(title, body, tokenize = 'trigram');
  CREATE TRIGGER story_search_insert AFTER INSERT ON stories BEGIN
    INSERT INTO story_search (rowid, title, body) VALUES (new.rowid, new.title, html_text(new.content_html));
  END;
  CREATE TRIGGER story_search_update AFTER UPDATE OF title, content_html ON stories BEGIN
    DELETE FROM story_search WHERE rowid = old.rowid;
    INSERT INTO story_search (rowid, title, body) VALUES (new.rowid, new.title, html_text(new.content_html));
  END;
  CREATE TRIGGER story_search_delete AFTER DELETE ON stories BEGIN
    DELETE FROM story_search WHERE rowid = old.rowid;
  END;
  INSERT INTO story_search (rowid, title, body) SELECT rowid, title, html_text(content_html) FROM stories;
`;

/**
 * Migration 4: index in the background. Removing a story's terms from FTS5 costs about as much as
 * adding them (measured: 3.6 vs 4.0 ms for an 11.7 KB article), so edits and deletions are queued too:
 * the queue holds every rowid whose index entry is stale or missing, and the drain replaces the
 * entries of a slice. Searches drain first, so a stale entry is never seen. (NOT EXISTS, not OR IGNORE:
 * a trigger's conflict clause yields to the outer statement's, and storeRun's upsert aborts.)
 */
export const SEARCH_QUEUE_MIGRATION = `
  DROP TRIGGER story_search_insert;
  DROP TRIGGER story_search_update;
  DROP TRIGGER story_search_delete;
  CREATE TABLE search_queue (story_rowid INTEGER PRIMARY KEY);
  CREATE TRIGGER search_queue_insert AFTER INSERT ON stories BEGIN
    INSERT INTO search_queue SELECT new.rowid WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE story_rowid = new.rowid);
  END;
  CREATE TRIGGER search_queue_update AFTER UPDATE OF title, content_html ON stories
    WHEN old.title IS NOT new.title OR old.content_html IS NOT new.content_html BEGIN
    INSERT INTO search_queue SELECT old.rowid WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE story_rowid = old.rowid);
  END;
  CREATE TRIGGER search_queue_delete AFTER DELETE ON stories BEGIN
    INSERT INTO search_queue SELECT old.rowid WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE story_rowid = old.rowid);
  END;
`;

export interface BacklogProgress {
  /** Stories (re)indexed; a queued deletion only leaves the index and is not counted. */
  indexed: number;
  /** Rowids still queued after this slice. */
  remaining: number;
}

/** Indexes queued stories, oldest rowid first, one transaction per slice. */
export function createSearchIndexer(db: Database.Database) {
  // The slice is the first n queued rowids: `bound` is the n-th, so both statements take `<= bound`.
  const bound = db.prepare<[number], { r: number }>('SELECT story_rowid AS r FROM search_queue ORDER BY story_rowid LIMIT 1 OFFSET ?');
  const last = db.prepare<[], { r: number | null }>('SELECT max(story_rowid) AS r FROM search_queue');
  // Deleting a rowid the index does not hold (a new story) is a cheap lookup.
  const unindex = db.prepare<[number]>('DELETE FROM story_search WHERE rowid IN (SELECT story_rowid FROM search_queue WHERE story_rowid <= ?)');
  const index = db.prepare<[number]>(`
    INSERT INTO story_search (rowid, title, body)
    SELECT s.rowid, s.title, html_text(s.content_html) FROM search_queue q JOIN stories s ON s.rowid = q.story_rowid
    WHERE q.story_rowid <= ?`);
  const dequeue = db.prepare<[number]>('DELETE FROM search_queue WHERE story_rowid <= ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM search_queue');
  const pending = db.prepare<[], { one: number }>('SELECT 1 AS one FROM search_queue LIMIT 1');

  const slice = db.transaction((maxStories: number): BacklogProgress => {
    const n = Math.floor(maxStories);
    if (n <= 0) return { indexed: 0, remaining: count.get()!.n };
    const upTo = bound.get(n - 1)?.r ?? last.get()!.r;
    if (upTo === null) return { indexed: 0, remaining: 0 };
    unindex.run(upTo);
    const indexed = index.run(upTo).changes;
    dequeue.run(upTo);
    return { indexed, remaining: count.get()!.n };
  });

  return {
    /** Indexes up to `maxStories` queued stories in one write transaction. */
    indexBacklog: (maxStories: number): BacklogProgress => slice.immediate(maxStories),
    /** Indexes the whole queue (before a search); returns how many stories it indexed. */
    drain(sliceSize = 1000): number {
      let total = 0;
      while (pending.get()) total += slice.immediate(sliceSize).indexed;
      return total;
    },
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text of cleaned HTML: tags dropped, common entities decoded, whitespace collapsed. */
export function htmlText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** Registers the SQL functions the search triggers call; must run before `migrate` on every connection. */
export function registerSearchFunctions(db: Database.Database): void {
  db.function('html_text', { deterministic: true }, (html: unknown) => (typeof html === 'string' ? htmlText(html) : ''));
}

export interface SearchPage {
  stories: Story[];
  /** Every match, not only the page returned. */
  total: number;
  /** Newest change among the matches. */
  lastChanged: Date | null;
}

export const MAX_QUERY_TERMS = 8;

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

/** Terms of a query: NFKC, split on white space, at most MAX_QUERY_TERMS. */
export function queryTerms(query: string): string[] {
  return query.normalize('NFKC').trim().split(/\s+/u).filter(Boolean).slice(0, MAX_QUERY_TERMS);
}

/** Trigram MATCH needs three characters per term; shorter terms are matched with LIKE (a scan). */
const indexable = (term: string): boolean => Array.from(term).length >= 3;
const ftsPhrase = (term: string): string => `"${term.replace(/"/g, '""')}"`;
const likePattern = (term: string): string => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createSearchTable(db: Database.Database) {
  const statements = new Map<string, { page: Database.Statement; stats: Database.Statement }>();

  // One statement pair per query shape (MATCH, or LIKE with n terms), prepared once.
  function prepared(shape: string, where: string) {
    let found = statements.get(shape);
    if (!found) {
      const from = `FROM story_search f JOIN stories s ON s.rowid = f.rowid WHERE ${where}`;
      found = {
        page: db.prepare(`SELECT s.* ${from} ORDER BY s.published_ms DESC, s.id DESC LIMIT ?`),
        stats: db.prepare(`SELECT count(*) AS n, max(s.updated_ms) AS m ${from}`),
      };
      statements.set(shape, found);
    }
    return found;
  }

  return {
    /** Stories whose title or body contains every term (case-insensitive), newest first. */
    search(query: string, limit: number, names: ReadonlyMap<string, string>): SearchPage {
      const terms = queryTerms(query);
      if (terms.length === 0) return { stories: [], total: 0, lastChanged: null };
      let params: string[];
      let statement;
      if (terms.every(indexable)) {
        statement = prepared('match', 'story_search MATCH ?');
        params = [terms.map(ftsPhrase).join(' ')];
      } else {
        const clause = terms.map(() => "(f.title LIKE ? ESCAPE '\\' OR f.body LIKE ? ESCAPE '\\')").join(' AND ');
        statement = prepared(`like:${terms.length}`, clause);
        params = terms.flatMap((t) => [likePattern(t), likePattern(t)]);
      }
      const rows = statement.page.all(...params, Math.max(0, Math.floor(limit))) as StoryRow[];
      const stats = statement.stats.get(...params) as { n: number; m: number | null };
      return {
        stories: rows.map((row) => toStory(row, names)),
        total: stats.n,
        lastChanged: stats.m === null ? null : new Date(stats.m),
      };
    },
  };
}
