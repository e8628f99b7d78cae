// Archived feeds (RFC 5005) walked back to the first story, word search in Chinese and English,
// saved-search categories and category previews, over real HTTP.
import { afterEach, describe, it, expect } from 'vitest';
import { fixedFeedPolicy } from '../../src/publish/feed-policy.js';
import { checkAtomRules } from '../support/atom-rules.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { validateAtom } from '../support/validate-atom.js';
import { validateJsonFeed } from '../support/validate-json-feed.js';
import { validateRss } from '../support/validate-rss.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { BACKENDS, freshDatabase, type Backend } from '../support/store-backends.js';
import { rawRequest, serveStore, type Served } from './serve.js';

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

const SHENZHEN = { slug: '深圳', name: '深圳' };

async function start(count = 120, backend: Backend = 'sqlite') {
  const { store } = await openTestStore('2025-01-01T00:00:00Z', await freshDatabase(backend));
  running.push(store);
  const day = 86_400_000;
  const articles = Array.from({ length: count }, (_, i) =>
    article(`Tech note ${String(i).padStart(3, '0')}`, new Date(Date.UTC(2024, 0, 1) + i * day / 4).toISOString(), [TECH]),
  );
  articles.push(
    article('为实体经济提质增效 深圳速度背后的金融科技力量', '2024-12-30T08:00:00Z', [FINANCE], { contentHtml: '<p>前海 <b>金融</b> 创新</p>' }),
    article('深圳港口升级', '2024-12-29T08:00:00Z', [FINANCE], { contentHtml: '<p>港口 &amp; 物流</p>' }),
    article('Bond markets rally', '2024-12-28T08:00:00Z', [FINANCE], { contentHtml: '<p>Investors cheered the <em>Shenzhen</em> listing.</p>' }),
  );
  await store.storeRun({ sourceKey: 'source:Example', articles });
  await store.declareCategories([SHENZHEN]);
  const policy = fixedFeedPolicy(15, { savedQueries: new Map([[SHENZHEN.slug, '深圳']]) });
  const served = await serveStore(store, { policy });
  running.push(served);
  return served;
}

async function getText(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

describe('archived feeds (RFC 5005)', () => {
  it('walks from the current feed back through every page to the oldest story', async () => {
    const { base } = await start();
    const seen = new Set<string>();
    let url: string | undefined = `${base}/feeds/tech.atom`;
    const pages: string[] = [];
    while (url) {
      const { status, text } = await getText(url);
      expect(status, url).toBe(200);
      expect(await validateAtom(text)).toEqual([]);
      expect(checkAtomRules(text)).toEqual([]);
      const parsed = await parseWithFeedparser(text);
      expect(parsed.bozo).toBe(0);
      for (const e of parsed.entries) seen.add(e.title!);
      pages.push(url.slice(base.length));
      url = parsed.feed.links.find((l) => l.rel === 'prev-archive')?.href;
    }
    expect(pages).toEqual(['/feeds/tech.atom', '/feeds/tech/archive/3.atom', '/feeds/tech/archive/2.atom', '/feeds/tech/archive/1.atom']);
    expect(seen.size).toBe(120);
  });

  it('serves full pages as immutable and oldest first, the partial last page with the feed policy', async () => {
    const { base } = await start();
    const first = await getText(`${base}/feeds/tech/archive/1.rss`);
    expect(first.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await validateRss(first.text)).toEqual([]);
    const parsed = await parseWithFeedparser(first.text);
    expect(parsed.entries).toHaveLength(50);
    expect(parsed.entries.at(-1)!.title).toBe('Tech note 000');
    expect(parsed.entries[0]!.title).toBe('Tech note 049');
    expect(first.text).toContain('<fh:archive/>');
    expect(first.text).toContain(`<atom:link href="${base}/feeds/tech.rss" rel="current" type="application/rss+xml"/>`);
    expect(first.text).toContain(`<atom:link href="${base}/feeds/tech/archive/2.rss" rel="next-archive"`);
    expect(first.text).toContain(`<atom:link href="${base}/feeds/tech/archive/1.rss" rel="self"`);
    const last = await getText(`${base}/feeds/tech/archive/3.atom`);
    expect(last.headers.get('cache-control')).toBe('public, max-age=900');
    expect((await parseWithFeedparser(last.text)).entries).toHaveLength(20);
    expect(last.text).not.toContain('rel="next-archive"');
  });

  it('answers 404 for pages that do not exist', async () => {
    const { base } = await start();
    for (const path of ['/feeds/tech/archive/4.atom', '/feeds/tech/archive/0.atom', '/feeds/tech/archive/1.json', '/feeds/nope/archive/1.atom']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
  });
});

describe.each(BACKENDS)('search on %s', (backend) => {
  it('finds Chinese text in titles and bodies, two-character queries included', async () => {
    const { base } = await start(120, backend);
    const q = (query: string, format = 'atom') => getText(`${base}/feeds/search.${format}?q=${encodeURIComponent(query)}`);
    const titles = async (query: string) => (await parseWithFeedparser((await q(query)).text)).entries.map((e) => e.title);
    expect(await titles('深圳')).toEqual(['为实体经济提质增效 深圳速度背后的金融科技力量', '深圳港口升级']);
    expect(await titles('金融科技')).toEqual(['为实体经济提质增效 深圳速度背后的金融科技力量']);
    expect(await titles('港口 物流')).toEqual(['深圳港口升级']);
    // Words, not substrings: 前海 and 金融 both occur in one story's body; 前海 and 物流 in none.
    expect(await titles('前海金融')).toEqual(['为实体经济提质增效 深圳速度背后的金融科技力量']);
    expect(await titles('前海物流')).toEqual([]);
    const atom = await q('深圳');
    expect(await validateAtom(atom.text)).toEqual([]);
    expect(atom.text).toContain(`<link rel="self" href="${base}/feeds/search.atom?q=%E6%B7%B1%E5%9C%B3"/>`);
  });

  it('finds English words case-insensitively in bodies, in every format', async () => {
    const { base } = await start(120, backend);
    const json = await getText(`${base}/feeds/search.json?q=shenzhen`);
    expect(validateJsonFeed(json.text)).toEqual([]);
    expect(JSON.parse(json.text).items.map((i: { title: string }) => i.title)).toEqual(['Bond markets rally']);
    const rss = await getText(`${base}/feeds/search.rss?q=TECH%20NOTE%20119`);
    expect(await validateRss(rss.text)).toEqual([]);
    expect((await parseWithFeedparser(rss.text)).entries.map((e) => e.title)).toEqual(['Tech note 119']);
    expect(rss.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('rejects an empty or overlong query with a message', async () => {
    const { base } = await start(120, backend);
    const empty = await getText(`${base}/feeds/search.atom?q=%20`);
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/^Bad query/);
    expect((await fetch(`${base}/feeds/search.atom?q=${'x'.repeat(201)}`)).status).toBe(400);
  });

  it('publishes a saved query as a category, counted on the index page and listed in OPML', async () => {
    const { base } = await start(120, backend);
    const feed = await getText(`${base}/feeds/${encodeURIComponent('深圳')}.rss`);
    expect(feed.status).toBe(200);
    expect((await parseWithFeedparser(feed.text)).entries.map((e) => e.title)).toEqual([
      '为实体经济提质增效 深圳速度背后的金融科技力量',
      '深圳港口升级',
    ]);
    const index = await getText(`${base}/`);
    expect(index.text).toMatch(/>深圳<\/a><\/td><td class="num">2<\/td>/);
    expect((await getText(`${base}/feeds.opml`)).text).toContain(`xmlUrl="${base}/feeds/%E6%B7%B1%E5%9C%B3.rss"`);
  });
});

describe('category preview', () => {
  it('shows the cleaned articles with escaped titles and autodiscovery links', async () => {
    const { base } = await start();
    const page = await getText(`${base}/categories/${encodeURIComponent('金融')}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page.text).toContain('<div class="body"><p>港口 &amp; 物流</p></div>');
    expect(page.text).toContain(`<link rel="alternate" type="application/atom+xml" title="金融 (Atom)" href="${base}/feeds/%E9%87%91%E8%9E%8D.atom">`);
    expect(page.text).not.toContain('<script');
    expect((await fetch(`${base}/categories/nope`)).status).toBe(404);
  });
});
