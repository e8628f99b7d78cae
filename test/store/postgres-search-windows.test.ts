// PostgreSQL reads a query's candidates from the window of publication time expected to hold 1,250 matches,
// the window written as the stories' period lexemes (search-candidates.ts): with the table analyzed (as
// autovacuum does), 3,000 matches over a year put the window at ~8 of its 13 periods. The newest 500 must be
// exactly those of the whole table, and the count stops at 1,000, as when every match is read.
import { afterEach, describe, expect, it } from 'vitest';
import { estimateMatches } from '../../src/store/postgres/search-candidates.js';
import { COUNT_CAP } from '../../src/store/search-rules.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore } from '../fixtures/publish/articles.js';
import { harbourTimeline } from '../fixtures/search/timeline.js';
import { freshPostgresUrl, withPostgresClient } from '../support/store-backends.js';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe('search windows on PostgreSQL', () => {
  it('finds the newest 500 of 3,000 matches spread over a year within a window of periods', async () => {
    const url = await freshPostgresUrl();
    const { store } = await openTestStore('2025-01-01T00:00:00Z', url);
    stores.push(store);
    const stories = 3000;
    const articles = harbourTimeline(stories, '2024-12-31T00:00:00Z', (i) => (i % 10 === 0 ? ', walrus seen' : ''));
    for (let from = 0; from < stories; from += 250) await store.storeRun({ sourceKey: 'source:A', articles: articles.slice(from, from + 250) });
    await withPostgresClient(url, (client) => client.query('ANALYZE story_search'));
    // The windows are sized from the planner's estimate, planned under a LIMIT 1 (no JIT set up): the same estimate
    // as the statement without it.
    // One statement at a time: a client runs one query at a time (pg 9 refuses a second sent while one runs).
    const estimates = await withPostgresClient(url, async (client) => {
      const pairs: Array<[number, number]> = [];
      for (const tsquery of ["'harbour'", "'walrus'", "'harbour' & 'outside'"]) {
        const { rows: [plain] } = await client.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(
          `EXPLAIN (FORMAT JSON) SELECT FROM story_search WHERE words @@ to_tsquery('simple', $1)`, [tsquery]);
        pairs.push([await estimateMatches(client, tsquery), plain!['QUERY PLAN'][0]!.Plan['Plan Rows']]);
      }
      return pairs;
    });
    for (const [limited, plain] of estimates) expect(limited).toBe(plain);
    expect(estimates[0]![0]).toBeGreaterThan(1000);
    const found = await store.searchStories('harbour', 10);
    expect(found.total).toBe(COUNT_CAP);
    expect(found.stories[0]!.title).toBe('Harbour inside');
    expect(found.stories.map((s) => s.title)).not.toContain('Harbour outside');
    // A word in every 10th story (300): every match is read, and counted exactly; the newest first.
    const walrus = await store.searchStories('walrus', 3);
    expect(walrus.total).toBe(300);
    expect(walrus.stories.map((s) => s.title)).toEqual(['Note 2990', 'Note 2980', 'Note 2970']);
    expect((await store.searchStories('harbour outside', 10)).stories.map((s) => s.title)).toEqual(['Harbour outside']);
  }, 180_000);
});
