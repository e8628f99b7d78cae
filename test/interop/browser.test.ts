// Headless Chromium (Debian `chromium`, driven by playwright-core) on the index and a preview page:
// subscribe links that lead to feeds, autodiscovery links, story pages with their sharing meta, screenshots
// kept as CI artifacts (test-results/*.png).
import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { serveCorpus, type Corpus } from '../fixtures/interop/corpus.js';

let corpus: Corpus;
let browser: Browser;

beforeAll(async () => {
  corpus = await serveCorpus();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await corpus?.close();
});

describe('in a browser', () => {
  it('shows the index with categories, autodiscovery links and subscribe links that lead to feeds', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const response = await page.goto(`${corpus.base}/`);
    expect(response?.status()).toBe(200);
    const alternates = await page.$$eval('link[rel="alternate"]', (links) => links.map((l) => [l.getAttribute('type'), l.getAttribute('href')]));
    expect(alternates).toContainEqual(['application/atom+xml', `${corpus.base}/feeds/all.atom`]);
    expect(alternates).toContainEqual(['application/rss+xml', `${corpus.base}/feeds/%E9%87%91%E8%9E%8D.rss`]);
    expect(await page.locator('link[rel="outline"]').getAttribute('href')).toBe(`${corpus.base}/feeds.opml`);
    const row = page.locator('tr', { hasText: '金融' }).first();
    await expect.poll(() => row.locator('td.num').textContent()).toBe('12');
    // The page fits a phone: no horizontal scrolling of the whole document.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390 + 1);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/index.png', fullPage: true });

    // Following the Atom subscribe link gets the feed itself.
    const href = await row.locator('a', { hasText: 'Atom' }).getAttribute('href');
    const feed = await context.request.get(href!);
    expect(feed.status()).toBe(200);
    expect(feed.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(await feed.text()).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    // The copy field holds the same URL.
    expect(await row.locator('input.copy').first().inputValue()).toBe(`${corpus.base}/feeds/%E9%87%91%E8%9E%8D.rss`);
    await context.close();
  }, 60_000);

  it('renders a category preview from the index link, with escaped titles and images', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${corpus.base}/`);
    await page.locator('tr a', { hasText: 'Tech & <Science>' }).first().click();
    expect(page.url()).toBe(`${corpus.base}/categories/tech`);
    expect(await page.locator('h1').textContent()).toBe('Tech & <Science>');
    const titles = await page.locator('article h2').allTextContents();
    expect(titles).toHaveLength(13);
    expect(titles).toContain('Chips ]]> markers 9 <not a tag> & more');
    expect(await page.locator('article code').first().textContent()).toBe('x < y');
    expect(await page.$$eval('link[rel="alternate"]', (l) => l.length)).toBe(3);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390 + 1);
    await page.screenshot({ path: 'test-results/preview.png', fullPage: true });
    await context.close();
  }, 60_000);

  it('opens a story page from a preview title, readable at phone width, with OpenGraph and Twitter meta', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${corpus.base}/categories/tech`);
    const first = page.locator('article h2 a').first();
    const title = await first.textContent();
    await first.click();
    expect(page.url()).toMatch(new RegExp(`^${corpus.base}/stories/[0-9a-f]{20}$`));
    expect(await page.locator('h1').textContent()).toBe(title);
    const og = await page.$$eval('meta[property^="og:"], meta[name^="twitter:"]', (metas) =>
      Object.fromEntries(metas.map((m) => [m.getAttribute('property') ?? m.getAttribute('name'), m.getAttribute('content')])));
    expect(og).toMatchObject({ 'og:type': 'article', 'og:title': title, 'og:url': page.url(), 'twitter:title': title });
    expect(og['og:description']).toBeTruthy();
    expect(og['twitter:card']).toMatch(/^summary/);
    // Its categories' feeds are discoverable, and each category links to its page.
    const alternates = await page.$$eval('link[rel="alternate"]', (links) => links.map((l) => l.getAttribute('href')));
    expect(alternates).toContain(`${corpus.base}/feeds/tech.atom`);
    expect(await page.locator('ul.cats a', { hasText: 'Tech & <Science>' }).getAttribute('href')).toBe(`${corpus.base}/categories/tech`);
    expect(await page.locator('.origins h2').textContent()).toMatch(/^(From 1 source|Merged from \d+ sources)$/);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390 + 1);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/story.png', fullPage: true });
    await context.close();
  }, 60_000);
});
