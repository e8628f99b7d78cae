import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSeedFolder } from '../../bench/generate.js';
import type { SeedFolderConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { runSeedFolder, type SeedRunSummary } from '../../src/ingest/run-seed-folder.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import type { Story } from '../../src/types.js';

const work = mkdtempSync(path.join(tmpdir(), 'run-seed-folder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// 1,100 files: three batches of 500, enough for workers (≥ 200) and for the pipeline to overlap.
const root = path.join(work, 'seed');
generateSeedFolder(root, { files: 1_090, seed: 7 });
const extra = path.join(root, 'source', '_posts', 'misc');
mkdirSync(extra, { recursive: true });
for (let i = 0; i < 10; i++) {
  // Rejected: no title and no text. Accepted: categories folded through the configured aliases.
  const text = i % 2 ? '---\ncomments: false\n---\n' : `---\ntitle: Extra ${i}\ncategories: [Fintech, 國內]\ndate: 2022-04-27 10:00\n---\n<p>extra ${i}</p>\n`;
  writeFileSync(path.join(extra, `extra-${i}.md`), text);
}

const config: SeedFolderConfig = { path: root, schedule: '*/5 * * * *', categories: ['种子'], timezone: 'Asia/Shanghai', workers: 0, maxFileBytes: 2 * 1024 * 1024, followSymlinks: false, rules: { remove: ['.appendQr_wrap'], dropText: [], stripAttributes: [], builtin: true } };
const resolveCategories = createCategoryResolver([{ name: 'Finance', slug: 'finance', aliases: ['金融', 'Fintech'] }]);

async function ingest(workers: number): Promise<{ store: Store; summary: SeedRunSummary; progress: string[] }> {
  const store = await openSqliteStore(':memory:', createDedupPolicy(12 * 3_600_000), { clock: () => new Date(Date.UTC(2024, 0, 1)) });
  const progress: string[] = [];
  const summary = await runSeedFolder({ ...config, workers }, {
    store,
    logger: pino({ level: 'silent' }),
    clock: () => new Date(Date.UTC(2024, 0, 1)),
    resolveCategories,
    nextRun: () => null,
    onProgress: (stage, done, total) => {
      if (stage === 'store') progress.push(`${done}/${total}`);
    },
  });
  return { store, summary, progress };
}

async function allStories(store: Store): Promise<Story[]> {
  return (await store.listCategoryPage('all', 0, 100_000)).map((story) => ({ ...story, updated: new Date(0) }));
}

describe('runSeedFolder with and without workers', () => {
  it('stores the same stories, summary and progress either way', async () => {
    const single = await ingest(0);
    const pooled = await ingest(2);
    try {
      expect(single.summary.error).toBeNull();
      expect(pooled.summary.error).toBeNull();
      expect(single.summary.filesRead).toBe(1_100);
      expect(single.summary.rejected).toHaveLength(5);
      const { folder: _a, ...singleCounts } = single.summary;
      const { folder: _b, ...pooledCounts } = pooled.summary;
      expect(pooledCounts).toEqual(singleCounts);
      expect(pooled.progress).toEqual(['500/1100', '1000/1100', '1100/1100']);
      expect(pooled.progress).toEqual(single.progress);

      const stories = await allStories(single.store);
      expect(stories.length).toBeGreaterThan(900);
      expect(await allStories(pooled.store)).toEqual(stories);
      // Categories resolved on the main thread: aliases, the folder's own, the item's.
      const extraStory = stories.find((s) => s.title === 'Extra 0')!;
      expect(extraStory.categories.map((c) => c.slug)).toEqual(['finance', '国内', '种子']);
      expect(stories.every((s) => !s.contentHtml.includes('appendQr'))).toBe(true);
      expect((await pooled.store.listSeedFiles()).size).toBe(1_100);
    } finally {
      await single.store.close();
      await pooled.store.close();
    }
  }, 120_000);

});

describe('runSeedFolder when the store refuses a batch', () => {
  it('goes on with the other batches and leaves the refused files for the next scan', async () => {
    // A trigger refuses one article, and with it the transaction of its batch.
    const poisoned = 'Extra 4';
    const store = await openSqliteStore(':memory:', createDedupPolicy(12 * 3_600_000), {
      onOpen: (db) => db.exec(`CREATE TEMP TRIGGER poison BEFORE INSERT ON origins WHEN NEW.title = '${poisoned}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`),
    });
    const deps = { store, logger: pino({ level: 'silent' }), clock: () => new Date(), resolveCategories, nextRun: () => null };
    const summary = await runSeedFolder(config, deps);
    const notStored = summary.rejected.filter((file) => file.error.startsWith('not stored: '));
    // One batch of 500 refused, the other two stored.
    expect(notStored).toHaveLength(500);
    expect(notStored[0]!.error).toContain('poisoned row');
    expect(summary.filesRead).toBe(1_100);
    expect(summary.added + summary.merged).toBeGreaterThan(400);
    const known = await store.listSeedFiles();
    expect(known.size).toBe(600);
    expect(notStored.every((file) => !known.has(file.relPath))).toBe(true);
    await store.close();
  }, 120_000);
});
