// The search page in headless Chromium (Debian `chromium`, playwright-core): the index page's form
// leads to /search, results link to story pages with marked snippets, subscribe links lead to the
// search feeds, autodiscovery is present; a screenshot is kept as a CI artifact.
import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE, TECH, article } from '../fixtures/publish/articles.js';
import type { Served } from '../server/serve.js';
import { browseStories } from '../support/browsed-stories.js';

let served: Served;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ served, browser, close } = await browseStories([
    article('为实体经济提质增效 深圳速度背后的金融科技力量', '2024-12-30T08:00:00Z', [FINANCE], {
      contentHtml: '<p>前海的金融科技企业在过去一年里快速成长，深圳速度再次引人注目。</p>',
    }),
    article('Bitcoin ETF <approved> & traded', '2024-12-29T08:00:00Z', [FINANCE, TECH], {
      contentHtml: '<p>The first spot Bitcoin ETF traded on Thursday; volumes beat forecasts.</p>',
    }),
    article('Weather report', '2024-12-28T08:00:00Z', [TECH], { contentHtml: '<p>Rain in Shenzhen.</p>' }),
  ]));
}, 60_000);
afterAll(() => close?.());

describe('the search page in a browser', () => {
  it('searches from the index page form and shows ranked, linked, highlighted results', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${served.base}/`);
    await page.locator('form.search input[type=search]').fill('深圳速度');
    await page.locator('form.search button').click();
    await page.waitForURL(/\/search\?q=/);
    expect(new URL(page.url()).searchParams.get('q')).toBe('深圳速度');
    expect(await page.locator('h1').textContent()).toBe('Search “深圳速度”');

    const results = page.locator('article');
    expect(await results.count()).toBe(1);
    const link = results.first().locator('h2 a');
    expect(await link.textContent()).toBe('为实体经济提质增效 深圳速度背后的金融科技力量');
    const href = await link.getAttribute('href');
    expect(href).toMatch(new RegExp(`^${served.base}/stories/[0-9a-f]{20}$`));
    expect(await results.first().locator('mark').allTextContents()).toEqual(['深圳', '速度']);
    expect(await results.first().locator('time').getAttribute('datetime')).toBe('2024-12-30T08:00:00.000Z');
    expect(await results.first().locator('.meta a').allTextContents()).toEqual([FINANCE.name]);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390 + 1);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/search.png', fullPage: true });
    await context.close();
  }, 60_000);

  it('escapes titles, offers subscribe links and autodiscovery that lead to the search feeds', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const response = await page.goto(`${served.base}/search?q=${encodeURIComponent('bitcoin -weather')}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.locator('article h2 a').allTextContents()).toEqual(['Bitcoin ETF <approved> & traded']);
    expect(await page.locator('article mark').allTextContents()).toEqual(['Bitcoin']);
    const alternates = await page.$$eval('link[rel="alternate"]', (links) => links.map((l) => [l.getAttribute('type'), l.getAttribute('href')]));
    const feed = `${served.base}/feeds/search`;
    expect(alternates).toEqual([
      ['application/rss+xml', `${feed}.rss?q=bitcoin%20-weather`],
      ['application/atom+xml', `${feed}.atom?q=bitcoin%20-weather`],
      ['application/feed+json', `${feed}.json?q=bitcoin%20-weather`],
    ]);
    const atomHref = await page.locator('p.count a', { hasText: 'Atom' }).getAttribute('href');
    const atom = await context.request.get(atomHref!);
    expect(atom.status()).toBe(200);
    expect(atom.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
    const text = await atom.text();
    expect(text.match(/<entry>/g)).toHaveLength(1);
    expect(text).toContain('Bitcoin ETF');
    await context.close();
  }, 60_000);

  it('shows the empty form without a query, "no stories" for a miss, and 400 for an overlong query', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    expect((await page.goto(`${served.base}/search`))?.status()).toBe(200);
    expect(await page.locator('article').count()).toBe(0);
    expect(await page.locator('form.search input[name=q]').inputValue()).toBe('');
    await page.goto(`${served.base}/search?q=nothingmatchesthis`);
    expect(await page.locator('p', { hasText: 'No stories match.' }).count()).toBe(1);
    expect((await page.goto(`${served.base}/search?q=${'x'.repeat(201)}`))?.status()).toBe(400);
    expect(await page.locator('p.error').allTextContents()).toEqual(['Bad query: a search has at most 200 characters']);
    await context.close();
  }, 60_000);

  it('answers a query it cannot run with the search page: the message, and the form holding the query to edit', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${served.base}/`);
    await page.locator('form.search input[type=search]').fill('深圳 a*');
    const [response] = await Promise.all([page.waitForResponse(/\/search\?q=/), page.locator('form.search button').click()]);
    expect(response.status()).toBe(400);
    expect(response.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await page.title()).toBe('Search “深圳 a*” — Test feeds');
    expect(await page.locator('p.error').textContent()).toBe('Bad search query (the prefix a* is too short): a prefix needs at least 2 characters before the *');
    expect(await page.locator('form.search input[name=q]').inputValue()).toBe('深圳 a*');
    // Nothing to subscribe to: no feed links for a query that cannot run.
    expect(await page.locator('link[rel=alternate]').count()).toBe(0);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390 + 1);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/search-bad-query.png', fullPage: true });
    await context.close();
  }, 60_000);
});
