// Issue 15 finding 7: plain-text fields of RSS items (title, dc:creator, category) carry no markup,
// read back with two independent readers: Python feedparser and newsboat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRss } from '../../src/publish/render-feed.js';
import type { Story } from '../../src/types.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { readItemsWithNewsboat } from '../support/newsboat.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';

// Plain text that looks like markup: what a front matter `&lt;script&gt;…` title decodes to.
const VECTORS = [
  { title: '<script>alert(1)</script>', author: '<img src=x onerror=alert(1)>', category: '<b>bold</b>' },
  { title: 'A <b>bold</b> claim & "quotes"', author: 'Tom & <i>Jerry</i>', category: 'R&D <svg onload=alert(1)>' },
  { title: ']]><script>alert(2)</script>', author: '</dc:creator><x>', category: '</category>' },
];

const stories: Story[] = VECTORS.map((v, i) => ({
  id: `v${i}`, title: v.title, link: `https://news.example.com/${i}`, links: [`https://news.example.com/${i}`],
  published: new Date(Date.UTC(2025, 0, 10 - i)), updated: new Date(Date.UTC(2025, 0, 10 - i)),
  author: v.author, categories: [{ slug: `c${i}`, name: v.category }], image: null, contentHtml: '<p>Body.</p>', summary: 'Body.',
}));
const xml = renderRss({ site: { baseUrl: 'https://feeds.example.org', title: 'Vectors' }, category: { slug: 'all', name: 'All' }, stories, updatedFallback: new Date(Date.UTC(2025, 0, 10)) });

/** HTML text as a browser shows it (enough for these vectors: the five entities). */
const shown = (html: string): string => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
const TAG = /<[a-z/!]/i;

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ '/vectors.rss': serve(xml, 'application/rss+xml; charset=utf-8') });
});
afterAll(() => server.close());

describe('RSS plain-text fields', () => {
  it('hold no markup inside CDATA or as text', () => {
    for (const element of ['title', 'dc:creator', 'category']) {
      for (const [, inner] of xml.matchAll(new RegExp(`<${element}>(.*?)</${element}>`, 'gs'))) {
        const value = inner!.replace(/^<!\[CDATA\[|\]\]>$/g, '').replaceAll(']]]]><![CDATA[>', ']]>');
        expect(value, `${element}: ${inner}`).not.toMatch(/<[a-z/!]/i);
      }
    }
  });

  it('read in feedparser as HTML text that shows the original characters, no tag in it', async () => {
    const parsed = await parseWithFeedparser(xml);
    expect(parsed.bozo).toBe(0);
    expect(parsed.entries).toHaveLength(VECTORS.length);
    parsed.entries.forEach((entry, i) => {
      for (const value of [entry.title!, entry.author!, entry.tags[0]!]) expect(value).not.toMatch(TAG);
      expect(shown(entry.title!)).toBe(VECTORS[i]!.title);
      expect(shown(entry.author!)).toBe(VECTORS[i]!.author);
      expect(shown(entry.tags[0]!)).toBe(VECTORS[i]!.category);
    });
  });

  it('read in newsboat without a tag in titles or authors', async () => {
    const items = await readItemsWithNewsboat(server.url('/vectors.rss'));
    expect(items).toHaveLength(VECTORS.length);
    items.forEach((item, i) => {
      expect(item.title).not.toMatch(TAG);
      expect(item.author).not.toMatch(TAG);
      expect(shown(item.title)).toBe(VECTORS[i]!.title);
    });
  });
});
