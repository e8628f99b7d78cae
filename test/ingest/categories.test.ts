import { describe, expect, it } from 'vitest';
import { categoryKey, createCategoryResolver, slugify } from '../../src/ingest/categories.js';

describe('category names', () => {
  it('compare after NFKC, trimming and case folding', () => {
    expect(categoryKey('新浪财经－国內')).toBe(categoryKey('新浪财经-国內'));
    expect(categoryKey(' Tech ')).toBe(categoryKey('tech'));
    expect(categoryKey('金融')).not.toBe(categoryKey('财经'));
  });

  it('derive slugs that keep letters of every script', () => {
    expect(slugify('新浪财经－国內')).toBe('新浪财经-国內');
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
      { name: '新浪财经-国內', slug: '新浪财经-国內' },
      { name: '金融', slug: 'finance' },
    ]);
  });

  it('never produces the reserved slug all', () => {
    expect(resolve(['All', 'news'])).toEqual([{ name: 'news', slug: 'news' }]);
  });
});
