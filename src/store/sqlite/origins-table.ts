// origins: one row per (source, origin id) — every version of a story as its source delivered it.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Article, CategoryRef } from '../../types.js';

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
  content_html: string;
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

function toArticle(row: OriginRow): Article {
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
    contentHtml: row.content_html,
    summary: row.summary,
    dateIsFallback: row.date_is_fallback === 1,
  };
}

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

  return {
    find(sourceKey: string, originId: string): StoredOrigin | null {
      const row = find.get(sourceKey, originId);
      return row ? { titleKey: row.title_key, contentHash: row.content_hash } : null;
    },
    /** Inserts a new origin or replaces the content of a known one (first_seen_ms is kept). */
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
        content_html: article.contentHtml,
        summary: article.summary,
        date_is_fallback: article.dateIsFallback === true ? 1 : 0,
        content_hash: contentHash,
        story_id: null,
        first_seen_ms: nowMs,
      });
    },
    withTitleKey(key: string): Article[] {
      return byTitleKey.all(key).map(toArticle);
    },
    assignStory(article: Pick<Article, 'sourceKey' | 'originId'>, storyId: string): void {
      setStory.run(storyId, article.sourceKey, article.originId);
    },
  };
}

export type OriginsTable = ReturnType<typeof createOriginsTable>;
