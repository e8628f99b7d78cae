// The index page on a phone (headless Chromium, 390 px wide): the categories table fits the screen, so
// every subscribe link shows whole, with category names of one long word (Кириллица) among them.
import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { article } from '../fixtures/publish/articles.js';
import type { Served } from '../server/serve.js';
import { browseStories } from '../support/browsed-stories.js';

let served: Served;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const categories = [
    { slug: 'cyrillic', name: 'Кириллица' },
    { slug: 'markets-rates', name: 'Markets & Rates' },
    { slug: 'podcasts', name: 'Podcasts' },
  ];
  ({ served, browser, close } = await browseStories(categories.map((c, i) =>
    article(`Story ${i} in ${c.name}`, `2024-12-2${i}T08:00:00Z`, [c], { contentHtml: '<p>Body.</p>' }))));
}, 60_000);
afterAll(() => close?.());

describe('the index page on a phone', () => {
  it('shows every subscribe link of the categories table on screen, none cut at its edge', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    expect((await page.goto(`${served.base}/`))?.status()).toBe(200);
    const links = await page.$$eval('tr[id^="category-"] a[type]', (as) => as.map((a) => [a.textContent, Math.ceil(a.getBoundingClientRect().right)] as const));
    expect(links.length).toBeGreaterThanOrEqual(4 * 3);
    const visibleRight = await page.$eval('.wrap', (wrap) => Math.ceil(wrap.getBoundingClientRect().right));
    for (const [label, right] of links) expect(right, label!).toBeLessThanOrEqual(visibleRight);
    expect(await page.$eval('.wrap', (wrap) => wrap.scrollWidth - wrap.clientWidth)).toBe(0);
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/index-phone.png', fullPage: true });
    await context.close();
  }, 60_000);
});
