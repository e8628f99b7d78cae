// SQLite's ranking leaves out a phrase in COMMON_PHRASE_STORIES stories or more (bm25 would count its
// stories over the whole index on every search): a query of common words only lists its newest matches
// first, and a query with a rarer word is ranked by that word (title match first) among the newest matches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMON_PHRASE_STORIES } from '../../src/store/sqlite/search-query.js';
import type { Store } from '../../src/store/store.js';
import { FINANCE, article, openTestStore } from '../fixtures/publish/articles.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite search with a common word', () => {
  it('ranks by the uncommon words, or newest first when every word is common', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'search-common-'));
    dirs.push(dir);
    // A database file: searches run in the search thread, as the service runs them.
    const { store } = await openTestStore('2025-01-01T00:00:00Z', path.join(dir, 'stories.db'));
    stores.push(store);
    const fillers = Array.from({ length: COMMON_PHRASE_STORIES }, (_, i) =>
      article(`Filler ${i}`, '2023-01-01T00:00:00Z', [FINANCE], { contentHtml: `<p>harbour report ${i}</p>` }));
    await store.storeRun({ sourceKey: 'source:A', articles: fillers });
    await store.storeRun({ sourceKey: 'source:A', articles: [
      article('Harbour zeppelin', '2024-06-01T00:00:00Z', [FINANCE], { contentHtml: '<p>harbour harbour harbour zeppelin</p>' }),
      article('Morning note', '2024-12-30T00:00:00Z', [FINANCE], { contentHtml: '<p>the harbour, and a zeppelin overhead</p>' }),
    ] });
    const titles = async (query: string) => (await store.searchStories(query, 3)).stories.map((s) => s.title);
    // Common alone: no ranking by frequency or title, newest first.
    expect((await titles('harbour')).slice(0, 2)).toEqual(['Morning note', 'Harbour zeppelin']);
    expect((await store.searchStories('harbour', 3)).total).toBe(1000);
    // A rarer word ranks: its title match first, whatever the dates.
    expect(await titles('zeppelin harbour')).toEqual(['Harbour zeppelin', 'Morning note']);
    expect(await titles('zeppelin')).toEqual(['Harbour zeppelin', 'Morning note']);
    // An excluded common word excludes, and the rest still ranks.
    expect(await titles('zeppelin -report')).toEqual(['Harbour zeppelin', 'Morning note']);
    expect(await titles('report -zeppelin')).toHaveLength(3);
  }, 120_000);
});
