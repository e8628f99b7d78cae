// A query parameter given twice (`?q=a&q=b`: a form with a hidden field of the same name, a link built by appending)
// is answered 400 with a message naming the parameter, on the search page, the search feeds and `?limit=` feeds,
// instead of a message about something else (the query's length, the limit's digits) or one value picked silently.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { tempDir } from '../ops/harness.js';
import { serveStore, type Served } from './serve.js';

let served: Served;
beforeAll(async () => {
  const { store } = await openTestStore('2025-01-01T00:00:00Z', path.join(await tempDir('repeated-query'), 'aggregator.db'));
  await store.storeRun({ sourceKey: 'source:Example', articles: [article('New chips', '2024-12-31T08:00:00Z', [TECH])] });
  served = await serveStore(store);
});
afterAll(() => served?.close());

async function get(route: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${served.base}${route}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('a query parameter given more than once', () => {
  it('is refused by the search feeds with a message naming q', async () => {
    for (const format of ['rss', 'atom', 'json']) {
      expect(await get(`/feeds/search.${format}?q=chips&q=rates`)).toMatchObject({ status: 400, text: 'Bad query: q was given 2 times; give ?q= once\n' });
    }
    expect((await get('/feeds/search.rss?q=chips')).status).toBe(200);
  });

  it('is refused by the search page, the page holding the first query to edit', async () => {
    const page = await get('/search?q=chips&q=rates&q=x');
    expect(page).toMatchObject({ status: 400, type: expect.stringContaining('text/html') });
    expect(page.text).toContain('Bad query: q was given 3 times; give ?q= once');
    expect(page.text).toMatch(/<input[^>]*value="chips"/);
    expect((await get('/search?q=chips')).status).toBe(200);
  });

  it('is refused for ?limit= on any feed with a message naming limit', async () => {
    expect(await get('/feeds/tech.rss?limit=5&limit=10')).toMatchObject({ status: 400, text: 'Bad limit: limit was given 2 times; give ?limit= once\n' });
    expect(await get('/feeds/search.json?q=chips&limit=1&limit=2')).toMatchObject({ status: 400, text: 'Bad limit: limit was given 2 times; give ?limit= once\n' });
    expect((await get('/feeds/tech.rss?limit=5')).status).toBe(200);
  });
});
