// origins: one row per (source, origin id) — every version of a story as its source delivered it.
import type Database from 'better-sqlite3';
import type { Article } from '../../types.js';
import { toArticle, type OriginRow, type StoredOrigin } from '../stored-rows.js';
import type { OriginKey, UnitTables } from '../table-steps.js';

export function createOriginsTable(db: Database.Database) {
  const find = db.prepare<[string, string], Pick<OriginRow, 'title_key' | 'content_hash'>>(
    'SELECT title_key, content_hash FROM origins WHERE source_key = ? AND origin_id = ?',
  );
  const upsert = db.prepare<OriginRow>(`
    INSERT INTO origins (source_key, origin_id, title_key, title, link, guid, published_ms, updated_ms, author,
      categories_json, image, content_html, summary, date_is_fallback, content_hash, story_id, first_seen_ms)
    VALUES (@source_key, @origin_id, @title_key, @title, @link, @guid, @published_ms, @updated_ms, @author,
      @categories_json, @image, @content_html, @summary, @date_is_fallback, @content_hash, @story_id, @first_seen_ms)
    ON CONFLICT (source_key, origin_id) DO UPDATE SET
      title_key = excluded.title_key, title = excluded.title, link = excluded.link, guid = excluded.guid,
      published_ms = excluded.published_ms, updated_ms = excluded.updated_ms, author = excluded.author,
      categories_json = excluded.categories_json, image = excluded.image, content_html = excluded.content_html,
      summary = excluded.summary, date_is_fallback = excluded.date_is_fallback, content_hash = excluded.content_hash`);
  const byTitleKey = db.prepare<[string], OriginRow>('SELECT * FROM origins WHERE title_key = ?');
  const setStory = db.prepare<[string, string, string]>(
    'UPDATE origins SET story_id = ? WHERE source_key = ? AND origin_id = ?',
  );
  const dropForStory = db.prepare<[string]>('DELETE FROM origins WHERE story_id = ?');

  return {
    findMany(keys: readonly OriginKey[]): (StoredOrigin | null)[] {
      return keys.map((key) => {
        const row = find.get(key.sourceKey, key.originId);
        return row ? { titleKey: row.title_key, contentHash: row.content_hash } : null;
      });
    },
    /** Inserts new origins or replaces the content of known ones (first_seen_ms is kept). */
    saveMany(rows: readonly OriginRow[]): void {
      for (const row of rows) upsert.run(row);
    },
    withTitleKeys(keys: readonly string[]): Article[][] {
      return keys.map((key) => byTitleKey.all(key).map(toArticle));
    },
    assignStories(assignments: readonly (OriginKey & { storyId: string })[]): void {
      for (const { sourceKey, originId, storyId } of assignments) setStory.run(storyId, sourceKey, originId);
    },
    dropForStories(ids: readonly string[]): void {
      for (const id of ids) dropForStory.run(id);
    },
  } satisfies UnitTables['origins'];
}

export type OriginsTable = ReturnType<typeof createOriginsTable>;
