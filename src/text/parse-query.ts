// The search query language, shared by every backend: words (all must match), "a phrase", prefix*,
// -exclusion and category:slug. Words are folded and cut exactly as the index's words are.
import { QueryError } from '../errors.js';
import { cutWords, foldForSearch } from './search-words.js';

/** One term of a query: its words, and how they must occur. */
export interface QueryTerm {
  /** Folded words, in order (a Chinese term is several dictionary words). */
  words: string[];
  /** The words must be adjacent, in order (a quoted phrase, or a word like `e-mail` cut in two). */
  phrase: boolean;
  /** The last word is a prefix (`bitco*`). */
  prefix: boolean;
  /** Stories containing the term are excluded (`-term`). */
  exclude: boolean;
}

export interface ParsedQuery {
  terms: QueryTerm[];
  /** Category slugs every result must belong to (`category:slug`). */
  categories: string[];
}

/** At most this many terms count; the rest of a longer query is ignored. */
export const MAX_QUERY_TERMS = 8;
/**
 * A prefix (`bitco*`) needs at least this many characters: the index merges every word the prefix starts,
 * and a single letter, digit or Chinese character starts a large share of the vocabulary (`q*` cost
 * 0.1–2.6 s; `深*` ~50 ms at 100k stories against ~0.6 ms for `深圳*`).
 */
export const MIN_PREFIX_CHARS = 2;
/** Words per term beyond this are ignored (a pasted paragraph is not a query). */
const MAX_TERM_WORDS = 16;

const TOKEN = /(-?)(?:category:(\S+)|"([^"]*)"?|(\S+))/gu;
const HAN = /\p{Script=Han}/u;

/** Parses a query string; terms without any word (punctuation alone) are dropped. */
export function parseQuery(query: string): ParsedQuery {
  const terms: QueryTerm[] = [];
  const categories: string[] = [];
  for (const match of query.normalize('NFKC').matchAll(TOKEN)) {
    const [, minus, category, quoted, bare] = match;
    if (category !== undefined) {
      categories.push(category.toLowerCase());
      continue;
    }
    if (terms.length >= MAX_QUERY_TERMS) continue;
    const text = quoted ?? bare ?? '';
    const prefix = quoted === undefined && text.endsWith('*');
    const folded = foldForSearch(prefix ? text.replace(/\*+$/u, '') : text);
    const words = cutWords(folded, 'query').slice(0, MAX_TERM_WORDS);
    if (words.length === 0) continue;
    if (prefix && [...words.at(-1)!].length < MIN_PREFIX_CHARS) {
      throw new QueryError(`Bad search query (the prefix ${text} is too short): a prefix needs at least ${MIN_PREFIX_CHARS} characters before the *`);
    }
    // A quoted phrase keeps its order; so does a non-Chinese word the cutting split (`e-mail`, `U.S.`).
    // Chinese words of one term only need to co-occur: the same text may be cut differently in context.
    const phrase = quoted !== undefined || (words.length > 1 && !HAN.test(folded));
    terms.push({ words, phrase, prefix, exclude: minus === '-' });
  }
  return { terms, categories: [...new Set(categories)] };
}

/** The words a result should show highlighted: every word of the terms that are not excluded. */
export function highlightWords(parsed: ParsedQuery): string[] {
  return [...new Set(parsed.terms.filter((term) => !term.exclude).flatMap((term) => term.words))];
}
