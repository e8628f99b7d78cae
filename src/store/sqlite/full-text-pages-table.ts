// full_text_pages: the item pages fetched for fullText sources, keyed by item link, so a page is fetched once
// (then only when its item is updated, conditionally). Rows go with their origins when retention prunes them.
import type Database from 'better-sqlite3';
import { fullTextPagesTable, toFullTextPage, toFullTextPageRow, type FullTextPageRow } from '../full-text-rows.js';
import type { FullTextPage } from '../store.js';

export const FULL_TEXT_PAGES_MIGRATION = fullTextPagesTable('INTEGER');

export function createFullTextPagesTable(db: Database.Database) {
  const one = db.prepare<[string], FullTextPageRow>('SELECT * FROM full_text_pages WHERE link = ?');
  const save = db.prepare<FullTextPageRow>(`
    INSERT OR REPLACE INTO full_text_pages (link, source_key, state, html, etag, last_modified, error, failures, fetched_ms, retry_ms)
    VALUES (@link, @source_key, @state, @html, @etag, @last_modified, @error, @failures, @fetched_ms, @retry_ms)`);
  const saveAll = db.transaction((pages: readonly FullTextPage[]) => {
    for (const page of pages) save.run(toFullTextPageRow(page));
  });
  return {
    getMany(links: readonly string[]): Map<string, FullTextPage> {
      const found = new Map<string, FullTextPage>();
      for (const link of new Set(links)) {
        const row = one.get(link);
        if (row) found.set(link, toFullTextPage(row));
      }
      return found;
    },
    saveMany(pages: readonly FullTextPage[]): void {
      saveAll.immediate(pages);
    },
  };
}
