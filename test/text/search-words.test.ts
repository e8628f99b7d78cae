import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutWords, foldForSearch, plainWord, searchWords } from '../../src/text/search-words.js';

const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const WORD_ONLY = /^[\p{L}\p{M}\p{N}]+$/u;

/** The words by their definition: every word of every piece jieba gives, plurals folded (the slow way). */
function referenceWords(text: string): string {
  const { dict } = createRequire(import.meta.url)('@node-rs/jieba/dict.js') as { dict: Uint8Array };
  const pieces = Jieba.withDict(dict).cutForSearch(foldForSearch(text), false);
  return pieces
    .flatMap((piece) => piece.match(WORD) ?? [])
    .map((word) => (/^[a-z]{2,}[^sui]s$/.test(word) ? word.slice(0, -1) : word))
    .join(' ');
}

describe('search words', () => {
  it('cuts Chinese by the dictionary and splits everything else at punctuation, never across pieces', () => {
    const words = cutWords(foldForSearch('3.5%的GDP增长，e-mail和Bitcoin ETFs：ＡＢＣ x_y 深圳速度'), 'query');
    expect(words).toEqual(['3', '5', '的', 'gdp', '增长', 'e', 'mail', '和', 'bitcoin', 'etf', 'abc', 'x', 'y', '深圳', '速度']);
  });

  it('indexes a long word with its shorter dictionary words (search mode)', () => {
    expect(searchWords('中华人民共和国').split(' ')).toEqual(expect.arrayContaining(['中华', '人民', '共和国', '中华人民共和国']));
    expect(searchWords('No Chinese here: Rates rise')).toBe('no chinese here rate rise');
  });

  it('gives the words of their definition on mixed text (punctuation, accents, marks, digits, emoji, traditional characters)', () => {
    const text = [
      '《深圳速度》：金融科技企业的ETFs和Bitcoin，2024年增长3.5%！國內銀行、證券與保險——“数字经济”',
      'Café crème, naïve résumés; e-mail x_y Ｆｕｌｌｗｉｄｔｈ ＡＢＣ１２３ 🚀火箭 a\u0301b 中文English混排 rates classes bus crisis',
      '中华人民共和国中央人民政府 上海证券交易所 北京大学生命科学学院 ① ② Ⅻ ½ 〇一二三 ｶﾀｶﾅ 한국어 Ελληνικά ΣΊΣΥΦΟΣ',
    ].join('\n');
    expect(searchWords(text)).toBe(referenceWords(text));
  });

  it('gives the same words when long text is cut in parts (memory stays bounded), whatever the size of the parts', () => {
    const pieces = ['中华人民共和国', '大学生', '。', '，', ' ', '\n', 'Café', 'naïve', 'ETFs', 'x_y', 'e-mail', '3.5%', 'C++', '#tag', 'a&b',
      '😀', '𠀀', 'ΣΊΣΥΦΟΣ', 'a\u0301', '〇', 'ｶﾞ', '\u3000', '—', 'rates', '國內'];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (parts, partChars) => {
      const text = parts.join('');
      expect(searchWords(text, partChars)).toBe(searchWords(text, Number.MAX_SAFE_INTEGER));
    }));
    const long = '<中文新闻> 中华人民共和国的大学生, naïve cafés。'.repeat(20_000);
    expect(searchWords(long)).toBe(referenceWords(long));
  });

  it('takes a piece as one word without a regular expression only when it is one', () => {
    const chars: string[] = [];
    for (let code = 0x20; code <= 0xffff; code++) if (code < 0xd800 || code > 0xdfff) chars.push(String.fromCharCode(code));
    for (const char of chars) if (plainWord(char)) expect(WORD_ONLY.test(char), `U+${char.charCodeAt(0).toString(16)}`).toBe(true);
    // The fast path covers what jieba mostly gives: Chinese words, lower-case words, numbers.
    expect(['深圳速度', 'bitcoin', '2024', '〇'].map(plainWord)).toEqual([true, true, true, false]);
    expect(plainWord('')).toBe(false);
  });
});
