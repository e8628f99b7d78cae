// Story bodies in headless Chromium (story page and preview): an anchor the sanitizer left without an href (a relative
// link in a seed file has nothing to resolve against) is plain text, not blue text that does nothing; the
// body's own headings stay smaller than the story's title.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINANCE, article } from '../fixtures/publish/articles.js';
import type { Served } from '../server/serve.js';
import { browseStories } from '../support/browsed-stories.js';

let served: Served;
let browser: Browser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ served, browser, close } = await browseStories([
    article('深圳速度背后的金融科技力量', '2024-12-30T08:00:00Z', [FINANCE], {
      link: null,
      contentHtml: '<h1>深圳速度背后</h1><h2>A section</h2><p>See <a rel="noopener noreferrer">the statement</a> and <a href="https://www.example.org/a" rel="noopener noreferrer">the archive</a>.</p>',
    }),
  ]));
}, 60_000);
afterAll(() => close?.());

const colorOf = (page: import('playwright-core').Page, selector: string) => page.$eval(selector, (el) => el.ownerDocument.defaultView!.getComputedStyle(el).color);

describe('links in a story body', () => {
  it('show an anchor without href as the text around it, and a real link as a link, on the story page and the preview', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    for (const path of ['/categories/%E9%87%91%E8%9E%8D', '/stories/']) {
      if (path === '/stories/') await page.locator('article h2 a').first().click();
      else await page.goto(`${served.base}${path}`);
      const text = await colorOf(page, '.body p');
      expect(await colorOf(page, '.body a:not([href])'), page.url()).toBe(text);
      expect(await colorOf(page, '.body a[href]'), page.url()).toBe('rgb(5, 80, 174)');
    }
    await context.close();
  }, 60_000);

  it("keeps the body's own headings smaller than the story's title, on the preview and the story page", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const size = (selector: string) => page.$eval(selector, (el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize));
    await page.goto(`${served.base}/categories/%E9%87%91%E8%9E%8D`);
    for (const title of ['article h2', 'h1']) {
      expect(await size('.body h1'), page.url()).toBeLessThan(await size(title));
      expect(await size('.body h2'), page.url()).toBeLessThan(await size(title));
      if (title === 'article h2') await page.locator('article h2 a').first().click();
    }
    await context.close();
  }, 60_000);

  it('answers a stale story or category link with a 404 page that has a title and leads to the index', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    for (const [path, heading] of [['/stories/0123456789abcdef0123', 'No story at this address'], ['/categories/no-such-thing', 'No such category']] as const) {
      const response = await page.goto(`${served.base}${path}`);
      expect(response?.status(), path).toBe(404);
      expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(await page.title()).toBe(`${heading} — Test feeds`);
      await page.locator('a', { hasText: 'Go to the index' }).click();
      expect(page.url()).toBe(`${served.base}/`);
    }
    await context.close();
  }, 60_000);
});
