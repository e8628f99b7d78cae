// The trigram engine as it shipped before the word index (migration 2/4, search-table.ts of that time),
// kept here only to compare against: FTS5 trigram over title and body text, every whitespace-separated
// term a substring (LIKE for terms under three characters), newest first.
import Database from 'better-sqlite3';
import { htmlToText } from '../../src/text/html-text.js';

export interface TrigramDoc {
  id: string;
  title: string;
  html: string;
  publishedMs: number;
}

const MAX_QUERY_TERMS = 8;
const queryTerms = (query: string): string[] => query.normalize('NFKC').trim().split(/\s+/u).filter(Boolean).slice(0, MAX_QUERY_TERMS);
const indexable = (term: string): boolean => Array.from(term).length >= 3;
const ftsPhrase = (term: string): string => `"${term.replace(/"/g, '""')}"`;
const likePattern = (term: string): string => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createTrigramEngine(file = ':memory:') {
  const db = new Database(file);
  db.exec(`CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, published_ms INTEGER NOT NULL);
    CREATE VIRTUAL TABLE story_search USING fts5(title, body, tokenize = 'trigram');`);
  const addDoc = db.prepare('INSERT INTO docs (rowid, id, published_ms) VALUES (?, ?, ?)');
  const addText = db.prepare('INSERT INTO story_search (rowid, title, body) VALUES (?, ?, ?)');
  let next = 1;
  return {
    db,
    add: db.transaction((docs: readonly TrigramDoc[]) => {
      for (const doc of docs) {
        addDoc.run(next, doc.id, doc.publishedMs);
        addText.run(next, doc.title, htmlToText(doc.html));
        next++;
      }
    }),
    /** Ids of the matches, newest first, at most `limit`. */
    search(query: string, limit: number): string[] {
      const terms = queryTerms(query);
      if (terms.length === 0) return [];
      let where: string;
      let params: string[];
      if (terms.every(indexable)) {
        where = 'story_search MATCH ?';
        params = [terms.map(ftsPhrase).join(' ')];
      } else {
        where = terms.map(() => "(f.title LIKE ? ESCAPE '\\' OR f.body LIKE ? ESCAPE '\\')").join(' AND ');
        params = terms.flatMap((t) => [likePattern(t), likePattern(t)]);
      }
      const rows = db.prepare(`SELECT d.id FROM story_search f JOIN docs d ON d.rowid = f.rowid WHERE ${where}
        ORDER BY d.published_ms DESC, d.id DESC LIMIT ?`).all(...params, limit) as Array<{ id: string }>;
      return rows.map((row) => row.id);
    },
    close: () => db.close(),
  };
}
