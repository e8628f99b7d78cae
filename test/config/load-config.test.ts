import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, resolveConfigPath } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors.js';

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'config/aggregator.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('fills every default when only sources is given', () => {
    const config = parseConfig('sources: []\n', 'x.yaml');
    expect(config.server).toEqual({
      host: '127.0.0.1', port: 8080, baseUrl: 'http://localhost:8080', publicStatus: true, maxConnections: 1024, workers: 1, trustProxy: false, role: 'all',
      timeouts: { headers: 10_000, request: 30_000, keepAlive: 5_000, idle: 60_000 },
    });
    expect(config.metrics).toEqual({ requireToken: false });
    expect(config.storage.database).toBe('storage/aggregator.db');
    expect(config.storage.searchThread).toBe(true);
    expect(config.schedule).toBe('*/15 * * * *');
    expect(config.dedup.window).toBe(12 * 3_600_000);
    expect(config.feeds.items).toBe(50);
    expect(config.seedFolder).toBeUndefined();
  });

  it('links feeds to the configured port when no base URL is given', () => {
    expect(parseConfig('server: { port: 9000 }\nsources: []\n', 'x.yaml').server.baseUrl).toBe('http://localhost:9000');
    expect(parseConfig('server: { port: 9000, baseUrl: "https://feeds.example.org" }\nsources: []\n', 'x.yaml').server.baseUrl).toBe('https://feeds.example.org');
  });

  it('reads fullText as true or as a selector with its remove list, and rejects a bad selector with its place', () => {
    const config = parseConfig(
      ['sources:', '  - { name: A, url: "https://a.example/rss", fullText: true }', '  - name: B', '    url: https://b.example/rss',
        '    fullText: { selector: "article .content", remove: [".share"] }'].join('\n'),
      'x.yaml',
    );
    expect(config.sources.map((source) => source.fullText)).toEqual([true, { selector: 'article .content', remove: ['.share'], maxPages: 10, minLength: 200 }]);
    expect(problemsOf(['sources:', '  - name: A', '    url: https://a.example/rss', '    fullText: { selector: "div:foo", maxPages: 0 }'].join('\n'))).toEqual([
      'config/aggregator.yaml:4:27 sources[0].fullText.selector: invalid CSS selector "div:foo"',
      'config/aggregator.yaml:4:48 sources[0].fullText.maxPages: Too small: expected number to be >=1',
    ]);
  });

  it('reads durations, seed folder defaults and source overrides', () => {
    const config = parseConfig(
      [
        'dedup: { window: 90m }',
        'seedFolder: { path: articles }',
        'sources:',
        '  - name: A',
        '    url: https://example.com/a.rss',
        '    schedule: "*/10 * * * *"',
      ].join('\n'),
      'x.yaml',
    );
    expect(config.dedup.window).toBe(90 * 60_000);
    expect(config.seedFolder).toMatchObject({ path: 'articles', schedule: '*/5 * * * *', categories: [], timezone: 'UTC', workers: 0, maxFileBytes: 2 * 1024 * 1024, followSymlinks: false });
    expect(config.sources[0]).toMatchObject({ name: 'A', schedule: '*/10 * * * *', categories: [] });
  });

  it('lists every error at once with file, line, column and YAML path', () => {
    const problems = problemsOf(
      [
        'server:',
        '  port: 99999',
        'schedule: "every day"',
        'bogus: 1',
        'sources:',
        '  - name: A',
        '    url: https://example.com/a.rss',
        '  - name: B',
        '    url: not a url',
        '  - url: https://example.com/c.rss',
      ].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^config\/aggregator\.yaml:2:9 server\.port: /),
      'config/aggregator.yaml:3:11 schedule: Invalid cron expression',
      'config/aggregator.yaml:4:1 bogus: Unrecognized key: "bogus"',
      'config/aggregator.yaml:9:10 sources[1].url: Invalid URL',
      'config/aggregator.yaml:10:5 sources[2].name: Required',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const problems = problemsOf('sources:\n  - name: a\n   url: x\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^config\/aggregator\.yaml:3:\d+ /);
  });

  it('requires sources and rejects a bad duration', () => {
    const problems = problemsOf('dedup: { window: 3 years }\n');
    expect(problems).toContain('config/aggregator.yaml:1:18 dedup.window: Invalid duration "3 years" (use e.g. 30s, 15m, 12h, 2d)');
    expect(problems.some((problem) => problem.endsWith('sources: Required'))).toBe(true);
  });

  it('keeps the seed folder\'s name for the seed folder', () => {
    const problems = problemsOf('sources:\n  - { name: seed folder, url: "https://a.example/x" }\n');
    expect(problems).toEqual([expect.stringMatching(/sources\[0\]\.name: "seed folder" names the seed folder; choose another name$/)]);
  });

  it('rejects two sources with one name', () => {
    const problems = problemsOf('sources:\n  - { name: A, url: "https://a.example/x" }\n  - { name: A, url: "https://b.example/x" }\n');
    expect(problems).toEqual([expect.stringMatching(/:3:\d+ sources\[1\]\.name: Duplicate source name "A"$/)]);
  });

  it('rejects a base URL with a query, fragment or user info, which every feed link would carry before its path', () => {
    for (const baseUrl of ['https://example.com/feeds?x=1', 'https://example.com/#top', 'https://example.com/?', 'https://me:secret@example.com']) {
      const problems = problemsOf(`server: { baseUrl: "${baseUrl}" }\nsources: []\n`);
      expect(problems).toEqual([expect.stringMatching(/^config\/aggregator\.yaml:1:20 server\.baseUrl: A base URL takes no query/)]);
    }
    expect(parseConfig('server: { baseUrl: "https://example.com/feeds/" }\nsources: []\n', 'x.yaml').server.baseUrl).toBe('https://example.com/feeds/');
    expect(problemsOf('server: { baseUrl: "not a url" }\nsources: []\n')).toEqual(['config/aggregator.yaml:1:20 server.baseUrl: Invalid URL']);
  });

  it('rejects configured categories that would be merged into one or dropped from every article', () => {
    const problems = problemsOf([
      'categories:',
      '  - { name: News }',
      '  - { name: news }',
      '  - { name: Other, slug: news }',
      '  - { name: 财经 }',
      '  - { name: Markets, aliases: [財經] }',
      '  - { name: All }',
      '  - { name: "!!!" }',
      'sources: []',
    ].join('\n'));
    const taken = 'names compare ignoring case, width and traditional/simplified Chinese; make it an alias there';
    expect(problems).toEqual([
      `config/aggregator.yaml:3:13 categories[1].name: "news" is already categories[0] ("News"): ${taken}`,
      'config/aggregator.yaml:4:26 categories[2].slug: slug "news" is already categories[0]\'s ("News")',
      `config/aggregator.yaml:6:32 categories[4].aliases[0]: "財經" is already categories[3] ("财经"): ${taken}`,
      'config/aggregator.yaml:7:13 categories[5].name: the slug "all" is the feed of every article; choose another name or slug',
      'config/aggregator.yaml:8:13 categories[6].name: "!!!" has no letter or digit to make a URL slug of; give it a slug',
    ]);
    // One entry with its own spellings as aliases is fine.
    expect(parseConfig('categories:\n  - { name: 财经, slug: finance, aliases: [財經, Finance] }\nsources: []\n', 'x.yaml').categories).toHaveLength(1);
  });

  it('rejects a misspelt seed folder time zone rather than reading every zone-less date as UTC', () => {
    const problems = problemsOf('seedFolder: { path: articles, timezone: Asia/Shangai }\nsources: []\n');
    expect(problems).toEqual(['config/aggregator.yaml:1:41 seedFolder.timezone: Unknown time zone (an IANA name such as UTC, Europe/Berlin or Asia/Shanghai)']);
    expect(parseConfig('seedFolder: { path: articles, timezone: Asia/Shanghai }\nsources: []\n', 'x.yaml').seedFolder?.timezone).toBe('Asia/Shanghai');
  });
});

describe('loadConfig', () => {
  it('names the file it cannot read', async () => {
    await expect(loadConfig('/nonexistent/aggregator.yaml')).rejects.toThrow('/nonexistent/aggregator.yaml: cannot read (ENOENT)');
  });

  it('loads the shipped default config', async () => {
    const config = await loadConfig('config/aggregator.yaml');
    expect(config.seedFolder?.path).toBe('storage/seed');
    expect(config.sources.length).toBeGreaterThan(0);
  });

  it('loads a file from disk', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'config-'));
    const file = path.join(dir, 'c.yaml');
    await writeFile(file, 'sources:\n  - { name: X, url: "http://127.0.0.1:9/feed" }\n');
    expect((await loadConfig(file)).sources[0]?.url).toBe('http://127.0.0.1:9/feed');
  });
});

describe('resolveConfigPath', () => {
  it('prefers --config, then AGGREGATOR_CONFIG, then the default', () => {
    expect(resolveConfigPath(['--config', 'a.yaml'], { AGGREGATOR_CONFIG: 'b.yaml' })).toBe('a.yaml');
    expect(resolveConfigPath(['--config=c.yaml'], {})).toBe('c.yaml');
    expect(resolveConfigPath([], { AGGREGATOR_CONFIG: 'b.yaml' })).toBe('b.yaml');
    expect(resolveConfigPath([], {})).toBe('config/aggregator.yaml');
  });
});

describe('seedFolder.maxFileBytes', () => {
  it('defaults to 2 MiB and stops there, beyond which one Markdown file exhausts the heap', () => {
    expect(parseConfig('seedFolder: { path: s }\nsources: []\n', 'x.yaml').seedFolder?.maxFileBytes).toBe(2 * 1024 * 1024);
    expect(parseConfig('seedFolder: { path: s, maxFileBytes: 65536 }\nsources: []\n', 'x.yaml').seedFolder?.maxFileBytes).toBe(65536);
    expect(() => parseConfig('seedFolder: { path: s, maxFileBytes: 8388608 }\nsources: []\n', 'x.yaml')).toThrow(/x\.yaml:1:\d+ seedFolder\.maxFileBytes: At most 2097152/);
  });
});
