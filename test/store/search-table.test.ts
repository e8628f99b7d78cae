// The word index on both backends with the same assertions: written with each story (insert, edit,
// merge, delete), ranked, the query language, and the rebuild of a database stored before it existed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, it, expect } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { completeSearchRebuild } from '../../src/ingest/rebuild-search-index.js';
import { migrations as postgresMigrations } from '../../src/store/postgres/migrations.js';
import type { Store } from '../../src/store/store.js';
import { FINANCE, TECH, article, openTestStore as openStoreIn } from '../fixtures/publish/articles.js';
import { sqliteBeforeTheIndex } from '../support/sqlite-before-the-index.js';
import { BACKENDS, freshDatabase, openStoreAt, type Backend } from '../support/store-backends.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const titlesOf = async (store: Store, query: string) =>
  (await store.searchStories(query, 10)).stories.map((s) => s.title);

describe.each(BACKENDS)('story search on %s', (backend) => {
  /** A fresh store of this backend with the fixture categories and a pinned clock; closed after the test. */
  async function openTestStore() {
    const opened = await openStoreIn('2025-01-01T00:00:00Z', await freshDatabase(backend));
    stores.push(opened.store);
    return opened;
  }

  it('follows edits of a story and matches body words, not markup', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:A', articles: [article('港口升级', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<div class="x">绿色金融 <b>力量</b></div>' })] });
    expect((await store.searchStories('绿色金融', 10)).total).toBe(1);
    expect((await store.searchStories('div', 10)).total).toBe(0);
    expect((await store.searchStories('class', 10)).total).toBe(0);
    await store.storeRun({ sourceKey: 'source:A', articles: [article('港口升级', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>蓝色经济</p>' })] });
    expect((await store.searchStories('绿色金融', 10)).total).toBe(0);
    const found = await store.searchStories('蓝色', 10);
    expect(found.stories.map((s) => s.title)).toEqual(['港口升级']);
    expect(found.lastChanged).toEqual(new Date('2025-01-01T00:00:00Z'));
  });

  it('matches words, not substrings, folding case, width and traditional characters', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:A', articles: [
      article('Bitcoin ETF approved', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>The SEC approved a spot fund.</p>' }),
      article('深圳速度背后的金融科技力量', '2024-12-02T00:00:00Z', [FINANCE], { contentHtml: '<p>前海的創新</p>' }),
      article('Category theory', '2024-12-03T00:00:00Z', [TECH], { contentHtml: '<p>Functors, not categories of news.</p>' }),
    ] });
    expect(await titlesOf(store, 'bitcoin etf')).toEqual(['Bitcoin ETF approved']);
    expect(await titlesOf(store, 'ＢＩＴＣＯＩＮ')).toEqual(['Bitcoin ETF approved']);
    expect(await titlesOf(store, 'coin')).toEqual([]);
    expect(await titlesOf(store, '深圳速度')).toEqual(['深圳速度背后的金融科技力量']);
    expect(await titlesOf(store, '金融科技')).toEqual(['深圳速度背后的金融科技力量']);
    expect(await titlesOf(store, '創新')).toEqual(['深圳速度背后的金融科技力量']);
    expect(await titlesOf(store, '深圳')).toEqual(['深圳速度背后的金融科技力量']);
  });

  it('supports phrases, prefixes, exclusions and category restriction', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:A', articles: [
      article('Central bank cuts rates', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>The central bank cut its policy rate.</p>' }),
      article('Bank of the central plains', '2024-12-02T00:00:00Z', [TECH], { contentHtml: '<p>A regional bank expands.</p>' }),
      article('Bitcoin climbs', '2024-12-03T00:00:00Z', [FINANCE], { contentHtml: '<p>Crypto markets rose.</p>' }),
    ] });
    expect(await titlesOf(store, '"central bank"')).toEqual(['Central bank cuts rates']);
    expect((await titlesOf(store, 'central bank')).sort()).toEqual(['Bank of the central plains', 'Central bank cuts rates']);
    expect(await titlesOf(store, 'bitc*')).toEqual(['Bitcoin climbs']);
    expect(await titlesOf(store, 'bank -rates')).toEqual(['Bank of the central plains']);
    expect(await titlesOf(store, `bank category:${TECH.slug}`)).toEqual(['Bank of the central plains']);
    expect(await titlesOf(store, '-bank')).toEqual([]);
    expect(await titlesOf(store, '""')).toEqual([]);
  });

  it('ranks title matches and frequent matches first, whatever the date', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:A', articles: [
      article('Markets today', '2024-12-05T00:00:00Z', [FINANCE], { contentHtml: '<p>Stocks, bonds and one mention of tariffs among many other words here.</p>' }),
      article('Tariffs rise again', '2024-11-01T00:00:00Z', [FINANCE], { contentHtml: '<p>Tariffs on steel and tariffs on aluminium.</p>' }),
    ] });
    expect(await titlesOf(store, 'tariffs')).toEqual(['Tariffs rise again', 'Markets today']);
  });

  it('matches a phrase within the title or within the body, plurals and prefixed phrases', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:A', articles: [
      article('Markets close', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>Higher today on e-mail news.</p>' }),
      article('Bitcoin ETFs surge', '2024-12-02T00:00:00Z', [FINANCE], { contentHtml: "<p>O'Neil said the funds rose.</p>" }),
    ] });
    expect(await titlesOf(store, '"close higher"')).toEqual([]);
    expect(await titlesOf(store, '"markets close"')).toEqual(['Markets close']);
    expect(await titlesOf(store, '"higher today"')).toEqual(['Markets close']);
    expect(await titlesOf(store, 'e-ma*')).toEqual(['Markets close']);
    expect(await titlesOf(store, 'Bitcoin ETF')).toEqual(['Bitcoin ETFs surge']);
    expect(await titlesOf(store, "o'neil")).toEqual(['Bitcoin ETFs surge']);
    expect(await titlesOf(store, 'back\\slash o\'')).toEqual([]);
  });

  it('stores and finds a story whose body is far larger than any article', async () => {
    const { store } = await openTestStore();
    const body = `<p>opening ${Array.from({ length: 150_000 }, (_, i) => `w${i}`).join(' ')}</p>`;
    await store.storeRun({ sourceKey: 'source:A', articles: [article('Giant dump', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: body })] });
    expect(await titlesOf(store, 'giant')).toEqual(['Giant dump']);
    expect(await titlesOf(store, 'opening w1')).toEqual(['Giant dump']);
  });

  it('removes a deleted story from the index', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:A', articles: [article('Old news', '2020-01-01T00:00:00Z', [FINANCE])] });
    expect(await titlesOf(store, 'old news')).toEqual(['Old news']);
    await store.pruneStories({ olderThan: new Date('2021-01-01T00:00:00Z') });
    expect(await titlesOf(store, 'old news')).toEqual([]);
  });

  it('lists a category oldest first by offset', async () => {
    const { store } = await openTestStore();
    await store.storeRun({
      sourceKey: 'source:A',
      articles: ['c', 'a', 'b'].map((t, i) => article(`Story ${t}`, `2024-12-0${[3, 1, 2][i]}T00:00:00Z`, [FINANCE])),
    });
    expect((await store.listCategoryPage(FINANCE.slug, 0, 2)).map((s) => s.title)).toEqual(['Story a', 'Story b']);
    expect((await store.listCategoryPage('all', 2, 2)).map((s) => s.title)).toEqual(['Story c']);
  });

});

/** A database at the schema before the word index (SQLite 7, PostgreSQL 2) holding 120 stories; its location. */
async function databaseBeforeTheIndex(backend: Backend): Promise<string> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'search-rebuild-'));
    dirs.push(dir);
    const file = path.join(dir, 'old.db');
    sqliteBeforeTheIndex(file, Array.from({ length: 120 }, (_, i) => ({ title: `Old title ${i}`, html: `<p>深圳 &amp; 香港 number${i}</p>` })));
    return file;
  }
  const url = await freshDatabase('postgres');
  const old = new pg.Client({ connectionString: url });
  await old.connect();
  try {
    for (const sql of postgresMigrations.slice(0, 2)) await old.query(sql);
    await old.query('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2)');
    await old.query(`INSERT INTO stories (id, title_key, published_ms, updated_ms, title, links_json, categories_json, content_html, summary, content_hash, row_hash)
      SELECT 's' || i, 'k' || i, 0, 0, 'Old title ' || i, '[]', '[]', '<p>深圳 &amp; 香港 number' || i || '</p>', '', '', '' FROM generate_series(0, 119) AS i`);
  } finally {
    await old.end();
  }
  return url;
}

describe.each(BACKENDS)('story search on %s, upgrading', (backend) => {
  it('indexes the stories of a database stored before the word index, in slices, logging progress', async () => {
    const store = await openStoreAt(await databaseBeforeTheIndex(backend), createDedupPolicy(43_200_000));
    expect((await store.searchStories('香港', 200)).total).toBe(0);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const before = await store.latestChangeSeq();
    expect(await store.searchIndexComplete()).toBe(false);
    expect(await completeSearchRebuild(store, logger, () => false, 25)).toBe(120);
    expect(await store.searchIndexComplete()).toBe(true);
    // One change, at the end, so every process renders its saved searches again from the whole index.
    expect((await store.changesSince(before, 10)).changes.map((change) => change.categories)).toEqual([['all']]);
    expect((await store.searchStories('香港', 200)).total).toBe(120);
    expect((await store.searchStories('number7', 10)).stories.map((s) => s.title)).toEqual(['Old title 7']);
    expect(lines.some((line) => line.includes('rebuilding the search index') && line.includes('"remaining":95'))).toBe(true);
    expect(lines.some((line) => line.includes('search index rebuilt') && line.includes('"indexed":120'))).toBe(true);
    // Complete: nothing left, nothing indexed twice.
    expect(await store.rebuildSearchIndex(100)).toEqual({ indexed: 0, remaining: 0 });
    expect((await store.searchStories('香港', 200)).total).toBe(120);
    expect((await store.changesSince(before, 10)).changes).toHaveLength(1);
  });
});
