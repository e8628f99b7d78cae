// Ranking counts a story's age from its publication time as stored now: a corrected date moves it, on both
// backends. SQLite ranks its candidates on dates kept by rowid in story_dates (migration 17, kept in step by
// triggers), not on each candidate's row; a database from before that migration gets them all when it opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { FINANCE, article, openTestStore } from '../fixtures/publish/articles.js';
import { BACKENDS, freshDatabase } from '../support/store-backends.js';

const stores: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The same words in each (the same relevance): only their dates tell them apart. Stored in another order than published.
const note = (letter: string, published: string) =>
  article(`Note ${letter}`, published, [FINANCE], { contentHtml: '<p>harbour cranes at dawn</p>' });
const stored = [note('A', '2024-03-01T00:00:00Z'), note('B', '2024-09-01T00:00:00Z'), note('C', '2023-06-01T00:00:00Z')];
const titles = async (store: Store, query = 'harbour') => (await store.searchStories(query, 10)).stories.map((s) => s.title);

describe.each(BACKENDS)('search ranking by date on %s', (backend) => {
  it('ranks the newest first, and follows a corrected date', async () => {
    const { store } = await openTestStore('2025-01-01T00:00:00Z', await freshDatabase(backend));
    stores.push(store);
    await store.storeRun({ sourceKey: 'source:Example', articles: stored });
    expect(await titles(store)).toEqual(['Note B', 'Note A', 'Note C']);
    await store.storeRun({ sourceKey: 'source:Example', articles: [note('C', '2024-12-01T00:00:00Z')] });
    expect(await titles(store)).toEqual(['Note C', 'Note B', 'Note A']);
    expect(await titles(store, 'harbour category:金融')).toEqual(['Note C', 'Note B', 'Note A']);
  });
});

describe('SQLite story dates (migration 17)', () => {
  it('are filled for the stories a database held before the migration', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'search-dates-'));
    dirs.push(dir);
    const file = path.join(dir, 'stories.db');
    const first = await openTestStore('2025-01-01T00:00:00Z', file);
    await first.store.storeRun({ sourceKey: 'source:Example', articles: stored });
    await first.store.close();
    // Back to schema 16: no dates table, no triggers (nor migration 18's text lengths, nor 19's enclosure columns).
    const db = new Database(file);
    db.exec('DROP TRIGGER story_dates_insert; DROP TRIGGER story_dates_update; DROP TRIGGER story_dates_delete; DROP TABLE story_dates');
    db.exec('DROP TRIGGER story_text_chars_insert; DROP TRIGGER story_text_chars_update; DROP TRIGGER story_text_chars_delete; DROP TABLE story_text_chars');
    db.exec('ALTER TABLE origins DROP COLUMN enclosures_json; ALTER TABLE stories DROP COLUMN enclosures_json');
    db.pragma('user_version = 16');
    db.close();
    const { store } = await openTestStore('2025-01-01T00:00:00Z', file);
    stores.push(store);
    // A file database: searched by the search thread, as the service searches.
    expect(await titles(store)).toEqual(['Note B', 'Note A', 'Note C']);
    await store.storeRun({ sourceKey: 'source:Example', articles: [note('D', '2024-10-01T00:00:00Z')] });
    expect(await titles(store)).toEqual(['Note D', 'Note B', 'Note A', 'Note C']);
  });
});
