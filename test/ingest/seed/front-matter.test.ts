import { describe, expect, it } from 'vitest';
import { parseFrontMatter, recoverFrontMatter, splitFrontMatter, stripQuoteRuns, dropUnbalancedQuotes } from '../../../src/ingest/seed/front-matter.js';

describe('splitFrontMatter', () => {
  it('allows a BOM and blank lines before the opening ---', () => {
    const split = splitFrontMatter('\uFEFF\n\n---\ntitle: a\n---\n<p>b</p>\n');
    expect(split.yaml).toBe('title: a');
    expect(split.body).toBe('<p>b</p>\n');
  });

  it('handles CRLF line endings', () => {
    expect(splitFrontMatter('---\r\ntitle: a\r\n---\r\nbody').yaml).toBe('title: a');
  });

  it('reports a file without front matter, and an unclosed one', () => {
    expect(splitFrontMatter('# Hello\n').yaml).toBeNull();
    const unclosed = splitFrontMatter('---\ntitle: a\n');
    expect(unclosed.unclosed).toBe(true);
    expect(unclosed.yaml).toBe('title: a\n');
  });
});

describe('parseFrontMatter', () => {
  it('uses YAML when it parses', () => {
    const result = parseFrontMatter("title: 'it''s fine'\ncategories:\n    - a\n    - b\ncomments: false");
    expect(result.recovered).toBe(false);
    expect(result.data).toMatchObject({ title: "it's fine", categories: ['a', 'b'], comments: false });
  });

  it('recovers an unquoted @ title running over two lines', () => {
    const result = parseFrontMatter('title: @fox writes about\nrivers and maps\ncategories:\n - 随笔\ndate: 2021-11-02 19:05:00');
    expect(result.recovered).toBe(true);
    expect(result.yamlError).toMatch(/reserved/);
    expect(result.data).toMatchObject({ title: '@fox writes about rivers and maps', categories: ['随笔'], date: '2021-11-02 19:05:00' });
  });

  it('treats a key-like line inside a broken title as more title', () => {
    const data = recoverFrontMatter('title: @x the long\nBreaking: stocks fall\ndate: 2022-01-01');
    expect(data.title).toBe('@x the long Breaking: stocks fall');
    expect(data.date).toBe('2022-01-01');
  });

  it('recovers nested list items and Markdown-link items when YAML fails', () => {
    const data = recoverFrontMatter('title: "a" b\ncategories:\n -  - 免费游戏\n - [Naver](https://x.example.com)\n    - four');
    expect(data.categories).toEqual(['免费游戏', '[Naver](https://x.example.com)', 'four']);
  });

  it('recovers flow lists and quoted scalars', () => {
    const data = recoverFrontMatter("title: @a\ncategories: [x, 'y z']\nheadimg: 'https://img.example.com/a.png'\nauthor:");
    expect(data.categories).toEqual(['x', 'y z']);
    expect(data.headimg).toBe('https://img.example.com/a.png');
    expect(data.author).toBeNull();
  });

  it('takes the raw line when YAML reads the title as a list', () => {
    const result = parseFrontMatter('title: [Update] new release\n');
    // YAML fails here (scalar after flow sequence): the line is the title either way.
    expect(result.data.title).toBe('[Update] new release');
  });

  it('keeps a plain title cut by a YAML comment whole', () => {
    expect(parseFrontMatter('title: Top 10 #2 picks\ndate: 2022-01-01').data.title).toBe('Top 10 #2 picks');
    expect(parseFrontMatter("title: 'Quoted' # a real comment").data.title).toBe('Quoted');
  });

  it('keeps the last value of a duplicated key instead of failing', () => {
    expect(parseFrontMatter('title: a\ntitle: b').data.title).toBe('b');
  });
});

describe('stripQuoteRuns', () => {
  it('strips runs of quotes wrapping a title', () => {
    expect(stripQuoteRuns(`"""""""'Ten habits'"""""""`)).toBe('Ten habits');
    expect(stripQuoteRuns(`''abc''`)).toBe('abc');
    expect(stripQuoteRuns(`"Hello"`)).toBe('Hello');
    expect(stripQuoteRuns(`"""''"""`)).toBe('');
  });

  it('keeps quotes that are part of the title', () => {
    expect(stripQuoteRuns(`"A" and "B"`)).toBe(`"A" and "B"`);
    expect(stripQuoteRuns(`Don't stop`)).toBe(`Don't stop`);
    expect(stripQuoteRuns(`'Tis the "season"`)).toBe(`'Tis the "season"`);
    expect(stripQuoteRuns(`_撑腰_`)).toBe('_撑腰_');
  });
});

describe('dropUnbalancedQuotes', () => {
  it('removes a leading or trailing quote left unbalanced, never balanced ones or apostrophes', () => {
    expect(dropUnbalancedQuotes("'unterminated quote")).toBe('unterminated quote');
    expect(dropUnbalancedQuotes('closing only"')).toBe('closing only');
    expect(dropUnbalancedQuotes('\u201C左引号')).toBe('左引号');
    expect(dropUnbalancedQuotes('"Quoted" word')).toBe('"Quoted" word');
    expect(dropUnbalancedQuotes("It's fine")).toBe("It's fine");
  });
});
