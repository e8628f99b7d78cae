// `npm start` imports its seed folder on the thread that serves: a first import of thousands of files must not
// leave readers (and /healthz) waiting until it ends.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { SERVING_BATCH_SIZE } from '../../src/ingest/run-seed-folder.js';
import { startFromFile, tempDir, waitFor, type StartedService } from './harness.js';

const FILES = 600;
let started: StartedService | undefined;

afterAll(async () => {
  await started?.service.stop();
});

it('answers requests while it imports a large seed folder, between batches of at most 100 files', async () => {
  const dir = await tempDir('serving-during-import');
  const seed = path.join(dir, 'seed');
  await mkdir(seed);
  const body = Array.from({ length: 12 }, (_, p) => `<p>第${p}段 金融科技 深圳速度 market update paragraph ${p} with enough words to clean and segment.</p>`).join('\n');
  for (let i = 0; i < FILES; i++) {
    await writeFile(path.join(seed, `story-${i}.md`), `---\ntitle: Story number ${i} 新闻\ndate: 2026-01-01 08:${String(i % 60).padStart(2, '0')}\n---\n${body}\n`);
  }
  started = await startFromFile(dir, { seedFolder: { path: seed, schedule: '0 0 1 1 *' }, sources: [] });
  const db = new Database(path.join(dir, 'aggregator.db'), { readonly: true });
  const recorded = () => (db.prepare('SELECT count(*) AS n FROM seed_files').get() as { n: number }).n;
  // Each answer is followed by a look at how many files the import has recorded: an answer given between its
  // batches sees some but not all. A thread held by the whole import answers only once every file is recorded.
  const seenMidImport: number[] = [];
  await waitFor(async () => {
    const response = await fetch(`${started!.base}/healthz`);
    expect(response.status).toBe(200);
    const done = recorded();
    if (done > 0 && done < FILES) seenMidImport.push(done);
    return done === FILES;
  }, 120_000, 'the seed import to finish');
  db.close();
  // Answers came between several batches, each a whole transaction of at most SERVING_BATCH_SIZE files.
  expect(new Set(seenMidImport).size).toBeGreaterThanOrEqual(2);
  for (const done of seenMidImport) expect(done % SERVING_BATCH_SIZE).toBe(0);
});
