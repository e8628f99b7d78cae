// stories + story_categories: the merged stories as published, and the per-category listing index.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CategoryRef, Story } from '../../types.js';
import type { MergedStory } from '../store.js';
import { storyWords, type SearchIndex } from './search-table.js';

export interface StoryRow {
  id: string;
  title_key: string;
  published_ms: number;
  updated_ms: number;
  title: string;
  link: string | null;
  links_json: string;
  author: string | null;
  categories_json: string;
  image: string | null;
  content_html: string;
  summary: string;
  content_hash: string;
  row_hash: string;
  /** Hash of title and body: what the search index holds (NULL before migration 8's rebuild reached it). */
  text_hash: string | null;
}

type StoredStoryRow = Pick<StoryRow, 'id' | 'title_key' | 'updated_ms' | 'categories_json' | 'content_hash' | 'row_hash' | 'text_hash'>;

/** A stored story with what change detection needs. */
export interface StoredStory {
  id: string;
  titleKey: string;
  updatedMs: number;
  categories: CategoryRef[];
  contentHash: string;
  rowHash: string;
  textHash: string | null;
}

const hash = (value: unknown): string => createHash('sha1').update(JSON.stringify(value)).digest('hex');
const categoryPairs = (refs: readonly CategoryRef[]) => refs.map((ref) => [ref.slug, ref.name]);

/** Hashes of a story: title and body (`text`, what search indexes), what readers see (`content`), every stored field (`row`). */
export interface StoryHashes {
  text: string;
  content: string;
  row: string;
}

/**
 * The three hashes, the body hashed once: `content` (title, body, link, categories, image) drives
 * `updated`; any `row` difference means the row (and its feeds) must be rewritten; a `text` difference, its index entry.
 */
export function storyHashes(story: Omit<Story, 'updated'>, titleKey: string): StoryHashes {
  const text = hash([story.title, story.contentHtml]);
  const content = hash([text, story.link, categoryPairs(story.categories), story.image]);
  const row = hash([
    content,
    titleKey,
    story.published.getTime(),
    story.links,
    story.author,
    story.summary,
  ]);
  return { text, content, row };
}

export function toStory(row: StoryRow, names: ReadonlyMap<string, string>): Story {
  const categories = (JSON.parse(row.categories_json) as CategoryRef[]).map((ref) => ({
    slug: ref.slug,
    // A category renamed in the config shows its current name without rewriting stories.
    name: names.get(ref.slug) ?? ref.name,
  }));
  return {
    id: row.id,
    title: row.title,
    link: row.link,
    links: JSON.parse(row.links_json) as string[],
    published: new Date(row.published_ms),
    updated: new Date(row.updated_ms),
    author: row.author,
    categories,
    image: row.image,
    contentHtml: row.content_html,
    summary: row.summary,
  };
}

/** Both listings walk an index backwards and stop after `limit` rows: no scan, no sort (pinned by a test). */
export const listingSql = {
  all: 'SELECT * FROM stories ORDER BY published_ms DESC, id DESC LIMIT ?',
  category: `SELECT s.* FROM story_categories sc JOIN stories s ON s.id = sc.story_id
    WHERE sc.slug = ? ORDER BY sc.published_ms DESC, sc.story_id DESC LIMIT ?`,
} as const;

/** The stories table; `search` is the word index it keeps in step (search-table.ts). */
export function createStoriesTable(db: Database.Database, search: SearchIndex) {
  const stored = 'id, title_key, updated_ms, categories_json, content_hash, row_hash, text_hash';
  const byTitleKey = db.prepare<[string], StoredStoryRow>(`SELECT ${stored} FROM stories WHERE title_key = ?`);
  const byId = db.prepare<[string], StoredStoryRow>(`SELECT ${stored} FROM stories WHERE id = ?`);
  const upsert = db.prepare<StoryRow, { rowid: number }>(`
    INSERT INTO stories (id, title_key, published_ms, updated_ms, title, link, links_json, author, categories_json,
      image, content_html, summary, content_hash, row_hash, text_hash)
    VALUES (@id, @title_key, @published_ms, @updated_ms, @title, @link, @links_json, @author, @categories_json,
      @image, @content_html, @summary, @content_hash, @row_hash, @text_hash)
    ON CONFLICT (id) DO UPDATE SET
      title_key = excluded.title_key, published_ms = excluded.published_ms, updated_ms = excluded.updated_ms,
      title = excluded.title, link = excluded.link, links_json = excluded.links_json, author = excluded.author,
      categories_json = excluded.categories_json, image = excluded.image, content_html = excluded.content_html,
      summary = excluded.summary, content_hash = excluded.content_hash, row_hash = excluded.row_hash,
      text_hash = excluded.text_hash
    RETURNING rowid`);
  const fullById = db.prepare<[string], StoryRow>('SELECT * FROM stories WHERE id = ?');
  const remove = db.prepare<[string]>('DELETE FROM stories WHERE id = ?');
  const clearCategories = db.prepare<[string]>('DELETE FROM story_categories WHERE story_id = ?');
  const addCategory = db.prepare<[string, string, number]>(
    'INSERT OR IGNORE INTO story_categories (story_id, slug, published_ms) VALUES (?, ?, ?)',
  );
  const newest = db.prepare<[number], StoryRow>(listingSql.all);
  const newestInCategory = db.prepare<[string, number], StoryRow>(listingSql.category);
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM stories');
  const countInCategory = db.prepare<[string], { n: number }>(
    'SELECT count(*) AS n FROM story_categories WHERE slug = ?',
  );

  const toStored = (row: StoredStoryRow): StoredStory => ({
    id: row.id,
    titleKey: row.title_key,
    updatedMs: row.updated_ms,
    categories: JSON.parse(row.categories_json) as CategoryRef[],
    contentHash: row.content_hash,
    rowHash: row.row_hash,
    textHash: row.text_hash,
  });

  return {
    withTitleKey(key: string): StoredStory[] {
      return byTitleKey.all(key).map(toStored);
    },
    find(id: string): StoredStory | null {
      const row = byId.get(id);
      return row ? toStored(row) : null;
    },
    /**
     * Writes a story; `before` is the stored version (undefined for a new story). Its words are indexed
     * in the same transaction when its title or body changed.
     */
    save(story: MergedStory, titleKey: string, updatedMs: number, hashes: StoryHashes, before: StoredStory | undefined): void {
      const categories = story.categories.map((ref) => ({ slug: ref.slug, name: ref.name }));
      const { rowid } = upsert.get({
        id: story.id,
        title_key: titleKey,
        published_ms: story.published.getTime(),
        updated_ms: updatedMs,
        title: story.title,
        link: story.link,
        links_json: JSON.stringify(story.links),
        author: story.author,
        categories_json: JSON.stringify(categories),
        image: story.image,
        content_html: story.contentHtml,
        summary: story.summary,
        content_hash: hashes.content,
        row_hash: hashes.row,
        text_hash: hashes.text,
      })!;
      if (before?.textHash !== hashes.text) {
        search.write(rowid, storyWords(story, { title: story.titleWords, body: story.bodyWords }), before !== undefined);
      }
      clearCategories.run(story.id);
      for (const ref of categories) addCategory.run(story.id, ref.slug, story.published.getTime());
    },
    remove(id: string): void {
      remove.run(id);
    },
    get(id: string, names: ReadonlyMap<string, string>): Story | null {
      const row = fullById.get(id);
      return row ? toStory(row, names) : null;
    },
    newest(slug: string, limit: number, names: ReadonlyMap<string, string>): Story[] {
      const rows = slug === 'all' ? newest.all(limit) : newestInCategory.all(slug, limit);
      return rows.map((row) => toStory(row, names));
    },
    count(slug: string): number {
      return (slug === 'all' ? countAll.get() : countInCategory.get(slug))?.n ?? 0;
    },
  };
}

export type StoriesTable = ReturnType<typeof createStoriesTable>;
