// The search page's results, read a page at a time (each page cut by the store to a text budget) and each story
// turned into its heading and snippet at once: the page lists up to `limit` results however long their bodies,
// holding one page of bodies at a time. With 2 MB bodies it listed one result of 80 when it read one page.
import type { Store } from '../store/store.js';
import type { Story } from '../types.js';
import { storyTextChars } from './category-filters.js';
import { searchSnippet } from './search-snippet.js';

/** One result as the search page shows it: the story's heading and a snippet with the matched words marked. */
export interface SearchHit {
  story: Pick<Story, 'id' | 'title' | 'published' | 'categories'>;
  snippet: string;
}

/** Text the search page reads at most over its pages: ordinary bodies fill `limit` in the first page; 2 MB ones stop after ~8. */
export const SEARCH_PAGE_MAX_TEXT_CHARS = 16 * 1024 * 1024;

export interface SearchHits {
  hits: SearchHit[];
  total: number;
  lastChanged: Date | null;
}

/** Words to mark in snippets (folded, as matched) and which of them are prefixes. */
export interface SnippetMarks {
  words: readonly string[];
  prefixes: ReadonlySet<string>;
}

export async function searchHits(
  store: Pick<Store, 'searchStories'>, query: string, limit: number, pageTextChars: number, marks: SnippetMarks,
): Promise<SearchHits> {
  const hits: SearchHit[] = [];
  let scanned = 0;
  let total = 0;
  let lastChanged: Date | null = null;
  do {
    const page = await store.searchStories(query, limit - hits.length, { offset: hits.length, maxTextChars: pageTextChars });
    total = page.total;
    if (page.lastChanged && (!lastChanged || page.lastChanged > lastChanged)) lastChanged = page.lastChanged;
    if (page.stories.length === 0) break;
    for (const story of page.stories) {
      scanned += storyTextChars(story);
      const { id, title, published, categories } = story;
      hits.push({ story: { id, title, published, categories }, snippet: searchSnippet(story.contentHtml, marks.words, marks.prefixes) });
    }
  // Past the matches counted there is nothing to read: a page of all of them ends without a second search.
  } while (hits.length < Math.min(limit, total) && scanned < SEARCH_PAGE_MAX_TEXT_CHARS);
  return { hits, total, lastChanged };
}
