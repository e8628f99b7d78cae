// Issue #15 finding 4: a search issued the moment a large import returns finds everything the import
// stored, with no index queue to drain first, while /healthz keeps answering. That the search leaves the
// event loop free is pinned by event order in test/store/search-thread.test.ts; the stall itself is
// measured by `npm run bench -- --only search-event-loop`, not asserted here (a loaded machine stalls any
// process).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSeedFolder } from '../../bench/generate.js';
import type { SeedFolderConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { runSeedFolder } from '../../src/ingest/run-seed-folder.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { serveStore } from './serve.js';

const work = mkdtempSync(path.join(tmpdir(), 'search-after-import-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MARKED = 40;

describe('a search right after a large import', () => {
  it('finds everything the import stored while /healthz keeps answering', async () => {
    const root = path.join(work, 'seed');
    generateSeedFolder(root, { files: 1_200, seed: 11 });
    const marked = path.join(root, 'marked');
    mkdirSync(marked, { recursive: true });
    for (let i = 0; i < MARKED; i++) {
      writeFileSync(path.join(marked, `m${i}.md`), `---\ntitle: Marked story ${i}\ndate: 2024-05-0${1 + (i % 9)} 10:00\n---\n<p>Quarterly zeppelinmarker report number ${i}.</p>\n`);
    }
    const store = await openSqliteStore(path.join(work, 'store.db'), createDedupPolicy(12 * 3_600_000));
    const served = await serveStore(store);
    try {
      const config: SeedFolderConfig = { path: root, schedule: '*/5 * * * *', categories: [], timezone: 'UTC', workers: 0, maxFileBytes: 2 * 1024 * 1024, followSymlinks: false, rules: { remove: [], dropText: [], stripAttributes: [], builtin: true } };
      const summary = await runSeedFolder(config, {
        store, logger: pino({ level: 'silent' }), clock: () => new Date(), resolveCategories: createCategoryResolver([]), nextRun: () => null,
      });
      expect(summary.filesRead).toBe(1_200 + MARKED);

      let searching = true;
      const health: number[] = [];
      const polling = (async () => {
        while (searching) health.push((await fetch(`${served.base}/healthz`)).status);
      })();
      const [marker, common] = await Promise.all([
        fetch(`${served.base}/feeds/search.json?q=zeppelinmarker&limit=100`).then((res) => res.json() as Promise<{ items: unknown[] }>),
        fetch(`${served.base}/search?q=${encodeURIComponent('深圳 金融')}`).then((res) => res.text()),
      ]);
      searching = false;
      await polling;

      expect(marker.items).toHaveLength(MARKED);
      expect(common).toMatch(/\d+ match/);
      expect(health.length).toBeGreaterThan(0);
      expect(health.every((status) => status === 200)).toBe(true);
    } finally {
      await served.close();
      await store.close();
    }
  }, 180_000);
});
