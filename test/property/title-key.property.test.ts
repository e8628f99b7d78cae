// The dedup title key on random input: never throws, keeps only letters and digits (and one `.` for a
// separator between two digits), is idempotent, and ignores which punctuation the crawler substituted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { titleKey } from '../../src/ingest/dedup.js';

const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789撑腰深圳速度金融科技國內国内АБВгдеéßøΩ'];
const PUNCT = ['_', ' ', '“', '”', '"', "'", ':', '/', '?', ',', '，', '。', '！', '-', '－', '·', '…', '《', '》', '(', ')', '\u3000', '\t'];
const word = fc.array(fc.constantFrom(...LETTERS), { minLength: 1, maxLength: 20 }).map((chars) => chars.join(''));

describe('titleKey properties', () => {
  it('never throws and keeps only letters and digits, with `.` only between two digits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (title) => {
        expect(titleKey(title)).toMatch(/^(?:[\p{L}\p{N}]|(?<=\p{Nd})\.(?=\p{Nd}))*$/u);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (title) => {
        expect(titleKey(titleKey(title))).toBe(titleKey(title));
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores which punctuation and spacing separate the words', () => {
    const separator = fc.array(fc.constantFrom(...PUNCT), { minLength: 1, maxLength: 3 }).map((chars) => chars.join(''));
    const joined = (words: string[], seps: string[]) => seps[0] + words.map((w, i) => w + seps[i + 1]).join('');
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), fc.array(separator, { minLength: 7, maxLength: 7 }), fc.array(separator, { minLength: 7, maxLength: 7 }), (words, a, b) => {
        expect(titleKey(joined(words, a))).toBe(titleKey(joined(words, b)));
      }),
      { numRuns: 1000 },
    );
  });

  it('drops punctuation at letter boundaries entirely', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-zé撑腰金融]{1,8}$/), { minLength: 1, maxLength: 5 }), fc.constantFrom(...PUNCT), (words, sep) => {
        expect(titleKey(words.join(sep))).toBe(titleKey(words.join('')));
      }),
    );
  });

  it('ignores case and full-width forms', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), (ascii) => {
        const fullWidth = [...ascii].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
        expect(titleKey(fullWidth)).toBe(titleKey(ascii.toLowerCase()));
        expect(titleKey(ascii.toUpperCase())).toBe(titleKey(ascii.toLowerCase()));
      }),
    );
  });
});
