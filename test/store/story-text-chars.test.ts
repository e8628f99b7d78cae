// A listing cut to a text budget sums each story's stored text length (story_text_chars, SQLite migration 18,
// PostgreSQL 13), kept by the database with every write of a story, instead of measuring every listed body: the
// same stories are listed, cut at the same points, on both backends; a database from before the migration gets
// the lengths of every story it holds when it opens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { storiesWithinBudget } from '../../src/publish/render-documents.js';
import type { Store } from '../../src/store/store.js';
import type { Story } from '../../src/types.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { BACKENDS, freshPostgresUrl, openStoreAt, withPostgresClient, type Backend } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A file database (SQLite) or a fresh schema (PostgreSQL): the test reads and writes its tables directly too. */
async function freshFileDatabase(backend: Backend): Promise<string> {
  if (backend === 'postgres') return freshPostgresUrl();
  const dir = mkdtempSync(path.join(tmpdir(), 'text-chars-'));
  dirs.push(dir);
  return path.join(dir, 'stories.db');
}

async function raw<T>(backend: Backend, database: string, sql: string): Promise<T[]> {
  if (backend === 'postgres') return withPostgresClient(database, async (client) => (await client.query(sql)).rows as T[]);
  const db = new Database(database);
  try {
    const statement = db.prepare(sql);
    return (statement.reader ? statement.all() : (statement.run(), [])) as T[];
  } finally {
    db.close();
  }
}

/** What the render counts for a story (publish/category-filters.ts storyTextChars). */
const cost = (story: Story) => story.contentHtml.length + story.summary.length + story.title.length;
const body = (chars: number) => `<p>${'长'.repeat(chars)}</p>`;
const story = (n: number, chars: number, extra: Partial<Parameters<typeof article>[0]> = {}) => article({
  sourceKey: 'source:A', originId: `o${n}`, title: `Story ${n}`, published: at(n * 24), categories: [cat('tech')], contentHtml: body(chars), summary: 's', ...extra,
});

async function storedLengths(backend: Backend, database: string): Promise<Record<string, number>> {
  const rows = await raw<{ id: string; chars: number | string }>(backend, database, 'SELECT id, chars FROM story_text_chars ORDER BY id');
  return Object.fromEntries(rows.map((row) => [row.id, Number(row.chars)]));
}

/** Every cut of the newest-first listing of `slug`, as the render's own count cuts it. */
async function expectRenderCuts(store: Store, slug: string): Promise<void> {
  const all = await store.listCategoryStories(slug, 50);
  let used = 0;
  for (const listed of all) {
    used += cost(listed);
    for (const budget of [used - 1, used]) {
      const titles = (await store.listCategoryStoriesWithin(slug, 50, budget)).map((s) => s.title);
      expect({ slug, budget, titles }).toEqual({ slug, budget, titles: storiesWithinBudget(all, budget).map((s) => s.title) });
    }
  }
}

describe.each(BACKENDS)('stored text lengths on %s', (backend) => {
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  const open = async (database: string, now = at(24 * 10)) => {
    const store = await openStoreAt(database, policy, { clock: () => now });
    stores.push(store);
    return store;
  };

  it('are what the render counts, through new stories, changed bodies, merges, renames and pruning; the listing cuts there', async () => {
    const database = await freshFileDatabase(backend);
    const store = await open(database);
    await store.storeRun({ sourceKey: 'source:A', articles: [story(1, 300), story(2, 100), story(3, 500), story(4, 200)] });
    const lengths = async () => Object.fromEntries((await store.listCategoryStories('all', 50)).map((s) => [s.id, cost(s)]));
    expect(await storedLengths(backend, database)).toEqual(await lengths());
    await expectRenderCuts(store, 'tech');

    // A changed body, a longer copy merged in from another source, an earlier copy that renames a story.
    await store.storeRun({ sourceKey: 'source:A', articles: [story(2, 900)] });
    await store.storeRun({ sourceKey: 'source:B', articles: [story(3, 800, { sourceKey: 'source:B', originId: 'b3' })] });
    await store.storeRun({ sourceKey: 'source:C', articles: [story(4, 50, { sourceKey: 'source:C', originId: 'c4', published: new Date(at(4 * 24).getTime() - HOUR) })] });
    expect(await storedLengths(backend, database)).toEqual(await lengths());
    expect(Object.keys(await storedLengths(backend, database))).toHaveLength(4);
    await expectRenderCuts(store, 'tech');
    await expectRenderCuts(store, 'all');

    await store.pruneStories({ olderThan: at(2 * 24 + 1) });
    expect(await storedLengths(backend, database)).toEqual(await lengths());
    expect(Object.keys(await storedLengths(backend, database))).toHaveLength(2);
  });

  it('are what the listing sums: it reads no body to measure it', async () => {
    const database = await freshFileDatabase(backend);
    const store = await open(database);
    await store.storeRun({ sourceKey: 'source:A', articles: [story(1, 300), story(2, 100), story(3, 500)] });
    const newest = await store.listCategoryStories('tech', 50);
    const budget = cost(newest[0]!) + cost(newest[1]!);
    expect((await store.listCategoryStoriesWithin('tech', 50, budget)).map((s) => s.title)).toEqual(['Story 3', 'Story 2']);
    // Told the second newest is long, the listing stops before it, though its body is short.
    await raw(backend, database, `UPDATE story_text_chars SET chars = ${budget} WHERE id = '${newest[1]!.id}'`);
    expect((await store.listCategoryStoriesWithin('tech', 50, budget)).map((s) => s.title)).toEqual(['Story 3']);
    expect((await store.listCategoryStoriesAfter('all', null, 50, budget)).map((s) => s.title)).toEqual(['Story 3']);
    expect((await store.listCategoryPage('tech', 1, 50, cost(newest[1]!))).map((s) => s.title)).toEqual(['Story 2']);
    // Search results, best first, cut where the stored lengths say.
    const ranked = (await store.searchStories('story', 50)).stories;
    const told = (s: Story) => (s.id === newest[1]!.id ? budget : cost(s));
    const fits = ranked.filter((_, i) => i === 0 || ranked.slice(0, i + 1).reduce((sum, s) => sum + told(s), 0) <= budget);
    expect((await store.searchStories('story', 50, { maxTextChars: budget })).stories.map((s) => s.title)).toEqual(fits.map((s) => s.title));
    expect(fits.length).toBeLessThan(storiesWithinBudget(ranked, budget).length);
  });

  it('are filled at open for the stories a database held before the migration', async () => {
    const database = await freshFileDatabase(backend);
    const first = await open(database);
    await first.storeRun({ sourceKey: 'source:A', articles: [story(1, 300), story(2, 100), story(3, 500)] });
    const expected = Object.fromEntries((await first.listCategoryStories('all', 50)).map((s) => [s.id, cost(s)]));
    await first.close();
    stores.splice(0);
    // Back to the schema before it: no table, nothing keeping it (nor the enclosures columns of the migration after it).
    await raw(backend, database, backend === 'sqlite'
      ? 'DROP TABLE story_text_chars'
      : 'DROP TABLE story_text_chars; DROP FUNCTION story_text_chars_write() CASCADE; ALTER TABLE origins DROP COLUMN enclosures_json; ALTER TABLE stories DROP COLUMN enclosures_json; UPDATE schema_version SET version = 12');
    if (backend === 'sqlite') {
      const db = new Database(database);
      db.exec('DROP TRIGGER story_text_chars_insert; DROP TRIGGER story_text_chars_update; DROP TRIGGER story_text_chars_delete');
      db.exec('ALTER TABLE origins DROP COLUMN enclosures_json; ALTER TABLE stories DROP COLUMN enclosures_json');
      db.pragma('user_version = 17');
      db.close();
    }
    const store = await open(database);
    expect(await storedLengths(backend, database)).toEqual(expected);
    await expectRenderCuts(store, 'tech');
  });
});
