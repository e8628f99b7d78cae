// stories + story_categories: the merged stories as published, and the per-category listing index.
import type Database from 'better-sqlite3';
import type { Story } from '../../types.js';
import {
  STORED_STORY_COLUMNS, storyRow, toStory, toStoredStory, type StoredStory, type StoredStoryRow, type StorySave, type StoryRow,
} from '../stored-rows.js';
import type { PrunedStory } from '../table-steps.js';
import type { StoryCursor } from '../store.js';
import { textBudgetListingSql } from '../text-budget-listing.js';
import { storyWords, type SearchEntry, type SearchIndex } from './search-table.js';

/** Both listings walk an index backwards and stop after `limit` rows: no scan, no sort (pinned by a test). */
export const listingSql = {
  all: 'SELECT * FROM stories ORDER BY published_ms DESC, id DESC LIMIT ?',
  category: `SELECT s.* FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = ? ORDER BY sc.published_ms DESC, sc.story_id DESC LIMIT ?`,
  /** The next page after (published_ms, id): the same index walk, started at the cursor. */
  allAfter: 'SELECT * FROM stories WHERE (published_ms, id) < (?, ?) ORDER BY published_ms DESC, id DESC LIMIT ?',
  categoryAfter: `SELECT s.* FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = ? AND (sc.published_ms, sc.story_id) < (?, ?) ORDER BY sc.published_ms DESC, sc.story_id DESC LIMIT ?`,
} as const;

/** The stories table; `search` is the word index it keeps in step (search-table.ts). */
export function createStoriesTable(db: Database.Database, search: SearchIndex) {
  const byTitleKey = db.prepare<[string], StoredStoryRow>(`SELECT ${STORED_STORY_COLUMNS} FROM stories WHERE title_key = ?`);
  const byId = db.prepare<[string], StoredStoryRow>(`SELECT ${STORED_STORY_COLUMNS} FROM stories WHERE id = ?`);
  const upsert = db.prepare<StoryRow, { rowid: number }>(`
    INSERT INTO stories (id, title_key, published_ms, updated_ms, title, link, links_json, author, categories_json,
      image, content_html, summary, content_hash, row_hash, text_hash, feed_id, enclosures_json)
    VALUES (@id, @title_key, @published_ms, @updated_ms, @title, @link, @links_json, @author, @categories_json,
      @image, @content_html, @summary, @content_hash, @row_hash, @text_hash, @feed_id, @enclosures_json)
    ON CONFLICT (id) DO UPDATE SET
      title_key = excluded.title_key, published_ms = excluded.published_ms, updated_ms = excluded.updated_ms,
      title = excluded.title, link = excluded.link, links_json = excluded.links_json, author = excluded.author,
      categories_json = excluded.categories_json, image = excluded.image, content_html = excluded.content_html,
      summary = excluded.summary, content_hash = excluded.content_hash, row_hash = excluded.row_hash,
      text_hash = excluded.text_hash, feed_id = excluded.feed_id,
      enclosures_json = excluded.enclosures_json
    RETURNING rowid`);
  const setFeedId = db.prepare<[string, string]>('UPDATE stories SET feed_id = ? WHERE id = ?');
  const fullById = db.prepare<[string], StoryRow>('SELECT * FROM stories WHERE id = ?');
  const remove = db.prepare<[string]>('DELETE FROM stories WHERE id = ?');
  const clearCategories = db.prepare<[string]>('DELETE FROM story_categories WHERE story_id = ?');
  const addCategory = db.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO story_categories (story_id, slug, published_ms) VALUES (?, ?, ?)',
  );
  const newest = db.prepare<[number], StoryRow>(listingSql.all);
  const newestInCategory = db.prepare<[string, number], StoryRow>(listingSql.category);
  const newestAfter = db.prepare<[number, string, number], StoryRow>(listingSql.allAfter);
  const newestInCategoryAfter = db.prepare<[string, number, string, number], StoryRow>(listingSql.categoryAfter);
  const newestWithin = db.prepare<[number, number], StoryRow>(textBudgetListingSql('s.*', { limit: '?', budget: '?' }));
  const newestInCategoryWithin = db.prepare<[string, number, number], StoryRow>(textBudgetListingSql('s.*', { slug: '?', limit: '?', budget: '?' }));
  const cursor = { published: '?', id: '?' };
  const newestAfterWithin = db.prepare<[number, string, number, number], StoryRow>(textBudgetListingSql('s.*', { after: cursor, limit: '?', budget: '?' }));
  const newestInCategoryAfterWithin = db.prepare<[string, number, string, number, number], StoryRow>(
    textBudgetListingSql('s.*', { slug: '?', after: cursor, limit: '?', budget: '?' }));
  const older = db.prepare<[number], { id: string }>('SELECT id FROM stories WHERE published_ms < ?');
  const overflow = db.prepare<[number], { id: string }>(`
    SELECT DISTINCT story_id AS id FROM (
      SELECT story_id, row_number() OVER (PARTITION BY slug ORDER BY published_ms DESC, story_id DESC) AS rank
      FROM story_categories
    ) WHERE rank > ?`);
  const pruned = db.prepare<[string], Pick<StoryRow, 'id' | 'title_key' | 'published_ms' | 'categories_json'>>(
    'SELECT id, title_key, published_ms, categories_json FROM stories WHERE id = ?',
  );

  return {
    withTitleKeys(keys: readonly string[]): StoredStory[] {
      return keys.flatMap((key) => byTitleKey.all(key).map(toStoredStory));
    },
    findMany(ids: readonly string[]): (StoredStory | null)[] {
      return ids.map((id) => {
        const row = byId.get(id);
        return row ? toStoredStory(row) : null;
      });
    },
    /**
     * Writes stories; each one's words are indexed in the same transaction when its title or body changed, after
     * all the rows (search-table.ts `writeMany` says why).
     */
    saveMany(saves: readonly StorySave[]): void {
      const entries: SearchEntry[] = [];
      for (const save of saves) {
        const row = storyRow(save);
        const { rowid } = upsert.get(row)!;
        const { story, before } = save;
        if (before?.textHash !== save.hashes.text) {
          entries.push({ rowid, words: storyWords(story, { title: story.titleWords, body: story.bodyWords }), replace: before !== undefined });
        }
        clearCategories.run(row.id);
        for (const ref of save.story.categories) addCategory.run(row.id, ref.slug, row.published_ms);
      }
      search.writeMany(entries);
    },
    removeMany(ids: readonly string[]): void {
      for (const id of ids) remove.run(id);
    },
    publishedBefore(ms: number): string[] {
      return older.all(ms).map((row) => row.id);
    },
    pastCategoryLimit(limit: number): string[] {
      return overflow.all(limit).map((row) => row.id);
    },
    describe(ids: readonly string[]): PrunedStory[] {
      return ids.flatMap((id) => {
        const row = pruned.get(id);
        if (!row) return [];
        const categories = JSON.parse(row.categories_json) as { slug: string }[];
        return [{ id: row.id, titleKey: row.title_key, publishedMs: row.published_ms, categories }];
      });
    },
    setFeedIds(stories: readonly { id: string; feedId: string }[]): void {
      for (const { id, feedId } of stories) setFeedId.run(feedId, id);
    },
    get(id: string, names: ReadonlyMap<string, string>): Story | null {
      const row = fullById.get(id);
      return row ? toStory(row, names) : null;
    },
    newest(slug: string, limit: number, names: ReadonlyMap<string, string>): Story[] {
      const rows = slug === 'all' ? newest.all(limit) : newestInCategory.all(slug, limit);
      return rows.map((row) => toStory(row, names));
    },
    /** With `maxTextChars`, cut to those whose text fits it (the first always), as newestWithin cuts. */
    newestAfter(slug: string, after: StoryCursor | null, limit: number, names: ReadonlyMap<string, string>, maxTextChars?: number): Story[] {
      if (after === null) return maxTextChars === undefined ? this.newest(slug, limit, names) : this.newestWithin(slug, limit, maxTextChars, names);
      const at = after.published.getTime();
      const rows = maxTextChars === undefined
        ? (slug === 'all' ? newestAfter.all(at, after.id, limit) : newestInCategoryAfter.all(slug, at, after.id, limit))
        : (slug === 'all' ? newestAfterWithin.all(at, after.id, limit, maxTextChars) : newestInCategoryAfterWithin.all(slug, at, after.id, limit, maxTextChars));
      return rows.map((row) => toStory(row, names));
    },
    /** The newest whose text fits `maxTextChars` (text-budget-listing.ts): only those rows are read whole. */
    newestWithin(slug: string, limit: number, maxTextChars: number, names: ReadonlyMap<string, string>): Story[] {
      const rows = slug === 'all' ? newestWithin.all(limit, maxTextChars) : newestInCategoryWithin.all(slug, limit, maxTextChars);
      return rows.map((row) => toStory(row, names));
    },
  };
}

export type StoriesTable = ReturnType<typeof createStoriesTable>;
