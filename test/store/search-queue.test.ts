// Deferred search indexing: stories are queued on write and indexed in slices, a search drains the
// queue first (never missing or returning stale stories), and the service drains it in the background.
import Database from 'better-sqlite3';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { startService } from '../../src/main.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { registerSearchFunctions } from '../../src/store/sqlite/search-table.js';
import { waitFor } from '../ops/harness.js';
import { FINANCE, article } from '../fixtures/publish/articles.js';

const NOW = new Date('2025-01-01T00:00:00Z');

async function openWithDb(file = ':memory:') {
  let db!: Database.Database;
  const store = await openSqliteStore(file, createDedupPolicy(12 * 3_600_000), { clock: () => NOW, onOpen: (opened) => (db = opened) });
  await store.declareCategories([FINANCE]);
  const count = (table: 'search_queue' | 'story_search'): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { store, db, count };
}

const titles = async (store: Awaited<ReturnType<typeof openWithDb>>['store'], query: string) =>
  (await store.searchStories(query, 10)).stories.map((s) => s.title);

describe('search queue', () => {
  it('queues new stories instead of indexing them, and a search right after finds them', async () => {
    const { store, count } = await openWithDb();
    await store.storeRun({
      sourceKey: 'source:A',
      articles: [
        article('深圳港口升级', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>绿色金融 力量</p>' }),
        article('Bond market review', '2024-12-02T00:00:00Z', [FINANCE]),
      ],
    });
    expect(count('search_queue')).toBe(2);
    expect(count('story_search')).toBe(0);
    expect(await titles(store, '绿色金融')).toEqual(['深圳港口升级']);
    expect(await titles(store, 'market')).toEqual(['Bond market review']);
    expect(count('search_queue')).toBe(0);
    expect(count('story_search')).toBe(2);
  });

  it('indexes the backlog in slices and reports what remains', async () => {
    const { store, count } = await openWithDb();
    await store.storeRun({
      sourceKey: 'source:A',
      articles: ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((t, i) => article(`Story ${t}`, `2024-12-0${i + 1}T00:00:00Z`, [FINANCE])),
    });
    expect(await store.indexSearchBacklog(2)).toEqual({ indexed: 2, remaining: 3 });
    expect(count('story_search')).toBe(2);
    expect(await store.indexSearchBacklog(2)).toEqual({ indexed: 2, remaining: 1 });
    expect(await store.indexSearchBacklog(10)).toEqual({ indexed: 1, remaining: 0 });
    expect(await store.indexSearchBacklog(10)).toEqual({ indexed: 0, remaining: 0 });
    expect(await store.indexSearchBacklog(0)).toEqual({ indexed: 0, remaining: 0 });
    expect((await store.searchStories('Story', 10)).total).toBe(5);
  });

  it('finds an edited story by its new text only, whether or not it was indexed before the edit', async () => {
    const { store, count } = await openWithDb();
    const first = article('Harbour upgrade', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>old sapphire text</p>' });
    await store.storeRun({ sourceKey: 'source:A', articles: [first] });
    expect(await titles(store, 'sapphire')).toEqual(['Harbour upgrade']);
    // Edited after indexing: the stale entry waits in the queue, and the search replaces it first.
    await store.storeRun({ sourceKey: 'source:A', articles: [{ ...first, title: 'Harbour renamed', contentHtml: '<p>new emerald text</p>' }] });
    expect(count('search_queue')).toBeGreaterThan(0);
    expect(await titles(store, 'sapphire')).toEqual([]);
    expect(await titles(store, 'Harbour upgrade')).toEqual([]);
    expect(await titles(store, 'emerald')).toEqual(['Harbour renamed']);
    // Edited twice before any indexing.
    await store.storeRun({ sourceKey: 'source:A', articles: [{ ...first, title: 'Harbour renamed', contentHtml: '<p>ruby</p>' }] });
    await store.storeRun({ sourceKey: 'source:A', articles: [{ ...first, title: 'Harbour renamed', contentHtml: '<p>topaz</p>' }] });
    expect(await titles(store, 'ruby')).toEqual([]);
    expect(await titles(store, 'emerald')).toEqual([]);
    expect(await titles(store, 'topaz')).toEqual(['Harbour renamed']);
    expect(count('story_search')).toBe(1);
  });

  it('does not find a pruned story, indexed or still queued', async () => {
    const { store, count } = await openWithDb();
    await store.storeRun({ sourceKey: 'source:A', articles: [article('Ancient granite story', '2020-01-01T00:00:00Z', [FINANCE])] });
    expect(await titles(store, 'granite')).toEqual(['Ancient granite story']);
    await store.storeRun({ sourceKey: 'source:A', articles: [article('Ancient basalt story', '2020-01-02T00:00:00Z', [FINANCE])] });
    expect((await store.pruneStories({ olderThan: new Date('2024-01-01T00:00:00Z') })).pruned).toBe(2);
    expect(await titles(store, 'granite')).toEqual([]);
    expect(await titles(store, 'basalt')).toEqual([]);
    expect(await titles(store, 'Ancient')).toEqual([]);
    expect(count('story_search')).toBe(0);
    expect(count('search_queue')).toBe(0);
  });

  it('keeps search working on a database created before the queue (stories already indexed)', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'search-queue-')), 'old.db');
    const old = new Database(file);
    registerSearchFunctions(old);
    for (const migration of migrations.slice(0, 3)) old.exec(migration);
    old.pragma('user_version = 3');
    old.prepare(`INSERT INTO stories (id, title_key, published_ms, updated_ms, title, links_json, categories_json, content_html, summary, content_hash, row_hash)
      VALUES ('s1', 'k', 0, 0, 'Old title', '[]', '[]', '<p>深圳 &amp; 香港</p>', '', '', '')`).run();
    expect(old.prepare('SELECT count(*) AS n FROM story_search').get()).toEqual({ n: 1 });
    old.close();

    const { store, db, count } = await openWithDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(count('search_queue')).toBe(0);
    expect(await titles(store, '深圳 & 香港')).toEqual(['Old title']);
    db.prepare("UPDATE stories SET title = 'Fresh heading' WHERE id = 's1'").run();
    expect(await titles(store, 'Old title')).toEqual([]);
    expect(await titles(store, 'Fresh heading')).toEqual(['Fresh heading']);
    db.prepare("DELETE FROM stories WHERE id = 's1'").run();
    expect(await titles(store, '香港')).toEqual([]);
    expect(count('story_search')).toBe(0);
    await store.close();
  });
});

describe('search indexing in the service', () => {
  it('drains the backlog after the first ingest without a search', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'search-queue-service-'));
    await mkdir(path.join(dir, 'seed', '金融'), { recursive: true });
    await copyFile(path.resolve('test/fixtures/e2e/seed-story.md'), path.join(dir, 'seed', '金融', 'story.md'));
    const config = configSchema.parse({
      server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
      storage: { database: path.join(dir, 'aggregator.db') },
      seedFolder: { path: path.join(dir, 'seed') },
      categories: [{ name: '金融', slug: 'finance' }, { name: 'Green', slug: 'green', query: '绿色金融' }],
      sources: [],
    });
    let db!: Database.Database;
    const service = await startService(config, pino({ level: 'silent' }), { storeOptions: { onOpen: (opened) => (db = opened) } });
    try {
      await service.firstIngest;
      const queued = () => (db.prepare('SELECT count(*) AS n FROM search_queue').get() as { n: number }).n;
      const indexed = () => (db.prepare('SELECT count(*) AS n FROM story_search').get() as { n: number }).n;
      await waitFor(() => queued() === 0, 20_000, 'the search queue drained');
      expect(indexed()).toBe(1);
      const address = service.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const feed = await (await fetch(`http://127.0.0.1:${port}/feeds/green.json`)).json() as { items: { title: string }[] };
      expect(feed.items.map((item) => item.title)).toEqual(['港口_智慧_升级背后的绿色金融力量']);
    } finally {
      await service.stop();
    }
  });
});
