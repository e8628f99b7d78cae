import { describe, expect, it } from 'vitest';
import { compileFilter, compileRule, filteredBy, KEEP_MISS, lazySubject, type FilterSubject } from '../../src/config/filter-rules.js';
import { parseConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';

const subject = (over: Partial<FilterSubject> = {}): FilterSubject => ({
  title: 'Markets today', content: 'Stocks rose.', author: 'Desk', link: 'https://news.example/2024/markets', categories: ['金融'], ...over,
});
const verdict = (block: string[], keep: string[] | undefined, s: FilterSubject) => filteredBy(compileFilter({ block, keep }), s);

describe('filter rules', () => {
  it('matches an unprefixed rule against the title and the text', () => {
    const rule = compileRule('sponsored');
    expect(rule.test(subject({ title: 'A sponsored post' }))).toBe(true);
    expect(rule.test(subject({ content: 'This is sponsored content.' }))).toBe(true);
    expect(rule.test(subject({ author: 'sponsored' }))).toBe(false);
  });

  it('matches each prefix against its own field only', () => {
    expect(compileRule('title:^【广告】').test(subject({ title: '【广告】买一送一' }))).toBe(true);
    expect(compileRule('title:^【广告】').test(subject({ content: '【广告】买一送一' }))).toBe(false);
    expect(compileRule('content:rose').test(subject())).toBe(true);
    expect(compileRule('content:Markets').test(subject())).toBe(false);
    expect(compileRule('author:^机器人').test(subject({ author: '机器人7号' }))).toBe(true);
    expect(compileRule('author:^机器人').test(subject({ author: null }))).toBe(false);
    expect(compileRule('link:/video/').test(subject({ link: 'https://news.example/video/1' }))).toBe(true);
    expect(compileRule('link:/video/').test(subject())).toBe(false);
    expect(compileRule('category:推广').test(subject({ categories: ['金融', '推广'] }))).toBe(true);
    expect(compileRule('category:^推广$').test(subject({ categories: ['金融推广'] }))).toBe(false);
  });

  it('reads a leading (?i) as case-insensitive, after a prefix too; without it case matters', () => {
    expect(compileRule('(?i)sponsored').test(subject({ title: 'SPONSORED' }))).toBe(true);
    expect(compileRule('sponsored').test(subject({ title: 'SPONSORED' }))).toBe(false);
    expect(compileRule('title:(?i)bitcoin|比特币').test(subject({ title: 'BitCoin hits high' }))).toBe(true);
    expect(compileRule('title:(?i)bitcoin|比特币').test(subject({ title: '比特币新高' }))).toBe(true);
  });

  it('drops on any block rule, block wins over keep, and a keep list drops what none of it matches', () => {
    expect(verdict(['(?i)sponsored'], undefined, subject({ title: 'Sponsored: bitcoin' }))).toBe('block: (?i)sponsored');
    expect(verdict(['(?i)sponsored'], ['title:(?i)bitcoin'], subject({ title: 'Sponsored: bitcoin' }))).toBe('block: (?i)sponsored');
    expect(verdict([], ['title:(?i)bitcoin'], subject({ title: 'Bitcoin rallies' }))).toBeNull();
    expect(verdict([], ['title:(?i)bitcoin'], subject({ title: 'Gold rallies' }))).toBe(KEEP_MISS);
    expect(verdict([], undefined, subject())).toBeNull();
  });

  it('matches a pathological pattern in linear time: (a+)+$ on 30 characters answers at once', () => {
    // A backtracking engine (JavaScript's RegExp) takes 2^29 steps here; README "Filters" has the measurement.
    const rule = compileRule('(a+)+$');
    expect(rule.test(subject({ title: `${'a'.repeat(29)}!`, content: '' }))).toBe(false);
    expect(rule.test(subject({ title: 'a'.repeat(30), content: '' }))).toBe(true);
  });

  it('extracts the body text only when a rule gets that far, and once', () => {
    let extracted = 0;
    const lazy = () => lazySubject({ title: 'Ad: buy', author: null, link: null, categories: [] }, '<p>Sponsored</p>', (html) => (extracted++, html.replace(/<[^>]*>/g, '')));
    expect(verdict(['title:^Ad:'], undefined, lazy())).toBe('block: title:^Ad:');
    expect(extracted).toBe(0);
    expect(verdict(['(?i)nothing', '(?i)sponsored'], undefined, lazy())).toBe('block: (?i)sponsored');
    expect(extracted).toBe(1);
  });

  it('fingerprints the rules: the same rules agree, other rules differ', () => {
    expect(compileFilter({ block: ['a'] }).fingerprint).toBe(compileFilter({ block: ['a'] }).fingerprint);
    expect(compileFilter({ block: ['a'] }).fingerprint).not.toBe(compileFilter({ block: ['a'], keep: ['b'] }).fingerprint);
  });
});

describe('filter in the config', () => {
  const problems = (text: string): string[] => {
    try {
      parseConfig(text, 'aggregator.yaml');
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('accepts filters on sources', () => {
    const config = parseConfig(
      [
        'sources:',
        '  - name: A',
        '    url: https://a.example/feed',
        '    filter:',
        '      block: ["(?i)sponsored", "title:^【广告】", "author:^机器人", "link:/video/", "category:推广"]',
      ].join('\n'),
      'aggregator.yaml',
    );
    expect(config.sources[0]!.filter?.block).toHaveLength(5);
  });

  it('reports every bad rule with file:line:col and its YAML path', () => {
    expect(
      problems(
        [
          'sources:',
          '  - name: A',
          '    url: https://a.example/feed',
          '    filter:',
          '      block: ["ok", "title:a(b", "(?<=x)y"]',
          '      keep: []',
          '  - name: X',
          '    url: https://x.example/feed',
          '    filter: { block: ["author:\\\\1"], keep: ["title:"] }',
        ].join('\n'),
      ),
    ).toEqual([
      'aggregator.yaml:5:21 sources[0].filter.block[1]: invalid regular expression: missing closing ): `a(b`',
      'aggregator.yaml:5:34 sources[0].filter.block[2]: invalid regular expression: invalid named capture: `(?<=x)y` (rules use RE2 syntax: no lookaround, no backreferences)',
      'aggregator.yaml:6:13 sources[0].filter.keep: An empty keep list would drop everything; omit keep to keep all',
      'aggregator.yaml:9:23 sources[1].filter.block[0]: invalid regular expression: invalid escape sequence: `\\1` (rules use RE2 syntax: no lookaround, no backreferences)',
      'aggregator.yaml:9:45 sources[1].filter.keep[0]: empty regular expression',
    ]);
  });

  it('rejects unknown keys under filter', () => {
    expect(problems('sources:\n  - name: A\n    url: https://a.example/feed\n    filter: { allow: ["x"] }\n')[0]).toMatch(
      /^aggregator\.yaml:4:15 sources\[0\]\.filter\.allow: /,
    );
  });
});
