// Full-text extraction off the serving thread (src/ingest/fulltext/extract-pool.ts): a served feed answers while a
// large page is extracted; a page past its timeout, or one that exhausts its thread's heap, keeps its summary with
// an error naming it, and the next page gets a new thread; the queue is bounded. Real threads, a real HTTP server
// and a real SQLite store (the store is not what is tested here).
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { createExtractPool, ExtractError, type ExtractPool } from '../../src/ingest/fulltext/extract-pool.js';
import { runFeedSource, type FeedRunDeps } from '../../src/ingest/run-feed-source.js';
import type { Store } from '../../src/store/store.js';
import { serveStore } from '../server/serve.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { openBackendStore } from '../support/store-backends.js';

const PAGE = readFileSync(new URL('../fixtures/fulltext/news-page.html', import.meta.url), 'utf8');
const newsPage = (title: string) => PAGE.replaceAll('{{TITLE}}', title).replaceAll('{{LEAD}}', `LEAD-${title}.`);
/** Just under the 1 MiB markup cap: seconds of Readability on this machine, and a ~40 MB DOM. */
const largePage = newsPage('large').replace('</main>', `${'<div><p>related</p></div>'.repeat(40_000)}</main>`);
/** 22 KB of 2,000 nested divs around one paragraph: Readability takes ~100 s over it here (its work grows with depth). */
const endlessPage = `<html><body>${'<div>'.repeat(2_000)}<p>${'word '.repeat(60)}</p>${'</div>'.repeat(2_000)}</body></html>`;
const T0 = Date.parse('2024-05-01T06:00:00Z');

let server: FixtureServer;
let slugs: string[] = [];
beforeAll(async () => {
  server = await startFixtureServer({
    '/feed.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title><link>${server.url('/')}</link>
${slugs.map((slug) => `<item><title>Story ${slug}</title><link>${server.url(`/news/${slug}`)}</link><guid>${slug}</guid><pubDate>Wed, 01 May 2024 05:00:00 GMT</pubDate><description>SUMMARY-${slug}: the first sentence only.</description></item>`).join('\n')}</channel></rss>`),
    '/news/large': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(largePage),
    '/news/endless': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(endlessPage),
    '/news/small': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(newsPage('small')),
  });
});
afterAll(() => server.close());

const source: SourceConfig = { name: 'harbour', url: '', categories: ['harbour'], enabled: true, fullText: true };
function deps(store: Store, extract: FeedRunDeps['extract'], now = T0): FeedRunDeps {
  return {
    store, logger: pino({ level: 'silent' }), clock: () => new Date(now), resolveCategories: createCategoryResolver([]),
    fetchOptions: { timeoutMs: 10_000, maxBytes: 8 << 20, userAgent: 't/1' }, nextRun: () => null, extract,
  };
}
const run = (store: Store, extract: FeedRunDeps['extract'], only: string[]) => {
  slugs = only;
  return runFeedSource({ ...source, url: server.url('/feed.xml') }, deps(store, extract));
};
const bodies = async (store: Store) => new Map((await store.listCategoryStories('all', 50)).map((story) => [story.title, story.contentHtml]));

/** Polls `condition` until it holds, failing after `ms`. */
async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('full-text extraction thread', () => {
  const pools: ExtractPool[] = [];
  const pool = (options: Parameters<typeof createExtractPool>[0] = {}) => {
    const made = createExtractPool(options);
    pools.push(made);
    return made;
  };
  afterAll(async () => Promise.all(pools.map((p) => p.close())));

  it('answers a feed request while a large page is being extracted', async () => {
    const store = await openBackendStore('sqlite', createDedupPolicy(12 * 3600e3));
    await run(store, pool().extract, []); // the source's first state; the feed is empty
    const served = await serveStore(store);
    try {
      const extraction = pool();
      const events: string[] = [];
      const extract: FeedRunDeps['extract'] = async (...args) => {
        const html = await extraction.extract(...args);
        events.push('extracted');
        return html;
      };
      const ingest = run(store, extract, ['large']);
      // On the serving thread this loop would not turn until the extraction is over: the order below shows it.
      await until(() => extraction.running === 1 || events.includes('extracted'), 'the extraction to start');
      const response = await fetch(`${served.base}/feeds/all.rss`);
      events.push(`feed ${response.status} while ${extraction.running} extracting`);
      expect((await ingest).warnings).toEqual([]);
      expect(events).toEqual(['feed 200 while 1 extracting', 'extracted']);
      expect(extraction.threadsStarted).toBe(1);
      expect((await bodies(store)).get('Story large')).toContain('ARTICLE-PARAGRAPH-5');
    } finally {
      await served.close();
    }
  }, 120_000);

  it('stops a page past its timeout, names it, keeps the summary, and extracts the next page on a new thread', async () => {
    const store = await openBackendStore('sqlite', createDedupPolicy(12 * 3600e3));
    const extraction = pool({ timeoutMs: 2_000 });
    const first = await run(store, extraction.extract, ['endless']);
    expect(first.warnings).toEqual([
      `full text: ${server.url('/news/endless')}: extraction took longer than 2000 ms (its thread was stopped); summary kept, next try after 2024-05-01T06:10:00.000Z`,
    ]);
    expect((await bodies(store)).get('Story endless')).toContain('SUMMARY-endless');
    const second = await run(store, extraction.extract, ['small']);
    expect(second.warnings).toEqual([]);
    expect((await bodies(store)).get('Story small')).toContain('ARTICLE-PARAGRAPH-5');
    expect(extraction.threadsStarted).toBe(2);
  }, 120_000);

  it('keeps the summary of a page that exhausts the thread heap; the process and the next page carry on', async () => {
    const store = await openBackendStore('sqlite', createDedupPolicy(12 * 3600e3));
    const extraction = pool({ resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    const first = await run(store, extraction.extract, ['large']);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toMatch(new RegExp(`^full text: ${server.url('/news/large')}: extraction failed: .*memory.*; summary kept, next try after`));
    expect((await bodies(store)).get('Story large')).toContain('SUMMARY-large');
    expect((await run(store, extraction.extract, ['small'])).warnings).toEqual([]);
    expect((await bodies(store)).get('Story small')).toContain('ARTICLE-PARAGRAPH-5');
    expect(extraction.threadsStarted).toBe(2);
  }, 120_000);

  it('refuses a page beyond the queue bound, naming it, while the others finish', async () => {
    const extraction = pool({ queueLimit: 1 });
    const running = extraction.extract(largePage, 'https://a.example/large', {});
    await until(() => extraction.running === 1, 'the first extraction to start');
    const waiting = extraction.extract(newsPage('w'), 'https://a.example/waiting', {});
    expect(extraction.waiting).toBe(1);
    const refused = extraction.extract(newsPage('r'), 'https://a.example/refused', {});
    await expect(refused).rejects.toThrow(ExtractError);
    await expect(refused).rejects.toThrow('https://a.example/refused: extraction refused: 1 pages are waiting already; summary kept');
    expect(await running).toContain('ARTICLE-PARAGRAPH-5');
    expect(await waiting).toContain('LEAD-w');
  }, 120_000);
});
