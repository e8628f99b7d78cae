// The command line as a user runs it: exit codes (0 ok, 1 unusable database, 2 invalid config), the
// ingest summary, and the JSON shape `inspect` prints. Real child processes, real files, a real server.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempDir } from '../ops/harness.js';
import { rssFeed, runCli, serveRss, startHeldFeedServer, type HeldFeedServer } from './process-harness.js';

let feeds: HeldFeedServer;
let dir: string;

beforeAll(async () => {
  feeds = await startHeldFeedServer();
  feeds.setFeed('good', serveRss(rssFeed('good', 3)));
  feeds.setFeed('broken', (_req, res) => void res.writeHead(500).end('boom'));
  dir = await tempDir('cli');
});
afterAll(() => feeds.close());

async function writeYaml(name: string, config: object): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, stringify(config));
  return file;
}

const INVALID = 'schedule: nope\nsources:\n  - name: A\n    url: not a url\n';

describe('check-config', () => {
  it('exits 0 on a valid config and says what it holds', async () => {
    const file = await writeYaml('valid.yaml', { sources: [{ name: 'A', url: 'https://a.example/feed' }] });
    const run = await runCli(['check-config', '--config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${file}: valid (1 sources)`);
  });

  it('exits 2 listing every problem with file, line and column', async () => {
    const file = path.join(dir, 'invalid.yaml');
    await writeFile(file, INVALID);
    const run = await runCli(['check-config', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:\\d+ schedule: Invalid cron expression`));
    expect(run.stderr).toMatch(/:4:\d+ sources\[0\]\.url: Invalid URL/);
  });

  it('exits 2 for a saved-query category the search would refuse, naming the category', async () => {
    const file = await writeYaml('short-prefix.yaml', { sources: [], categories: [{ name: 'Shorts', query: 'q*' }] });
    const run = await runCli(['check-config', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Shorts');
    expect(run.stderr).toContain('the prefix q* is too short');
  });

  it('exits 0 and notes a source\'s or the seed folder\'s category that joins another by its slug alone', async () => {
    const file = await writeYaml('slug-join.yaml', {
      categories: [{ name: 'Finance' }],
      sources: [{ name: 'A', url: 'https://a.example/feed', categories: ['finance!', 'Tech News'] }],
      seedFolder: { path: dir, categories: ['finance', 'tech-news'] },
    });
    const run = await runCli(['check-config', '--config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((line) => line.includes('note:'))).toEqual([
      `${file}: note: sources[0].categories[0]: "finance!" joins category "Finance" (same slug finance); add it to that category's aliases to say so`,
      `${file}: note: seedFolder.categories[1]: "tech-news" joins category "Tech News" (same slug tech-news); add it to that category's aliases to say so`,
    ]);
    expect(run.stdout).toContain(`${file}: valid (1 sources, seed folder ${dir})`);
  });

  it('exits 2 for a config file that does not exist, naming it', async () => {
    const run = await runCli(['check-config', '--config', path.join(dir, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('missing.yaml');
  });
});

describe('ingest', () => {
  it('prints the summary: files read, articles added, files rejected and why, sources ok and failed; exit 0', async () => {
    const seed = path.join(dir, 'seed');
    await mkdir(path.join(seed, '金融'), { recursive: true });
    const article = (title: string) => `---\ntitle: '${title}'\ncategories:\n - 金融\ndate: 2022-04-27 08:43:25\n---\n<p>${title} body.</p>\n`;
    await writeFile(path.join(seed, '金融', 'one.md'), article('First seed story'));
    await writeFile(path.join(seed, '金融', 'two.md'), article('Second seed story'));
    await writeFile(path.join(seed, '金融', 'untitled.md'), '---\ncategories:\n - 金融\n---\n<p>No title at all.</p>\n');
    const file = await writeYaml('ingest.yaml', {
      storage: { database: path.join(dir, 'ingest.db') },
      seedFolder: { path: seed },
      sources: [
        { name: 'good', url: feeds.url('good'), categories: ['news'] },
        { name: 'broken', url: feeds.url('broken'), categories: ['news'] },
      ],
    });
    const run = await runCli(['ingest', '--config', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`seed folder ${seed}: 3 files seen, 3 read, 0 unchanged, 0 skipped (not articles)`);
    expect(run.stdout).toContain('  articles: 2 added, 0 merged into existing stories, 0 updated');
    expect(run.stdout).toContain('  rejected: 1 files');
    expect(run.stdout).toMatch(/ {4}金融\/untitled\.md: .*title/);
    expect(run.stdout).toContain('sources: 1 ok, 1 failed (details in the log and on the index page)');
    expect(run.stdout).toContain(`  broken: ${feeds.url('broken')}: HTTP 500 Internal Server Error`);

    // A second pass reads nothing again and adds nothing.
    const again = await runCli(['ingest', '--config', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('3 files seen, 0 read, 3 unchanged');
    expect(again.stdout).toContain('  articles: 0 added');
  });

  it('exits 2 on an invalid config, before touching anything', async () => {
    const file = path.join(dir, 'invalid-ingest.yaml');
    await writeFile(file, INVALID);
    const run = await runCli(['ingest', '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid cron expression');
  });

  it('exits 1 with the path and the reason when the database cannot be opened', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'a file where a folder should be');
    const database = path.join(blocker, 'aggregator.db');
    const file = await writeYaml('bad-db.yaml', { storage: { database }, sources: [] });
    const run = await runCli(['ingest', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot open database ${database}`);
  });
});

describe('inspect', () => {
  it('prints one JSON entry per input with the documented shape, without a database', async () => {
    const good = path.resolve('test/fixtures/feeds/rss2.xml');
    const bad = path.resolve('test/fixtures/seed/no-title.md');
    const run = await runCli(['inspect', good, bad, feeds.url('broken')]);
    expect(run.code, run.stderr).toBe(0);
    const entries = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(entries.map((entry) => entry.input)).toEqual([feeds.url('broken'), good, bad].sort());
    for (const entry of entries) expect(Object.keys(entry).sort()).toEqual(['articles', 'error', 'input', 'warnings']);
    const byInput = new Map(entries.map((entry) => [entry.input, entry]));
    const feed = byInput.get(good)! as { articles: Record<string, unknown>[]; error: unknown; warnings: unknown };
    expect(feed.error).toBeNull();
    expect(Array.isArray(feed.warnings)).toBe(true);
    expect(feed.articles.length).toBeGreaterThan(0);
    for (const article of feed.articles) {
      expect(Object.keys(article)).toEqual(expect.arrayContaining(
        ['title', 'link', 'guid', 'published', 'updated', 'author', 'categories', 'image', 'enclosures', 'summary', 'content', 'titleKey', 'firedRules']));
      expect(typeof article.title).toBe('string');
      expect(Array.isArray(article.categories) && Array.isArray(article.firedRules) && Array.isArray(article.enclosures)).toBe(true);
    }
    expect(byInput.get(bad)).toMatchObject({ articles: [], error: expect.stringMatching(/no-title\.md: no recoverable title/) });
    // (inspect refuses a loopback URL unless the config allows it: either way the error names the URL.)
    expect(byInput.get(feeds.url('broken'))).toMatchObject({ articles: [], error: expect.stringContaining(`${feeds.url('broken')}: `) });
  });

  it('exits 1 with usage when given no input', async () => {
    const run = await runCli(['inspect']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('usage: npm run inspect');
  });
});
