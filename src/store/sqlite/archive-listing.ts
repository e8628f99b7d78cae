// Oldest-first pages of a category for archived feeds (RFC 5005): walks the same indexes as the
// newest-first listing, forwards, skipping `offset` rows.
import type Database from 'better-sqlite3';
import type { Story } from '../../types.js';
import { toStory, type StoryRow } from '../stored-rows.js';
import { textBudgetListingSql } from '../text-budget-listing.js';

export const archiveSql = {
  all: 'SELECT * FROM stories ORDER BY published_ms ASC, id ASC LIMIT ? OFFSET ?',
  category: `SELECT s.* FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = ? ORDER BY sc.published_ms ASC, sc.story_id ASC LIMIT ? OFFSET ?`,
} as const;

export function createArchiveListing(db: Database.Database) {
  const all = db.prepare<[number, number], StoryRow>(archiveSql.all);
  const category = db.prepare<[string, number, number], StoryRow>(archiveSql.category);
  const allWithin = db.prepare<[number, number, number], StoryRow>(
    textBudgetListingSql('s.*', { limit: '?', offset: '?', budget: '?', oldestFirst: true }));
  const categoryWithin = db.prepare<[string, number, number, number], StoryRow>(
    textBudgetListingSql('s.*', { slug: '?', limit: '?', offset: '?', budget: '?', oldestFirst: true }));
  return {
    /** Stories at positions offset … offset+limit-1 in publication order, oldest first (cut to `maxTextChars`). */
    page(slug: string, offset: number, limit: number, names: ReadonlyMap<string, string>, maxTextChars?: number): Story[] {
      const rows = maxTextChars === undefined
        ? (slug === 'all' ? all.all(limit, offset) : category.all(slug, limit, offset))
        : (slug === 'all' ? allWithin.all(limit, offset, maxTextChars) : categoryWithin.all(slug, limit, offset, maxTextChars));
      return rows.map((row) => toStory(row, names));
    },
  };
}
