// fullText: a summary-only feed whose item links point at news pages (navigation, share bars, comments, related
// links, ads, the article) served by a fixture server that counts requests; real stores on both backends.
import { readFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { configSchema } from '../../src/config/schema.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { createIngestJobs } from '../../src/ingest-jobs.js';
import { runFeedSource, type FeedRunDeps } from '../../src/ingest/run-feed-source.js';
import { renderFeed } from '../../src/publish/render-feed.js';
import type { Store } from '../../src/store/store.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const PAGE = readFileSync(new URL('../fixtures/fulltext/news-page.html', import.meta.url), 'utf8');
const newsPage = (title: string) => PAGE.replaceAll('{{TITLE}}', title).replaceAll('{{LEAD}}', `LEAD-${title}.`);
const FURNITURE = ['NAVIGATION-AD', 'SHARE-BAR', 'RELATED-LINK', 'COMMENT-TEXT', 'INLINE-AD', 'FOOTER-TEXT', 'Subscribe', 'dataLayer'];
const PARAGRAPHS = ['ARTICLE-PARAGRAPH-2', 'ARTICLE-PARAGRAPH-3', 'ARTICLE-PARAGRAPH-4', 'ARTICLE-PARAGRAPH-5'];
const T0 = Date.parse('2024-05-01T06:00:00Z');

// Which pages fail, and how, is set per test; the server counts every request.
const broken = new Map<string, 'missing' | 'slow'>();
let items: { slug: string; updated?: string }[] = [];
/** The host name item links use (the feed is on 127.0.0.1). */
let pageHost = '127.0.0.1';
let server: FixtureServer;
const rss = () => `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Daily</title><link>${server.url('/')}</link>
${items.map(({ slug, updated }) => `<item><title>Story ${slug}</title><link>${server.url(`/news/${slug}`).replace('127.0.0.1', pageHost)}</link><guid>${slug}</guid>
<pubDate>Wed, 01 May 2024 05:00:00 GMT</pubDate>${updated ? `<atom:updated xmlns:atom="http://www.w3.org/2005/Atom">${updated}</atom:updated>` : ''}
<description>SUMMARY-${slug}: the first sentence only.</description></item>`).join('\n')}</channel></rss>`;

beforeAll(async () => {
  const routes: Parameters<typeof startFixtureServer>[0] = {
    '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss()),
    // A page mostly made of script (extracted: scripts go before the DOM is built), and one with too much markup.
    '/scripted': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(newsPage('scripted').replace('</head>', `<script>var state = "${'x'.repeat(2 << 20)}";</script></head>`)),
    '/huge': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(newsPage('huge').replace('</main>', `${'<div><p>related</p></div>'.repeat(50_000)}</main>`)),
    '/paywall': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><nav>Menu</nav><p>Subscribe to read the rest of this story.</p></body></html>'),
  };
  for (const slug of ['a', 'b', 'c', 'd', 'e', 'f']) {
    routes[`/news/${slug}`] = (req, res) => {
      if (broken.get(slug) === 'missing') return void res.writeHead(404).end('gone');
      if (broken.get(slug) === 'slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end(newsPage(slug)), 2_000);
      if (req.headers['if-none-match'] === `"${slug}-v1"`) return void res.writeHead(304, { etag: `"${slug}-v1"` }).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: `"${slug}-v1"` }).end(newsPage(slug));
    };
  }
  server = await startFixtureServer(routes);
});
afterAll(() => server.close());

const toLoopback = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
  opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as unknown as LookupFunction;

function setup(store: Store, now: { ms: number }): FeedRunDeps {
  return {
    store,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(now.ms),
    resolveCategories: createCategoryResolver([]),
    fetchOptions: { timeoutMs: 500, maxBytes: 8 << 20, userAgent: 't/1', lookup: toLoopback },
    nextRun: () => null,
    backoffCapMs: 6 * 3_600_000,
  };
}
const source = (fullText: SourceConfig['fullText'], url = server.url('/feed.xml')): SourceConfig => ({ name: 'harbour', url, categories: [], enabled: true, fullText });
const pageRequests = (slug: string) => server.requests.filter((r) => r === `GET /news/${slug}`).length;
const bodies = async (store: Store) => new Map((await store.listCategoryStories('all', 50)).map((story) => [story.title, story.contentHtml]));

describe.each(BACKENDS)('fullText on %s', (backend) => {
  const open = async () => openBackendStore(backend, createDedupPolicy(12 * 3600e3));

  it('publishes the article paragraphs and none of the page furniture, fetching each page once across three polls', async () => {
    broken.clear();
    items = [{ slug: 'a' }, { slug: 'b' }];
    const store = await open();
    const now = { ms: T0 };
    const before = { a: pageRequests('a'), b: pageRequests('b') };
    for (let poll = 0; poll < 3; poll++) {
      const run = await runFeedSource(source(true), setup(store, now));
      expect(run).toMatchObject({ ok: true, error: null, warnings: [] });
      now.ms += 15 * 60_000;
    }
    expect(pageRequests('a') - before.a).toBe(1);
    expect(pageRequests('b') - before.b).toBe(1);
    const stories = await store.listCategoryStories('all', 10);
    const feed = renderFeed('rss', { site: { baseUrl: 'https://feeds.example.org', title: 'T' }, category: { slug: 'all', name: 'all' }, stories, updatedFallback: new Date(T0) });
    // The article's paragraphs and its picture (made absolute against the page), in place of the summaries.
    for (const text of [...PARAGRAPHS, 'LEAD-a', 'LEAD-b', server.url('/images/terminal-crane.jpg')]) expect(feed).toContain(text);
    for (const text of FURNITURE) expect(feed).not.toContain(text);
    expect(feed).not.toContain('SUMMARY-a');
  });

  it('keeps the summary of a page that is missing or times out, warns, and retries it after the backoff', async () => {
    items = [{ slug: 'c' }, { slug: 'd' }];
    broken.set('c', 'missing');
    broken.set('d', 'slow');
    const store = await open();
    const now = { ms: T0 };
    const first = await runFeedSource(source(true), setup(store, now));
    expect(first.ok).toBe(true);
    expect(first.warnings).toEqual([
      `full text: ${server.url('/news/c')}: HTTP 404 Not Found; summary kept, next try after 2024-05-01T06:10:00.000Z`,
      `full text: ${server.url('/news/d')}: timed out after 500 ms; summary kept, next try after 2024-05-01T06:10:00.000Z`,
    ]);
    expect((await store.getSourceState('harbour'))?.lastError).toBe(first.warnings[0]);
    expect((await bodies(store)).get('Story c')).toContain('SUMMARY-c');
    expect((await bodies(store)).get('Story d')).toContain('SUMMARY-d');

    // Before the retry time: not asked again, still warned.
    const counts = { c: pageRequests('c'), d: pageRequests('d') };
    now.ms += 5 * 60_000;
    expect((await runFeedSource(source(true), setup(store, now))).warnings).toHaveLength(2);
    expect([pageRequests('c'), pageRequests('d')]).toEqual([counts.c, counts.d]);

    // After it, with the pages back: fetched, published in full, and the warning is gone.
    broken.clear();
    now.ms += 6 * 60_000;
    const healed = await runFeedSource(source(true), setup(store, now));
    expect(healed).toMatchObject({ ok: true, warnings: [] });
    expect([pageRequests('c'), pageRequests('d')]).toEqual([counts.c + 1, counts.d + 1]);
    const after = await bodies(store);
    for (const slug of ['c', 'd']) {
      expect(after.get(`Story ${slug}`)).toContain('ARTICLE-PARAGRAPH-5');
      expect(after.get(`Story ${slug}`)).not.toContain(`SUMMARY-${slug}`);
    }
    expect((await store.getSourceState('harbour'))?.lastError).toBeNull();
  });

  it('takes the configured selector, minus the remove list', async () => {
    broken.clear();
    items = [{ slug: 'e' }];
    const store = await open();
    const run = await runFeedSource(source({ selector: 'article .content', remove: ['.inline-ad', 'figure'], maxPages: 10, minLength: 200 }), setup(store, { ms: T0 }));
    expect(run.warnings).toEqual([]);
    const body = (await bodies(store)).get('Story e')!;
    for (const text of PARAGRAPHS) expect(body).toContain(text);
    // The byline and title are outside the selected element; the ad and the figure were removed.
    for (const text of [...FURNITURE, 'By Lin Wei', 'terminal-crane.jpg']) expect(body).not.toContain(text);
  });

  it('keeps the summary when the page holds too little text (a paywall), and says what the minimum is', async () => {
    broken.clear();
    items = [];
    const store = await open();
    const feed = `<rss version="2.0"><channel><title>P</title><item><title>Locked</title><link>${server.url('/paywall')}</link><description>SUMMARY-locked: the first sentence only.</description></item></channel></rss>`;
    const feedServer = await startFixtureServer({ '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed) });
    try {
      const run = await runFeedSource(source(true, feedServer.url('/feed.xml')), setup(store, { ms: T0 }));
      expect(run.warnings).toEqual([`full text: ${server.url('/paywall')}: extracted 46 characters (less than 200); summary kept`]);
      expect((await bodies(store)).get('Locked')).toContain('SUMMARY-locked');
    } finally {
      await feedServer.close();
    }
  });

  it('extracts a page made mostly of scripts, and keeps the summary of one with more markup than it parses (memory bound)', async () => {
    const store = await open();
    const item = (path: string, title: string) => `<item><title>${title}</title><link>${server.url(path)}</link><description>SUMMARY-${title}</description></item>`;
    const feed = `<rss version="2.0"><channel><title>P</title>${item('/scripted', 'Scripted')}${item('/huge', 'Huge')}</channel></rss>`;
    const feedServer = await startFixtureServer({ '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed) });
    try {
      const run = await runFeedSource(source(true, feedServer.url('/feed.xml')), setup(store, { ms: T0 }));
      expect(run.warnings).toEqual([expect.stringMatching(new RegExp(`^full text: ${server.url('/huge')}: page too large to extract \\(\\d+ characters of markup without scripts and styles; at most 1048576\\); summary kept$`))]);
      const all = await bodies(store);
      expect(all.get('Scripted')).toContain('ARTICLE-PARAGRAPH-5');
      expect(all.get('Huge')).toContain('SUMMARY-Huge');
    } finally {
      await feedServer.close();
    }
  });

  it('fetches a page again, conditionally, only when its item is updated', async () => {
    broken.clear();
    items = [{ slug: 'f' }];
    const store = await open();
    const now = { ms: T0 };
    await runFeedSource(source(true), setup(store, now));
    const asked = pageRequests('f');
    items = [{ slug: 'f', updated: '2024-05-01T07:00:00Z' }];
    now.ms += 2 * 3_600_000;
    await runFeedSource(source(true), setup(store, now));
    expect(pageRequests('f')).toBe(asked + 1);
    // The page answered 304: the stored extraction is still published.
    expect((await bodies(store)).get('Story f')).toContain('ARTICLE-PARAGRAPH-5');
  });

  it('fetches at most maxPages pages per run, the rest on the next runs', async () => {
    broken.clear();
    items = ['a', 'b', 'c', 'd', 'e'].map((slug) => ({ slug }));
    const store = await open();
    const now = { ms: T0 };
    const total = () => ['a', 'b', 'c', 'd', 'e'].reduce((sum, slug) => sum + pageRequests(slug), 0);
    const start = total();
    await runFeedSource(source({ remove: [], maxPages: 2, minLength: 200 }), setup(store, now));
    expect(total() - start).toBe(2);
    await runFeedSource(source({ remove: [], maxPages: 2, minLength: 200 }), setup(store, now));
    await runFeedSource(source({ remove: [], maxPages: 2, minLength: 200 }), setup(store, now));
    expect(total() - start).toBe(5);
    const all = await bodies(store);
    expect([...all.values()].every((body) => body.includes('ARTICLE-PARAGRAPH-5'))).toBe(true);
  });

  it('fetches no page for an article the source filter drops (filters see the feed text first)', async () => {
    broken.clear();
    items = [{ slug: 'a' }, { slug: 'b' }];
    const store = await open();
    const asked = { a: pageRequests('a'), b: pageRequests('b') };
    const run = await runFeedSource({ ...source(true), filter: { block: ['title:^Story b$'] } }, setup(store, { ms: T0 }));
    expect(run.ok).toBe(true);
    expect([pageRequests('a') - asked.a, pageRequests('b') - asked.b]).toEqual([1, 0]);
    expect([...(await bodies(store)).keys()]).toEqual(['Story a']);
  });

  it('sends item pages through the source network guard', async () => {
    broken.clear();
    items = [{ slug: 'a' }];
    const store = await open();
    const deps = setup(store, { ms: T0 });
    // The feed is on a public name; its item links (127.0.0.1) are private: refused, summary kept.
    const publicFeed = server.url('/feed.xml').replace('127.0.0.1', 'feeds.example.com');
    deps.fetchOptions = { ...deps.fetchOptions, addressPolicy: (address, hostname) => hostname !== 'feeds.example.com' && address === '127.0.0.1' };
    const asked = pageRequests('a');
    const run = await runFeedSource(source(true, publicFeed), deps);
    expect(run.ok).toBe(true);
    expect(run.warnings[0]).toMatch(/^full text: http:\/\/127\.0\.0\.1:\d+\/news\/a: refused: 127\.0\.0\.1 resolves to private address 127\.0\.0\.1; summary kept/);
    expect(pageRequests('a')).toBe(asked);
    expect((await bodies(store)).get('Story a')).toContain('SUMMARY-a');
  });

  it('waits for a slot on a page host other than the feed host while other workers hold them all (fetch.perHost)', async () => {
    broken.clear();
    items = [{ slug: 'a' }];
    pageHost = 'localhost';
    try {
      const store = await open();
      const config = configSchema.parse({ fetch: { perHost: 1 }, sources: [{ name: 'harbour', url: server.url('/feed.xml'), fullText: true }] });
      const jobs = createIngestJobs(config, store, pino({ level: 'silent' }));
      // Another worker is fetching from the page host: its one slot is taken.
      expect(await store.claimRun({ name: 'elsewhere', host: 'localhost', perHost: 1, owner: 'other worker', leaseMs: 60_000, due: 'always' })).toMatchObject({ claimed: true });
      const asked = pageRequests('a');
      expect(await jobs.runSource(config.sources[0]!)).toMatchObject({ ok: true, warnings: [] });
      expect(pageRequests('a')).toBe(asked);
      expect((await bodies(store)).get('Story a')).toContain('SUMMARY-a');
      // Once it is free, the next run fetches the page and leaves no lease behind.
      await store.releaseRun('elsewhere', 'other worker');
      await jobs.runSource(config.sources[0]!);
      expect(pageRequests('a')).toBe(asked + 1);
      expect((await bodies(store)).get('Story a')).toContain('ARTICLE-PARAGRAPH-5');
      expect(await store.listRunLeases()).toEqual([]);
    } finally {
      pageHost = '127.0.0.1';
    }
  });
});
