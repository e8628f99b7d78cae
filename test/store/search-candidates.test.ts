// Ranking looks at the newest RANKED_CANDIDATES matches only, on both backends: PostgreSQL finds them window
// by window of publication time (search-candidates.ts), SQLite in the index's order. A better match just inside the
// newest 500 ranks first; a better one just outside them is not ranked at all.
import { afterEach, describe, expect, it } from 'vitest';
import { COUNT_CAP } from '../../src/store/search-rules.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore } from '../fixtures/publish/articles.js';
import { harbourTimeline } from '../fixtures/search/timeline.js';
import { BACKENDS, freshDatabase } from '../support/store-backends.js';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe.each(BACKENDS)('search candidates on %s', (backend) => {
  it('ranks the newest 500 matches, however far back they reach', async () => {
    const { store } = await openTestStore('2025-01-01T00:00:00Z', await freshDatabase(backend));
    stores.push(store);
    // 1,200 matches (over COUNT_CAP), one every 3 hours back from the last (150 days): the newest 500 reach
    // back 62 days, past PostgreSQL's first 7-day window.
    const stories = 1200;
    const articles = harbourTimeline(stories, '2024-12-31T00:00:00Z');
    // Stored oldest first, 100 a run, as they were published (SQLite's candidates are the newest stored, and a
    // run may store its articles in another order: neither story is in the run that straddles the 500th).
    for (let from = 0; from < stories; from += 100) await store.storeRun({ sourceKey: 'source:A', articles: articles.slice(from, from + 100) });
    const found = await store.searchStories('harbour', 10);
    expect(found.total).toBe(COUNT_CAP);
    expect(found.stories[0]!.title).toBe('Harbour inside');
    expect(found.stories.map((s) => s.title)).not.toContain('Harbour outside');
    // Both are found by a query that matches them alone.
    expect((await store.searchStories('harbour outside', 10)).stories.map((s) => s.title)).toEqual(['Harbour outside']);
  }, 120_000);
});
