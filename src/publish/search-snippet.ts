// The snippet of a search result: a window of the story's text around the first match, with every
// matched word marked. Matching runs on the folded text (as indexed), marks on the original.
import { htmlToText } from '../text/html-text.js';
import { foldForSearch } from '../text/search-words.js';
import { escapeHtml } from './xml-safe.js';

const BEFORE = 60;
const LENGTH = 240;
const HAN = /\p{Script=Han}/u;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern finding the words: Chinese anywhere, other words whole (or as a prefix when `prefix`). */
function wordPattern(words: readonly string[], prefixes: ReadonlySet<string>): RegExp | null {
  if (words.length === 0) return null;
  const alternatives = [...words].sort((a, b) => b.length - a.length).map((word) => {
    const escaped = escapeRegExp(word);
    if (HAN.test(word)) return escaped;
    // A word also marks its plural (the index folds `etfs` to `etf`).
    return `(?<![\\p{L}\\p{N}])${escaped}${prefixes.has(word) ? '' : 's?(?![\\p{L}\\p{N}])'}`;
  });
  return new RegExp(alternatives.join('|'), 'gu');
}

/** Marked ranges of `text` where the words occur; none when folding changed the text's length. */
function matches(text: string, pattern: RegExp | null): Array<[number, number]> {
  const folded = foldForSearch(text);
  if (!pattern || folded.length !== text.length) return [];
  return [...folded.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length]);
}

/**
 * Body HTML a snippet looks in for its first match: past it the snippet shows the text's start, unmarked. A 1.8 MB
 * body read whole cost 100–170 ms a snippet on the serving thread, and a search page makes up to `feeds.items`.
 */
export const SNIPPET_SCAN_HTML_CHARS = 256 * 1024;

/** HTML of a snippet: escaped text, matches in <mark>, an ellipsis where it was cut. */
export function searchSnippet(html: string, words: readonly string[], prefixes: ReadonlySet<string> = new Set()): string {
  // A cut through a surrogate pair leaves half of it, which escapeHtml drops as it drops every unpaired one.
  const read = html.length > SNIPPET_SCAN_HTML_CHARS ? html.slice(0, SNIPPET_SCAN_HTML_CHARS) : html;
  const text = htmlToText(read);
  const found = matches(text, wordPattern(words, prefixes));
  const first = found[0]?.[0] ?? 0;
  let start = Math.max(0, first - BEFORE);
  // Not inside a surrogate pair.
  if (start > 0 && /[\udc00-\udfff]/.test(text[start]!)) start--;
  let end = Math.min(text.length, start + LENGTH);
  if (end < text.length && /[\udc00-\udfff]/.test(text[end]!)) end++;
  let out = start > 0 ? '…' : '';
  let at = start;
  for (const [from, to] of found) {
    if (to <= start || from < at) continue;
    if (from >= end) break;
    out += `${escapeHtml(text.slice(at, from))}<mark>${escapeHtml(text.slice(from, Math.min(to, end)))}</mark>`;
    at = Math.min(to, end);
  }
  out += escapeHtml(text.slice(at, end));
  return end < text.length || read.length < html.length ? `${out}…` : out;
}
