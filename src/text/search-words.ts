// Words for the search index and for queries, made the same way on both sides: NFKC, case folded,
// traditional Chinese folded to simplified (character by character), then cut into words: Chinese by
// jieba's dictionary (search mode: a long word is indexed with its shorter dictionary words too),
// everything else at spaces and punctuation. The store indexes the words joined by spaces, so
// SQLite's unicode61 tokenizer and PostgreSQL's `simple` configuration read exactly these words.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import type { SearchWords, Story } from '../types.js';
import { foldChineseChars } from './fold-chinese.js';
import { htmlToText } from './html-text.js';

let jieba: Jieba | undefined;

/**
 * The segmenter, loaded on first use (~250 ms and ~36 MB, once per thread). Only dict.txt is read (the package's
 * dict.js also reads the 6 MB idf.txt and keeps both buffers for the life of the thread); the bytes are dropped
 * once jieba has built its dictionary.
 */
function segmenter(): Jieba {
  if (!jieba) jieba = Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt')));
  return jieba;
}

/** Chinese in folded text: such text is cut by jieba, all of it (other words then fall apart differently). */
export const HAN = /\p{Script=Han}/u;
/** A word: letters, marks and digits of any script (what unicode61 and `simple` keep as one token). */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** NFKC, case folded (ß → ss, final sigma → σ), traditional Chinese → simplified. */
export function foldForSearch(text: string): string {
  return foldChineseChars(text.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, 'σ'));
}

/**
 * The words of already folded text, in order. `search` mode (for indexing) adds the dictionary words
 * inside a long Chinese word after it; queries use the plain cut, whose words the index then holds.
 */
export function cutWords(folded: string, mode: 'index' | 'query'): string[] {
  return cutWordsAs(folded, mode, HAN.test(folded));
}

/** `cutWords` with its choice made: jieba for text holding Chinese (all of it, when the text is cut in parts). */
function cutWordsAs(folded: string, mode: 'index' | 'query', han: boolean): string[] {
  if (!han) return singular(folded.match(WORD) ?? []);
  // No HMM: unknown words fall apart into single characters, the same way in a body and in a query.
  const pieces = mode === 'index' ? segmenter().cutForSearch(folded, false) : segmenter().cut(folded, false);
  return singular(wordsOfPieces(pieces));
}

const WORD_ONLY = /^[\p{L}\p{M}\p{N}]+$/u;

/**
 * True when every character is a CJK unified ideograph (U+4E00–U+9FFF, all letters), a–z or 0–9: a word as
 * it is, told without a regular expression. Most of jieba's pieces are such words (folded text has no A–Z).
 */
export function plainWord(piece: string): boolean {
  for (let i = 0; i < piece.length; i++) {
    const code = piece.charCodeAt(i);
    if (!((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39))) return false;
  }
  return piece.length > 0;
}

/**
 * The words in jieba's pieces: punctuation pieces vanish, a piece never merges with its neighbour. Most
 * pieces are one word and are kept as they are (3× cheaper than matching the pieces joined, measured).
 */
function wordsOfPieces(pieces: readonly string[]): string[] {
  const words: string[] = [];
  for (const piece of pieces) {
    if (plainWord(piece) || WORD_ONLY.test(piece)) words.push(piece);
    else for (const word of piece.match(WORD) ?? []) words.push(word);
  }
  return words;
}

const ENGLISH_PLURAL = /^[a-z]{2,}[^sui]s$/;

/**
 * English plurals folded to the singular the simple way (a final `s` dropped, not after s, u or i:
 * `etfs` → `etf`, `rates` → `rate`; `bus`, `crisis`, `class` kept), on both sides, so `Bitcoin ETF`
 * finds "Bitcoin ETFs". No other stemming: `simple` in PostgreSQL reads the same words.
 */
function singular(words: string[]): string[] {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.length >= 4 && word.charCodeAt(word.length - 1) === 115 && ENGLISH_PLURAL.test(word)) words[i] = word.slice(0, -1);
  }
  return words;
}

/**
 * Text is segmented this many characters at a time: jieba's pieces of a whole multi-megabyte body (one string
 * each, millions) took more heap than a 192 MB process has; a part's pieces are dropped before the next is cut.
 */
export const SEGMENT_CHARS = 65_536;

/**
 * A character no word crosses: not a letter, mark or digit (our words) nor one of `+#&._%-`, which jieba
 * keeps in one block with letters. Both cutters treat the text on each side of it alone, so cutting the text
 * there gives the same words. Never half of a surrogate pair (a pair's halves are not letters on their own).
 */
const SEPARATOR = /[^\p{L}\p{M}\p{N}+#&._%\-\ud800-\udfff]/u;

/** Where to end a part of `folded` starting at `from`: after the last separator within `maxChars`, else after the first. */
function partEnd(folded: string, from: number, maxChars: number): number {
  if (folded.length - from <= maxChars) return folded.length;
  for (let i = from + maxChars - 1; i > from; i--) if (SEPARATOR.test(folded[i]!)) return i + 1;
  for (let i = from + maxChars; i < folded.length; i++) if (SEPARATOR.test(folded[i]!)) return i + 1;
  return folded.length;
}

/**
 * The indexed form of a text: its words, folded and separated by single spaces. Long text is cut in parts
 * of at most `partChars` at separators (the same words as cut whole, tested), so memory stays bounded.
 * `han` (whether the text holds Chinese, so jieba cuts it) is given for the first part of a longer text.
 */
export function searchWords(text: string, partChars = SEGMENT_CHARS, han?: boolean): string {
  const folded = foldForSearch(text);
  if (han === undefined) han = HAN.test(folded);
  if (folded.length <= partChars) return cutWordsAs(folded, 'index', han).join(' ');
  const parts: string[] = [];
  for (let from = 0; from < folded.length; ) {
    const end = partEnd(folded, from, partChars);
    const words = cutWordsAs(folded.slice(from, end), 'index', han);
    if (words.length > 0) parts.push(words.join(' '));
    from = end;
  }
  return parts.join(' ');
}

/** The words of a story as indexed: made where it was parsed, else here (both backends' index writers). */
export function storyWords(story: Pick<Story, 'title' | 'contentHtml'>, made: Partial<SearchWords>): SearchWords {
  return { title: made.title ?? searchWords(story.title), body: made.body ?? searchWords(htmlToText(story.contentHtml)) };
}
