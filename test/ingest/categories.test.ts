import { describe, expect, it } from 'vitest';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { categoryKey, slugify } from '../../src/text/category-names.js';

describe('category names', () => {
  it('compare after NFKC, trimming and case folding', () => {
    expect(categoryKey('新浪财经－国內')).toBe(categoryKey('新浪财经-国內'));
    expect(categoryKey('Straße')).toBe(categoryKey('STRASSE'));
    expect(categoryKey(' Tech ')).toBe(categoryKey('tech'));
    expect(categoryKey('金融')).not.toBe(categoryKey('财经'));
  });

  it('derive slugs that keep letters of every script', () => {
    expect(slugify('新浪财经－国內')).toBe('新浪财经-国内');
    expect(slugify('  Machine Learning & AI!  ')).toBe('machine-learning-ai');
    expect(slugify('Ｔｅｃｈ')).toBe('tech');
  });
});

describe('createCategoryResolver', () => {
  const resolve = createCategoryResolver([
    { name: '金融', slug: 'finance', aliases: ['财经'] },
    { name: 'Tech', aliases: ['Technology'] },
  ]);

  it('maps names and aliases to the configured category', () => {
    expect(resolve(['财经'])).toEqual([{ name: '金融', slug: 'finance' }]);
    expect(resolve(['technology', 'TECH'])).toEqual([{ name: 'Tech', slug: 'tech' }]);
  });

  it('derives unknown categories, drops blanks and keeps one entry per slug', () => {
    expect(resolve(['新浪财经－国內', '新浪财经-国內', '  ', '!!', '金融'])).toEqual([
      { name: '新浪财经-国內', slug: '新浪财经-国内' },
      { name: '金融', slug: 'finance' },
    ]);
  });

  it('folds traditional and simplified Chinese like title keys do (国內 ≡ 国内 ≡ 國內)', () => {
    expect(categoryKey('国內')).toBe(categoryKey('国内'));
    expect(categoryKey('新浪財經－國內')).toBe(categoryKey('新浪财经-国内'));
    expect(resolve(['新浪财经－国內', '新浪财经-国内', '新浪財經-國內'])).toEqual([{ name: '新浪财经-国內', slug: '新浪财经-国内' }]);
    expect(categoryKey('金融')).not.toBe(categoryKey('金融业'));
  });

  it('applies configured aliases across scripts: an alias written in traditional matches simplified input', () => {
    const withAlias = createCategoryResolver([{ name: 'Domestic', slug: 'domestic', aliases: ['國內新聞'] }]);
    expect(withAlias(['国内新闻', '國內新聞', '国內新闻'])).toEqual([{ name: 'Domestic', slug: 'domestic' }]);
  });

  it('never produces the reserved slug all', () => {
    expect(resolve(['All', 'news'])).toEqual([{ name: 'news', slug: 'news' }]);
  });
});
