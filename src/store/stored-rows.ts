// The rows both backends keep for origins and stories (same columns; JSON as text), and their mapping
// to and from the domain types, so SQLite and PostgreSQL read and write exactly the same values.
import { textLength } from '../text/html-text.js';
import type { Article, CategoryRef, Enclosure, Story } from '../types.js';
import type { MergedStory, SeedFileRecord } from './store.js';
import { publicTitleKey, storedTitleKey, type StoryHashes } from './row-hashes.js';

export interface OriginRow {
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
  /** The origin's own body; NULL while it is alone in its story (the story holds the same body). */
  content_html: string | null;
  /** Length of the body's text: what the merge compares. */
  text_length: number;
  summary: string;
  date_is_fallback: number;
  content_hash: string;
  story_id: string | null;
  first_seen_ms: number;
  /** The origin's media enclosures as JSON (`[]` when none). */
  enclosures_json: string;
}

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
  /** Hash of title and body: what the search index holds (NULL on SQLite before migration 8's rebuild reached it). */
  text_hash: string | null;
  /** The id its feed items carry (feed-ids.ts); NULL: the story's own id (stored before feed ids were kept). */
  feed_id: string | null;
  /** The story's media enclosures as JSON, merged from its origins (`[]` when none). */
  enclosures_json: string;
}

export type StoredStoryRow = Pick<StoryRow, 'id' | 'title_key' | 'updated_ms' | 'categories_json' | 'content_hash' | 'row_hash' | 'text_hash' | 'feed_id'>;

/** The columns change detection reads (StoredStoryRow). */
export const STORED_STORY_COLUMNS = 'id, title_key, updated_ms, categories_json, content_hash, row_hash, text_hash, feed_id';

/** What the store needs to know about an origin already kept. */
export interface StoredOrigin {
  titleKey: string;
  contentHash: string;
}

/** A stored story with what change detection needs. */
export interface StoredStory {
  id: string;
  titleKey: string;
  updatedMs: number;
  categories: CategoryRef[];
  contentHash: string;
  rowHash: string;
  textHash: string | null;
  /** The id its feed items carry. */
  feedId: string;
}

/** A story to write, with the values storeRun decided; `before` is the stored version (undefined when new). */
export interface StorySave {
  story: MergedStory;
  titleKey: string;
  updatedMs: number;
  hashes: StoryHashes;
  before: StoredStory | undefined;
  /** The id its feed items carry (feed-ids.ts). */
  feedId: string;
}

/** A stored origin; `bodyStored` tells whether its row holds its body or its story does. */
export type StoredOriginArticle = Article & { bodyStored: boolean; storyId: string | null; firstSeenMs: number };

/**
 * An origin's publication time as dedup, merge and the feeds use it: the time it states, unless that lies
 * after the time the store first saw it (a year typed 2031, a feed in the wrong zone), then that time.
 * Both are stored facts, so re-polling gives the same time, and a stated time that has since passed
 * does not move it back. The origin row keeps the stated time. No tolerance: an item from a clock a few
 * seconds ahead moves by those seconds, and no feed date is ever ahead of the clock that stored it.
 */
export function publishedAsSeen<T extends Pick<Article, 'published'>>(origin: T, firstSeenMs: number): T {
  return origin.published.getTime() <= firstSeenMs ? origin : { ...origin, published: new Date(firstSeenMs) };
}

const plainRefs = (refs: readonly CategoryRef[]) => refs.map((ref) => ({ slug: ref.slug, name: ref.name }));
const enclosuresJson = (list: readonly Enclosure[] | undefined): string =>
  JSON.stringify((list ?? []).map((e) => ({ url: e.url, type: e.type, length: e.length })));
/** The enclosures of a row, set only when there are some (an article without any has no `enclosures` field). */
function withEnclosures<T extends object>(value: T, json: string | null | undefined): T & { enclosures?: Enclosure[] } {
  const list = json ? (JSON.parse(json) as Enclosure[]) : [];
  return list.length ? { ...value, enclosures: list } : value;
}

/**
 * The row of a new or changed origin (first_seen_ms is kept by the upsert for a known one), without its
 * body: the run stores it (keepBodies) once it knows whether the origin shares its story.
 */
export function originRow(article: Article, contentHash: string, nowMs: number): OriginRow {
  return {
    source_key: article.sourceKey,
    origin_id: article.originId,
    title_key: storedTitleKey(article),
    title: article.title,
    link: article.link,
    guid: article.guid,
    published_ms: article.published.getTime(),
    updated_ms: article.updated?.getTime() ?? null,
    author: article.author,
    categories_json: JSON.stringify(plainRefs(article.categories)),
    image: article.image,
    content_html: null,
    text_length: article.textLength ?? textLength(article.contentHtml),
    summary: article.summary,
    date_is_fallback: article.dateIsFallback === true ? 1 : 0,
    content_hash: contentHash,
    story_id: null,
    first_seen_ms: nowMs,
    enclosures_json: enclosuresJson(article.enclosures),
  };
}

/** A stored origin; `story_html` is its story's body, read when the origin keeps none of its own. */
export function toArticle(row: OriginRow & { story_html: string | null }): StoredOriginArticle {
  return withEnclosures({
    sourceKey: row.source_key,
    originId: row.origin_id,
    title: row.title,
    titleKey: publicTitleKey(row.title_key),
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
    storyId: row.story_id,
    firstSeenMs: row.first_seen_ms,
  }, row.enclosures_json);
}

export function storyRow({ story, titleKey, updatedMs, hashes, feedId }: StorySave): StoryRow {
  return {
    id: story.id,
    title_key: titleKey,
    published_ms: story.published.getTime(),
    updated_ms: updatedMs,
    title: story.title,
    link: story.link,
    links_json: JSON.stringify(story.links),
    author: story.author,
    categories_json: JSON.stringify(plainRefs(story.categories)),
    image: story.image,
    content_html: story.contentHtml,
    summary: story.summary,
    content_hash: hashes.content,
    row_hash: hashes.row,
    text_hash: hashes.text,
    feed_id: feedId,
    enclosures_json: enclosuresJson(story.enclosures),
  };
}

export function toStory(row: StoryRow, names: ReadonlyMap<string, string>): Story {
  const categories = (JSON.parse(row.categories_json) as CategoryRef[]).map((ref) => ({
    slug: ref.slug,
    // A category renamed in the config shows its current name without rewriting stories.
    name: names.get(ref.slug) ?? ref.name,
  }));
  return withEnclosures({
    id: row.id,
    feedId: row.feed_id ?? row.id,
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
  }, row.enclosures_json);
}

export const toStoredStory = (row: StoredStoryRow): StoredStory => ({
  id: row.id,
  titleKey: row.title_key,
  updatedMs: row.updated_ms,
  categories: JSON.parse(row.categories_json) as CategoryRef[],
  contentHash: row.content_hash,
  rowHash: row.row_hash,
  textHash: row.text_hash,
  feedId: row.feed_id ?? row.id,
});

/** A seed_files row, as both backends store it. */
export interface SeedFileRow {
  rel_path: string;
  size: number;
  mtime_ms: number;
  hash: string;
  error: string | null;
  warning: string | null;
}

export function toSeedFileRecord(row: SeedFileRow): SeedFileRecord {
  return { relPath: row.rel_path, size: row.size, mtimeMs: row.mtime_ms, hash: row.hash, error: row.error, warning: row.warning };
}
