// Full-text search over stories: an FTS5 table with the trigram tokenizer (substring matching that
// works for Chinese, which has no spaces between words), kept in step with `stories` by triggers.
// The index holds the title and the body's text; `html_text` (registered per connection before the
// migrations run) turns the cleaned HTML into that text.
import type Database from 'better-sqlite3';
import type { Story } from '../types.js';
import { toStory, type StoryRow } from './stories-table.js';

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
