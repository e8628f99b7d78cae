// origins: one row per (source, origin id) — every version of a story as its source delivered it.
// The body is written once: an origin alone in its story keeps no copy (content_html NULL, read from the
// story); only the origins of a merged story keep theirs, because the merge picks among them again
// whenever one changes. text_length is what that pick compares.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Article, CategoryRef } from '../../types.js';
import { textLength } from '../../text/html-text.js';

interface OriginRow {
  source_key: string;
  origin_id: string;
  title_key: string;
  title: string;
  link: string | null;
  guid: string | null;
  published_ms: number;
  updated_ms: number | null;
  author: string | null;
  categories_json: string;
  image: string | null;
  content_html: string | null;
  text_length: number;
  summary: string;
  date_is_fallback: number;
  content_hash: string;
  story_id: string | null;
  first_seen_ms: number;
}

/** What the store needs to know about an origin already kept. */
export interface StoredOrigin {
  titleKey: string;
  contentHash: string;
}

/**
 * The stored title key. An article without a usable title gets a key of its own, so it neither
 * merges with other untitled articles nor makes every run reload all of them.
 */
export function storedTitleKey(article: Article): string {
  return article.titleKey !== '' ? article.titleKey : `\u0000${article.sourceKey}\n${article.originId}`;
}

/** Hash over everything stored of an article, to tell "seen again, unchanged" from "updated". */
export function articleHash(article: Article): string {
  const fields = [
    article.title,
    article.titleKey,
    article.link,
    article.guid,
    article.published.getTime(),
    article.updated?.getTime() ?? null,
    article.author,
    article.categories.map((ref) => [ref.slug, ref.name]),
    article.image,
    article.contentHtml,
    article.summary,
    article.dateIsFallback === true,
  ];
  return createHash('sha1').update(JSON.stringify(fields)).digest('hex');
}

/** A stored origin; `bodyStored` tells whether its row holds its body or its story does. */
export type StoredOriginArticle = Article & { bodyStored: boolean };

function toArticle(row: OriginRow & { story_html: string | null }): StoredOriginArticle {
  return {
    sourceKey: row.source_key,
    originId: row.origin_id,
    title: row.title,
    // The synthetic key of an untitled origin stays inside the store.
    titleKey: row.title_key.startsWith('\u0000') ? '' : row.title_key,
    link: row.link,
    guid: row.guid,
    published: new Date(row.published_ms),
    updated: row.updated_ms === null ? null : new Date(row.updated_ms),
    author: row.author,
    categories: JSON.parse(row.categories_json) as CategoryRef[],
    image: row.image,
    contentHtml: row.content_html ?? row.story_html ?? '',
    summary: row.summary,
    dateIsFallback: row.date_is_fallback === 1,
    textLength: row.text_length,
    bodyStored: row.content_html !== null,
  };
}

export function createOriginsTable(db: Database.Database) {
  const find = db.prepare<[string, string], Pick<OriginRow, 'title_key' | 'content_hash'>>(
    'SELECT title_key, content_hash FROM origins WHERE source_key = ? AND origin_id = ?',
  );
  const upsert = db.prepare<Omit<OriginRow, 'content_html'>>(`
    INSERT INTO origins (source_key, origin_id, title_key, title, link, guid, published_ms, updated_ms, author,
      categories_json, image, content_html, text_length, summary, date_is_fallback, content_hash, story_id, first_seen_ms)
    VALUES (@source_key, @origin_id, @title_key, @title, @link, @guid, @published_ms, @updated_ms, @author,
      @categories_json, @image, NULL, @text_length, @summary, @date_is_fallback, @content_hash, @story_id, @first_seen_ms)
    ON CONFLICT (source_key, origin_id) DO UPDATE SET
      title_key = excluded.title_key, title = excluded.title, link = excluded.link, guid = excluded.guid,
      published_ms = excluded.published_ms, updated_ms = excluded.updated_ms, author = excluded.author,
      categories_json = excluded.categories_json, image = excluded.image, content_html = NULL,
      text_length = excluded.text_length,
      summary = excluded.summary, date_is_fallback = excluded.date_is_fallback, content_hash = excluded.content_hash`);
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

  return {
    find(sourceKey: string, originId: string): StoredOrigin | null {
      const row = find.get(sourceKey, originId);
      return row ? { titleKey: row.title_key, contentHash: row.content_hash } : null;
    },
    /**
     * Inserts a new origin or replaces the content of a known one (first_seen_ms is kept), without its
     * body: `keepBody` stores it once the run knows the origin shares its story.
     */
    save(article: Article, contentHash: string, nowMs: number): void {
      upsert.run({
        source_key: article.sourceKey,
        origin_id: article.originId,
        title_key: storedTitleKey(article),
        title: article.title,
        link: article.link,
        guid: article.guid,
        published_ms: article.published.getTime(),
        updated_ms: article.updated?.getTime() ?? null,
        author: article.author,
        categories_json: JSON.stringify(article.categories.map((ref) => ({ slug: ref.slug, name: ref.name }))),
        image: article.image,
        text_length: article.textLength ?? textLength(article.contentHtml),
        summary: article.summary,
        date_is_fallback: article.dateIsFallback === true ? 1 : 0,
        content_hash: contentHash,
        story_id: null,
        first_seen_ms: nowMs,
      });
    },
    withTitleKey(key: string): StoredOriginArticle[] {
      return byTitleKey.all(key).map(toArticle);
    },
    /** Stores the origin's own body (it shares its story) or drops it (alone: the story holds it). */
    keepBody(article: Pick<Article, 'sourceKey' | 'originId' | 'contentHtml'>, keep: boolean): void {
      setBody.run(keep ? article.contentHtml : null, article.sourceKey, article.originId);
    },
    assignStory(article: Pick<Article, 'sourceKey' | 'originId'>, storyId: string): void {
      setStory.run(storyId, article.sourceKey, article.originId);
    },
  };
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
