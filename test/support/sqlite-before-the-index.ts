// An SQLite database file at schema 7 (before migration 8's word index) holding the given stories, made with the
// project's own migrations: what an upgrade from an old release meets (its stories need the index rebuilt).
import Database from 'better-sqlite3';
import { migrations } from '../../src/store/sqlite/migrations.js';

export function sqliteBeforeTheIndex(file: string, stories: ReadonlyArray<{ title: string; html: string }>): void {
  const old = new Database(file);
  try {
    // Migrations 2, 4 and 5 call these (the store registers the real ones; the values do not matter here).
    old.function('html_text', (html: unknown) => String(html));
    old.function('text_length', (html: unknown) => String(html).length);
    for (const sql of migrations.slice(0, 7)) old.exec(sql);
    old.pragma('user_version = 7');
    const insert = old.prepare(`INSERT INTO stories (id, title_key, published_ms, updated_ms, title, links_json, categories_json, content_html, summary, content_hash, row_hash)
      VALUES (?, ?, 0, 0, ?, '[]', '[]', ?, '', '', '')`);
    stories.forEach((story, i) => insert.run(`s${i}`, `k${i}`, story.title, story.html));
  } finally {
    old.close();
  }
}
