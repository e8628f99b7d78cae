import { describe, it, expect } from 'vitest';
import { renderIndexPage } from '../../src/publish/render-index-page.js';
import type { CategorySummary, SourceState } from '../../src/types.js';

const site = { baseUrl: 'https://feeds.example.org', title: 'News <&> views' };
const categories: CategorySummary[] = [
  { slug: '金融', name: '金融', count: 12, lastChanged: new Date('2025-01-03T00:00:00Z') },
  { slug: 'tech', name: 'Tech "quoted"', count: 0, lastChanged: null },
];
const all: CategorySummary = { slug: 'all', name: 'all', count: 12, lastChanged: new Date('2025-01-03T00:00:00Z') };
const source: SourceState = {
  name: 'Sina <finance>',
  url: 'https://finance.example.cn/rss?a=1&b=2',
  lastAttempt: new Date('2025-01-03T10:00:00Z'),
  lastSuccess: null,
  httpStatus: 500,
  lastError: 'HTTP 500 "<b>oops</b>"',
  consecutiveFailures: 4,
  nextRun: new Date('2025-01-03T11:00:00Z'),
  etag: null,
  lastModified: null,
  addedLastRun: 0,
  addedTotal: 0,
  discoveredUrl: null,
};
const seed: SourceState = { ...source, name: 'seed', url: 'storage/seed', httpStatus: null, lastError: null, consecutiveFailures: 0 };

describe('renderIndexPage', () => {
  const html = renderIndexPage({ site, all, categories, sources: [source, seed] });

  it('is a phone-friendly page without script', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<title>News &lt;&amp;&gt; views</title>');
    expect(html).not.toMatch(/<script/i);
  });

  it('has autodiscovery links for `all` in every format, for each category and for the OPML list', () => {
    for (const [type, ext] of [['application/rss+xml', 'rss'], ['application/atom+xml', 'atom'], ['application/feed+json', 'json']]) {
      expect(html).toContain(`<link rel="alternate" type="${type}" title="News &lt;&amp;&gt; views (`);
      expect(html).toContain(`href="https://feeds.example.org/feeds/all.${ext}">`);
      expect(html).toContain(`href="https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D.${ext}">`);
      expect(html).toContain(`href="https://feeds.example.org/feeds/tech.${ext}">`);
    }
    expect(html).toContain('<link rel="outline" type="text/x-opml" title="All categories (OPML)" href="https://feeds.example.org/feeds.opml">');
  });

  it('lists categories with counts and subscribe links, escaped', () => {
    expect(html).toContain(
      '<tr id="category-%E9%87%91%E8%9E%8D"><td><a href="https://feeds.example.org/categories/%E9%87%91%E8%9E%8D">金融</a></td><td class="num">12</td>',
    );
    expect(html).toContain('>Tech &quot;quoted&quot;</a></td><td class="num">0</td><td>—</td>');
    expect(html).toContain('<a href="https://feeds.example.org/feeds/tech.atom" type="application/atom+xml">Atom</a>');
    expect(html).toContain('<a href="https://feeds.example.org/categories/all">All articles</a></td><td class="num">12</td>');
  });

  it('offers each feed URL in a read-only field to copy, and a search form that works without script', () => {
    expect(html).toContain('<input class="copy" readonly value="https://feeds.example.org/feeds/tech.json"');
    expect(html).toMatch(/<form class="search" method="get" action="https:\/\/feeds\.example\.org\/search"[^>]*><input type="search" name="q"/);
  });

  it('shows each source state, escaping names and errors', () => {
    expect(html).toContain('<td>Sina &lt;finance&gt;</td>');
    expect(html).toContain('<a href="https://finance.example.cn/rss?a=1&amp;b=2">');
    expect(html).toContain('<time datetime="2025-01-03T10:00:00.000Z">2025-01-03 10:00 UTC</time>');
    expect(html).toContain('<td class="num">500</td><td class="err">HTTP 500 &quot;&lt;b&gt;oops&lt;/b&gt;&quot;</td><td class="num">4</td>');
    // A seed folder path is shown, not linked.
    expect(html).toContain('<td>seed</td><td class="url">storage/seed</td>');
  });

  it('does not repeat the source URL that an error message starts with', () => {
    const page = renderIndexPage({ site, all, categories, sources: [{ ...source, lastError: `${source.url}: host not found (finance.example.cn)` }] });
    expect(page).toContain('<td class="err">host not found (finance.example.cn)</td>');
  });
});
