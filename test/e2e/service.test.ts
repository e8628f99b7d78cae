// The whole service as a user runs it: a seed folder and a real HTTP feed in, feeds out over real HTTP,
// read back by independent readers (feedparser, newsboat) and checked against the Atom schema.
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { RunningService } from '../../src/main.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { startQuietService } from '../support/quiet-service.js';
import { readWithNewsboat } from '../support/newsboat.js';
import { validateAtom } from '../support/validate-atom.js';

const fixtures = path.resolve('test/fixtures/e2e');
let feeds: FixtureServer;
let service: RunningService;
let base: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'e2e-'));
  await mkdir(path.join(dir, 'seed', '金融'), { recursive: true });
  await copyFile(path.join(fixtures, 'seed-story.md'), path.join(dir, 'seed', '金融', '港口 智慧 升级.md'));
  feeds = await startFixtureServer({
    '/finance.rss': serve(await readFile(path.join(fixtures, 'finance.rss')), 'application/rss+xml'),
    '/broken.rss': serve('<rss><channel><item><title>unclosed', 'application/rss+xml'),
  });
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    seedFolder: { path: path.join(dir, 'seed') },
    categories: [{ name: '金融', slug: 'finance', aliases: ['财经'] }],
    sources: [
      { name: 'Port wire', url: feeds.url('/finance.rss'), categories: ['金融', '港口'] },
      { name: 'Broken', url: feeds.url('/broken.rss'), categories: ['金融'] },
      { name: 'Missing', url: feeds.url('/missing.rss'), categories: ['金融'] },
    ],
  });
  ({ service, base } = await startQuietService(config));
});

afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

describe('the service end to end', () => {
  it('merges the seed article and the feed copy of one story, and keeps the later one apart', async () => {
    const response = await fetch(`${base}/feeds/finance.rss`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const parsed = await parseWithFeedparser(await response.text());
    expect(parsed.bozo).toBe(0);
    const titles = parsed.entries.map((entry) => entry.title);
    expect(titles).toEqual(['港口“智慧”升级背后的绿色金融力量', 'Quarterly bond market review', '港口“智慧”升级背后的绿色金融力量']);
    const merged = parsed.entries[2]!;
    expect(merged.tags.sort()).toEqual(['新浪财经', '港口', '金融'].sort());
    expect(merged.content).toContain('三成');
    expect(merged.content).not.toContain('<script');
    expect(merged.published).toBe('Thu, 12 May 2022 02:10:00 GMT');
  });

  it('publishes per-category feeds that pass the Atom schema', async () => {
    for (const slug of ['finance', encodeURIComponent('新浪财经'), 'all']) {
      const response = await fetch(`${base}/feeds/${slug}.atom`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
      const body = await response.text();
      expect(await validateAtom(body)).toEqual([]);
      expect((await parseWithFeedparser(body)).bozo).toBe(0);
    }
    const sina = await parseWithFeedparser(await (await fetch(`${base}/feeds/${encodeURIComponent('新浪财经')}.atom`)).text());
    expect(sina.entries.map((entry) => entry.title)).toEqual(['港口“智慧”升级背后的绿色金融力量']);
  });

  it('drops the ad block, editor line, scripts and tracking pixels from what it publishes', async () => {
    const body = await (await fetch(`${base}/feeds/all.json`)).text();
    const json = JSON.parse(body) as { items: { content_html: string; title: string }[] };
    expect(json.items).toHaveLength(3);
    for (const fragment of ['appendQr', '海量资讯', '责任编辑', '<script', 'pixel.example.org', 'style=']) {
      expect(body).not.toContain(fragment);
    }
    expect(body).toContain('https://news.example.org/img/chart.png');
  });

  it('answers conditional requests with 304', async () => {
    const first = await fetch(`${base}/feeds/finance.atom`);
    const etag = first.headers.get('etag');
    const lastModified = first.headers.get('last-modified');
    expect(etag).toMatch(/^"/);
    expect(lastModified).toBeTruthy();
    expect((await fetch(`${base}/feeds/finance.atom`, { headers: { 'if-none-match': etag! } })).status).toBe(304);
    expect((await fetch(`${base}/feeds/finance.atom`, { headers: { 'if-modified-since': lastModified! } })).status).toBe(304);
    expect((await fetch(`${base}/feeds/finance.atom`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('shows failing sources on the index page, by name and with the error', async () => {
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('Broken');
    expect(page).toContain('HTTP 404');
    expect(page).toContain('Port wire');
    const sources = (await (await fetch(`${base}/api/sources`)).json()) as { name: string; consecutiveFailures: number; lastError: string | null }[];
    const byName = new Map(sources.map((source) => [source.name, source]));
    expect(byName.get('Port wire')?.consecutiveFailures).toBe(0);
    expect(byName.get('Broken')?.consecutiveFailures).toBe(1);
    expect(byName.get('Missing')?.lastError).toContain('404');
  });

  it('is read by newsboat through the OPML list, with the right item counts', async () => {
    const opml = await (await fetch(`${base}/feeds.opml`)).text();
    // The OPML names the public baseUrl; point newsboat at this test server instead.
    const local = opml.replaceAll('http://feeds.example.net', base);
    const result = await readWithNewsboat(local);
    expect(result.errors).toEqual([]);
    expect(result.imported).toHaveLength(3);
    expect(result.itemsByFeed.get(`${base}/feeds/finance.rss`)).toBe(3);
    expect(result.itemsByFeed.get(`${base}/feeds/${encodeURIComponent('港口')}.rss`)).toBe(3);
    expect(result.itemsByFeed.get(`${base}/feeds/${encodeURIComponent('新浪财经')}.rss`)).toBe(1);
  });

  it('answers /healthz', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
