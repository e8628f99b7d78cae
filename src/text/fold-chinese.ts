// Traditional → simplified Chinese, two ways: the phrase-aware converter (opencc-js) for short keys
// (titles, category names), and a character map built from it for whole bodies and search words,
// where the converter's ~2 ms per 12 KB would cost more than segmenting.
import { Converter } from 'opencc-js/t2cn';

type Convert = (text: string) => string;
let toSimplified: Convert | undefined;
let charTable: Uint16Array | undefined;

const hasHan = /\p{Script=Han}/u;

/** Traditional → simplified with opencc's phrase tables; the dictionary is built on first use. */
export function simplify(text: string): string {
  const convert = (toSimplified ??= Converter({ from: 't', to: 'cn' }));
  return convert(text);
}

/** Text with any Chinese folded to simplified characters (`國內` → `国内`); other text unchanged. */
export function foldChinese(text: string): string {
  return hasHan.test(text) ? simplify(text) : text;
}

const FIRST = 0x4e00;
const LAST = 0x9fff;

/** The one-character conversions of the CJK unified ideographs block (0 = unchanged), found by converting each once. */
function buildCharTable(): Uint16Array {
  const chars: string[] = [];
  for (let code = FIRST; code <= LAST; code++) chars.push(String.fromCharCode(code));
  // One call, characters on their own lines so no phrase spans two of them.
  const converted = simplify(chars.join('\n')).split('\n');
  const table = new Uint16Array(LAST - FIRST + 1);
  chars.forEach((char, i) => {
    const to = converted[i];
    if (to !== undefined && to.length === 1 && to !== char) table[i] = to.charCodeAt(0);
  });
  return table;
}

/**
 * Traditional → simplified character by character: the same folding for an indexed body and for a
 * query, fast enough for every body (one table lookup per character; text with nothing to fold is returned as is).
 */
export function foldChineseChars(text: string): string {
  const table = (charTable ??= buildCharTable());
  let out: string[] | null = null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const to = code >= FIRST && code <= LAST ? table[code - FIRST]! : 0;
    if (to === 0) continue;
    out ??= text.split('');
    out[i] = String.fromCharCode(to);
  }
  return out ? out.join('') : text;
}
