// origins: one row per (source, origin id) — every version of a story as its source delivered it.
// The body is written once: an origin alone in its story keeps no copy (content_html NULL, read from the
// story); only the origins of a merged story keep theirs, because the merge picks among them again
// whenever one changes. text_length is what that pick compares.
import type Database from 'better-sqlite3';
import { toArticle, type OriginRow, type StoredOrigin, type StoredOriginArticle } from '../stored-rows.js';
import type { OriginKey, UnitTables } from '../table-steps.js';

export function createOriginsTable(db: Database.Database) {
  const find = db.prepare<[string, string], Pick<OriginRow, 'title_key' | 'content_hash'>>(
    'SELECT title_key, content_hash FROM origins WHERE source_key = ? AND origin_id = ?',
  );
  const upsert = db.prepare<Omit<OriginRow, 'content_html'>>(`
    INSERT INTO origins (source_key, origin_id, title_key, title, link, guid, published_ms, updated_ms, author,
      categories_json, image, content_html, text_length, summary, date_is_fallback, content_hash, story_id, first_seen_ms,
      enclosures_json)
    VALUES (@source_key, @origin_id, @title_key, @title, @link, @guid, @published_ms, @updated_ms, @author,
      @categories_json, @image, NULL, @text_length, @summary, @date_is_fallback, @content_hash, @story_id, @first_seen_ms,
      @enclosures_json)
    ON CONFLICT (source_key, origin_id) DO UPDATE SET
      title_key = excluded.title_key, title = excluded.title, link = excluded.link, guid = excluded.guid,
      published_ms = excluded.published_ms, updated_ms = excluded.updated_ms, author = excluded.author,
      categories_json = excluded.categories_json, image = excluded.image, content_html = NULL,
      text_length = excluded.text_length,
      summary = excluded.summary, date_is_fallback = excluded.date_is_fallback, content_hash = excluded.content_hash,
      enclosures_json = excluded.enclosures_json`);
  // An origin without its own body is alone in its story, whose body is therefore the origin's.
  const byTitleKey = db.prepare<[string], OriginRow & { story_html: string | null }>(`
    SELECT o.*, CASE WHEN o.content_html IS NULL THEN s.content_html END AS story_html
    FROM origins o LEFT JOIN stories s ON s.id = o.story_id WHERE o.title_key = ?`);
  const setBody = db.prepare<[string | null, string, string]>(
    'UPDATE origins SET content_html = ? WHERE source_key = ? AND origin_id = ?',
  );
  const setStory = db.prepare<[string, string, string]>(
    'UPDATE origins SET story_id = ? WHERE source_key = ? AND origin_id = ?',
  );
  const aheadInStory = db.prepare<[string], { title_key: string; published_ms: number }>(
    'SELECT title_key, published_ms FROM origins WHERE story_id = ? AND published_ms > first_seen_ms',
  );
  const dropForStory = db.prepare<[string]>('DELETE FROM origins WHERE story_id = ?');
  // Pages fetched for full text go with the origins linking to them, so retention bounds that table too.
  const dropPagesForStory = db.prepare<[string]>('DELETE FROM full_text_pages WHERE link IN (SELECT link FROM origins WHERE story_id = ? AND link IS NOT NULL)');

  return {
    findMany(keys: readonly OriginKey[]): (StoredOrigin | null)[] {
      return keys.map((key) => {
        const row = find.get(key.sourceKey, key.originId);
        return row ? { titleKey: row.title_key, contentHash: row.content_hash } : null;
      });
    },
    /** Inserts new origins or replaces the content of known ones (first_seen_ms is kept), without their bodies. */
    saveMany(rows: readonly OriginRow[]): void {
      for (const { content_html: _body, ...row } of rows) upsert.run(row);
    },
    withTitleKeys(keys: readonly string[]): StoredOriginArticle[][] {
      return keys.map((key) => byTitleKey.all(key).map(toArticle));
    },
    assignStories(assignments: readonly (OriginKey & { storyId: string })[]): void {
      for (const { sourceKey, originId, storyId } of assignments) setStory.run(storyId, sourceKey, originId);
    },
    keepBodies(bodies: readonly (OriginKey & { contentHtml: string; keep: boolean })[]): void {
      for (const body of bodies) setBody.run(body.keep ? body.contentHtml : null, body.sourceKey, body.originId);
    },
    statedAheadOf(storyIds: readonly string[]): { storyId: string; titleKey: string; publishedMs: number }[] {
      return storyIds.flatMap((storyId) => aheadInStory.all(storyId).map((row) => ({ storyId, titleKey: row.title_key, publishedMs: row.published_ms })));
    },
    dropForStories(ids: readonly string[]): void {
      for (const id of ids) {
        dropPagesForStory.run(id);
        dropForStory.run(id);
      }
    },
  } satisfies UnitTables['origins'];
}

export type OriginsTable = ReturnType<typeof createOriginsTable>;

/**
 * Migration 7: one body per origin. The table is rebuilt with a nullable body and the text length;
 * an origin alone in its story drops its copy (the story's body is the same text).
 */
export const ORIGIN_BODIES_MIGRATION = `
  CREATE TABLE origins_v7 (
    source_key TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    title_key TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    guid TEXT,
    published_ms INTEGER NOT NULL,
    updated_ms INTEGER,
    author TEXT,
    categories_json TEXT NOT NULL,
    image TEXT,
    content_html TEXT,
    text_length INTEGER NOT NULL,
    summary TEXT NOT NULL,
    date_is_fallback INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    story_id TEXT,
    first_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (source_key, origin_id)
  );
  INSERT INTO origins_v7
    SELECT o.source_key, o.origin_id, o.title_key, o.title, o.link, o.guid, o.published_ms, o.updated_ms, o.author,
      o.categories_json, o.image,
      CASE WHEN o.story_id IN (SELECT story_id FROM origins GROUP BY story_id HAVING count(*) = 1) THEN NULL ELSE o.content_html END,
      text_length(o.content_html), o.summary, o.date_is_fallback, o.content_hash, o.story_id, o.first_seen_ms
    FROM origins o;
  DROP TABLE origins;
  ALTER TABLE origins_v7 RENAME TO origins;
  CREATE INDEX origins_by_title_key ON origins (title_key);
  CREATE INDEX origins_by_story ON origins (story_id);
`;
