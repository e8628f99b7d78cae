// Hashes and keys the store derives from what it keeps, the same on every backend: they decide
// "seen again, unchanged" versus "updated" and whether a story's row (and its feeds) must be rewritten.
import { createHash } from 'node:crypto';
import type { Article, CategoryRef, Story } from '../types.js';

const hash = (value: unknown): string => createHash('sha1').update(JSON.stringify(value)).digest('hex');
const categoryPairs = (refs: readonly CategoryRef[]) => refs.map((ref) => [ref.slug, ref.name]);

/**
 * The stored title key. An article without a usable title gets a key of its own, so it neither
 * merges with other untitled articles nor makes every run reload all of them.
 */
export function storedTitleKey(article: Article): string {
  return article.titleKey !== '' ? article.titleKey : `\u0000${article.sourceKey}\n${article.originId}`;
}

/** The title key a reader sees: the synthetic key of an untitled origin stays inside the store. */
export const publicTitleKey = (stored: string): string => (stored.startsWith('\u0000') ? '' : stored);

/** Hash over everything stored of an article, to tell "seen again, unchanged" from "updated". */
export function articleHash(article: Article): string {
  return hash([
    article.title,
    article.titleKey,
    article.link,
    article.guid,
    article.published.getTime(),
    article.updated?.getTime() ?? null,
    article.author,
    categoryPairs(article.categories),
    article.image,
    article.contentHtml,
    article.summary,
    article.dateIsFallback === true,
    // Only when there are some, so the hash of an article without any is what it was before enclosures were kept.
    ...(article.enclosures?.length ? [article.enclosures] : []),
  ]);
}

/** Hashes of a story: title and body (`text`, what search indexes), what readers see (`content`), every stored field (`row`). */
export interface StoryHashes {
  text: string;
  content: string;
  row: string;
}

/**
 * The three hashes, the body hashed once: `content` (title, body, link, categories, image, enclosures) drives
 * `updated`; any `row` difference means the row (and its feeds) must be rewritten; a `text` difference, its index entry.
 */
export function storyHashes(story: Omit<Story, 'updated'>, titleKey: string): StoryHashes {
  const text = hash([story.title, story.contentHtml]);
  // Enclosures count only when there are some, so stories without any keep the hashes they were stored with.
  const content = hash([text, story.link, categoryPairs(story.categories), story.image, ...(story.enclosures?.length ? [story.enclosures] : [])]);
  const row = hash([content, titleKey, story.published.getTime(), story.links, story.author, story.summary]);
  return { text, content, row };
}

/** Changed category slugs as the store reports them: `all` first, then by code point. */
export function sortChangedSlugs(slugs: Iterable<string>): string[] {
  return [...slugs].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a < b ? -1 : a > b ? 1 : 0));
}
