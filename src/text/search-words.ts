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

const HAN = /\p{Script=Han}/u;
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
  if (!HAN.test(folded)) return singular(folded.match(WORD) ?? []);
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

/** The indexed form of a text: its words, folded and separated by single spaces. */
export function searchWords(text: string): string {
  return cutWords(foldForSearch(text), 'index').join(' ');
}

/** The words of a story as indexed: made where it was parsed, else here (both backends' index writers). */
export function storyWords(story: Pick<Story, 'title' | 'contentHtml'>, made: Partial<SearchWords>): SearchWords {
  return { title: made.title ?? searchWords(story.title), body: made.body ?? searchWords(htmlToText(story.contentHtml)) };
}
