// Seed articles a reader can open (issue #12), as a user runs it: a seed folder in the crawler's real shape
// (stock-photo placeholders, no links, one broken file, one story past retention) plus a feed holding a
// copy of one story, through `npm run ingest` and then the running service over real HTTP.
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { storyId } from '../../src/ingest/dedup.js';
import { startService, type RunningService } from '../../src/main.js';
import { SEED_TASK } from '../../src/scheduler/scheduler.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { serve, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { readItemsWithNewsboat } from '../support/newsboat.js';
import { tempDir, writeConfig } from '../ops/harness.js';
import { buildOnce } from '../support/build-once.js';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const POSTS = 'source/_posts';
const BROKEN = `${POSTS}/金融/新浪财经/坏文件 'broken.md`;
const PORT_STORY = `${POSTS}/金融/新浪财经/港口_智慧_升级.md`;
const OLD_STORY = `${POSTS}/金融/新浪财经/旧闻_二〇一〇年.md`;
const PLACEHOLDER = /picsum\.photos|source\.unsplash\.com|placehold\.co|via\.placeholder\.com/;
const ORIGIN_LINKS = ['https://wire.example.org/2022/05/port.html?id=7', 'https://wire.example.org/reports/2022/bond-yields'];

let dir: string;
let feeds: FixtureServer;
let service: RunningService;
let base: string;
let ingestOutput: string;

const get = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
};
const pageOf = (id: string): string => `${base}/stories/${id}`;

beforeAll(async () => {
  await buildOnce();
  dir = await tempDir('story-pages');
  await cp(path.join(repo, 'test/fixtures/stories-seed'), path.join(dir, 'seed'), { recursive: true });
  feeds = await startFixtureServer({
    '/wire.rss': serve(await readFile(path.join(repo, 'test/fixtures/stories-feed.rss')), 'application/rss+xml'),
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = {
    server: { host: '127.0.0.1', port, baseUrl: base },
    storage: { database: path.join(dir, 'aggregator.db') },
    seedFolder: { path: path.join(dir, 'seed') },
    retention: { maxAgeDays: 3650 },
    sources: [{ name: 'Harbour wire', url: feeds.url('/wire.rss'), categories: ['金融'], allowPrivateNetworks: true }],
    log: { level: 'warn' },
  };
  const configFile = path.join(dir, 'aggregator.yaml');
  await writeConfig(configFile, config);
  const { stdout } = await run('npm', ['run', '--silent', 'ingest', '--', '--config', configFile], { cwd: repo, env: { ...process.env, LOG_FORMAT: 'json' } });
  ingestOutput = stdout;
  service = await startService(configSchema.parse(config), pino({ level: 'silent' }));
  await service.firstIngest;
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

/** Every document a reader can reach: each category's three feeds and preview, the index, OPML, every story page. */
async function everyDocument(): Promise<Map<string, string>> {
  const slugs = ['all', ...(await service.store.listCategories()).map((c) => c.slug)];
  const urls = [`${base}/`, `${base}/feeds.opml`];
  for (const slug of slugs) {
    const encoded = encodeURIComponent(slug);
    urls.push(`${base}/feeds/${encoded}.rss`, `${base}/feeds/${encoded}.atom`, `${base}/feeds/${encoded}.json`, `${base}/categories/${encoded}`);
  }
  for (const story of await service.store.listCategoryStories('all', 100)) urls.push(pageOf(story.id));
  const out = new Map<string, string>();
  for (const url of urls) {
    const response = await get(url);
    expect(response.status, url).toBe(200);
    out.set(url, response.text);
  }
  return out;
}

describe('honest recovery', () => {
  it('names the recovered file and what was recovered in the ingest summary', () => {
    expect(ingestOutput).toContain('2 files recovered');
    expect(ingestOutput).toContain(`${BROKEN}: front matter recovered line by line (title, categories; date: file time) after a YAML error`);
  });

  it('names it in /api/sources and on the index page (the seed folder row)', async () => {
    const sources = JSON.parse((await get(`${base}/api/sources`)).text) as { name: string; seedFiles?: { recovered: number; rejected: number; recoveredFiles: { relPath: string }[] } }[];
    const seed = sources.find((s) => s.name === 'seed folder')!;
    expect(seed.seedFiles).toMatchObject({ recovered: 2, rejected: 0 });
    expect(seed.seedFiles!.recoveredFiles.map((f) => f.relPath)).toContain(BROKEN);
    const index = (await get(`${base}/`)).text;
    expect(index).toContain('2 files recovered');
    expect(index).toContain('坏文件 &#39;broken.md');
  });

  it('publishes the broken file under its title without the quote YAML never closed', async () => {
    const titles = (await service.store.listCategoryStories('all', 100)).map((s) => s.title);
    expect(titles).toContain('unterminated quote');
  });
});

describe('every item has a link', () => {
  it('in RSS, Atom and JSON Feed of every category: the origin link, else the story page', async () => {
    const stories = await service.store.listCategoryStories('all', 100);
    const pages = new Set(stories.map((s) => pageOf(s.id)));
    const slugs = ['all', ...(await service.store.listCategories()).map((c) => c.slug)];
    let items = 0;
    for (const slug of slugs) {
      for (const format of ['rss', 'atom'] as const) {
        const parsed = await parseWithFeedparser((await get(`${base}/feeds/${encodeURIComponent(slug)}.${format}`)).text);
        for (const entry of parsed.entries) {
          items++;
          expect(entry.link !== null && (pages.has(entry.link) || ORIGIN_LINKS.includes(entry.link)), `${slug}.${format}: ${entry.title} → ${entry.link}`).toBe(true);
        }
      }
      const json = JSON.parse((await get(`${base}/feeds/${encodeURIComponent(slug)}.json`)).text) as { items: { url?: string; external_url?: string }[] };
      for (const item of json.items) {
        items++;
        expect(pages.has(item.url ?? '')).toBe(true);
        if (item.external_url) expect(ORIGIN_LINKS).toContain(item.external_url);
      }
    }
    expect(items).toBeGreaterThan(20);
  });

  it('keeps guids and ids as story URNs, and offers the story page beside an origin link in Atom', async () => {
    const atom = (await get(`${base}/feeds/all.atom`)).text;
    const merged = (await service.store.listCategoryStories('all', 100)).find((s) => s.link === ORIGIN_LINKS[0])!;
    expect(atom).toContain(`<link rel="alternate" type="text/html" href="${ORIGIN_LINKS[0]}"/><link rel="related" type="text/html" href="${pageOf(merged.id)}"/>`);
    const rss = await parseWithFeedparser((await get(`${base}/feeds/all.rss`)).text);
    for (const entry of rss.entries) expect(entry.id).toMatch(/^urn:uuid:/);
  });

  it('newsboat opens each item of a category at its origin or its story page, and that page answers 200', async () => {
    const items = await readItemsWithNewsboat(`${base}/feeds/${encodeURIComponent('金融')}.rss`);
    expect(items.length).toBe(4);
    for (const { title, url } of items) {
      if (ORIGIN_LINKS.includes(url)) continue;
      expect(url, title).toMatch(new RegExp(`^${base}/stories/[0-9a-f]{20}$`));
      const page = await get(url);
      expect(page.status, url).toBe(200);
      expect(page.text).toContain('<h1>');
    }
  }, 60_000);
});

describe('story pages', () => {
  it('answer 200 with the title, the cleaned body, the categories and the merge record', async () => {
    const stories = await service.store.listCategoryStories('all', 100);
    expect(stories.length).toBe(6);
    for (const story of stories) {
      const page = await get(pageOf(story.id));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.text).toContain(`<meta property="og:title" content="${story.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}">`);
      expect(page.text).toContain(story.contentHtml);
      for (const category of story.categories) expect(page.text).toContain(`/categories/${encodeURIComponent(category.slug)}"`);
    }
    const merged = stories.find((s) => s.link === ORIGIN_LINKS[0])!;
    const page = (await get(pageOf(merged.id))).text;
    expect(page).toContain('Merged from 2 sources');
    expect(page).toContain(`<a href="${ORIGIN_LINKS[0]}" rel="noopener noreferrer">Harbour wire</a>`);
    // The feed copy's real picture leads, not the seed copy's stock photo.
    expect(merged.image).toBe('https://wire.example.org/img/port-crane.jpg');
    expect(page).toContain('<meta property="og:image" content="https://wire.example.org/img/port-crane.jpg">');
  });

  it('never shows a placeholder image: no feed, page, OPML or index mentions one', async () => {
    const documents = await everyDocument();
    expect(documents.size).toBeGreaterThan(30);
    for (const [url, text] of documents) expect(PLACEHOLDER.test(text), url).toBe(false);
  });

  it('are conditional (ETag, 304) and change with their story', async () => {
    const id = storyId({ sourceKey: 'seed', originId: `${POSTS}/金融/雪球/央行降准释放长期资金.md` });
    const first = await get(pageOf(id));
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    expect((await get(pageOf(id), { 'If-None-Match': etag })).status).toBe(304);
    const file = path.join(dir, 'seed', `${POSTS}/金融/雪球/央行降准释放长期资金.md`);
    await writeFile(file, (await readFile(file, 'utf8')).replace('</div>', '<p>市场人士预计后续还有降准空间。</p></div>'));
    await service.scheduler.refresh(SEED_TASK);
    const second = await get(pageOf(id), { 'If-None-Match': etag });
    expect(second.status).toBe(200);
    expect(second.text).toContain('市场人士预计后续还有降准空间。');
  });

  it('answer 410 Gone with a link to the index for a pruned story, and 404 for an unknown id', async () => {
    const gone = await get(pageOf(storyId({ sourceKey: 'seed', originId: OLD_STORY })));
    expect(gone.status).toBe(410);
    expect(gone.text).toContain(`<a href="${base}/">`);
    expect((await get(pageOf('0123456789abcdef0123'))).status).toBe(404);
  });

  it('are linked from the preview pages by their titles', async () => {
    const preview = (await get(`${base}/categories/all`)).text;
    const port = storyId({ sourceKey: 'seed', originId: PORT_STORY });
    expect(preview).toContain(`<h2><a href="${pageOf(port)}">`);
  });
});
