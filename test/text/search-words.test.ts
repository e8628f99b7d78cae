import { describe, expect, it } from 'vitest';
import { cutWords, foldForSearch, searchWords } from '../../src/text/search-words.js';

describe('search words', () => {
  it('cuts Chinese by the dictionary and splits everything else at punctuation, never across pieces', () => {
    const words = cutWords(foldForSearch('3.5%的GDP增长，e-mail和Bitcoin ETFs：ＡＢＣ x_y 深圳速度'), 'query');
    expect(words).toEqual(['3', '5', '的', 'gdp', '增长', 'e', 'mail', '和', 'bitcoin', 'etf', 'abc', 'x', 'y', '深圳', '速度']);
  });

  it('indexes a long word with its shorter dictionary words (search mode)', () => {
    expect(searchWords('中华人民共和国').split(' ')).toEqual(expect.arrayContaining(['中华', '人民', '共和国', '中华人民共和国']));
    expect(searchWords('No Chinese here: Rates rise')).toBe('no chinese here rate rise');
  });
});
