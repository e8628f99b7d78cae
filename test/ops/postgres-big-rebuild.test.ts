// Stories of megabytes copied into PostgreSQL (`copy-store`) are indexed by the workers' rebuild, in the
// memory `npm start` gives a process (192 MB of heap). Reading 50 whole bodies a slice and segmenting each
// whole ran the process out of heap before /readyz was ever 200, and again after every restart; the rebuild
// now reads and segments only what the index keeps of each body.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { HOUR, T0, article, cat } from '../fixtures/dedup/articles.js';
import { buildOnce } from '../support/build-once.js';
import { CHINESE_PARAGRAPH, ENGLISH_PARAGRAPH, cloneBigStories } from '../support/big-stories.js';
import { freshPostgresUrl, openStoreAt, withPostgresClient } from '../support/store-backends.js';
import { startServiceProcess } from '../process/process-harness.js';
import { tempDir, waitFor } from './harness.js';

beforeAll(() => buildOnce(), 180_000);

it('`npm start` on PostgreSQL indexes 75 copied stories of 1.9 MB each and becomes ready', async () => {
  const url = await freshPostgresUrl();
  const store = await openStoreAt(url, createDedupPolicy(12 * HOUR));
  await store.storeRun({ sourceKey: 'source:W', articles: [article({ sourceKey: 'source:W', title: 'Ferry timetable', published: new Date(T0), categories: [cat('news')] })] });
  const id = await withPostgresClient(url, async (client) => (await client.query<{ id: string }>('SELECT id FROM stories')).rows[0]!.id);
  await cloneBigStories(url, id, 'zh', 40, CHINESE_PARAGRAPH, 1_900_000);
  await cloneBigStories(url, id, 'en', 35, ENGLISH_PARAGRAPH, 1_900_000);

  const dir = await tempDir('big-rebuild');
  const file = path.join(dir, 'aggregator.yaml');
  await writeFile(file, stringify({ server: { host: '127.0.0.1', port: 0 }, storage: { database: url }, sources: [] }));
  const service = startServiceProcess(file, {}, [], true);
  try {
    const base = await service.base();
    let exited = false;
    void service.exited.then(() => (exited = true));
    await waitFor(async () => exited || (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 300_000, 'the service to be ready');
    const ended = exited ? await service.exited : undefined;
    expect(ended ? `exited ${ended.code}: ${/FATAL ERROR.*|\S.*$/.exec(ended.stderr.trim())?.[0]}` : 'running').toBe('running');
    expect(service.lines.find((line) => line.msg === 'search index rebuilt')).toMatchObject({ indexed: 75 });
    const found = await (await fetch(`${base}/search?q=${encodeURIComponent('科技创新')}`)).text();
    expect(found).toContain('zh story ');
    expect(await (await fetch(`${base}/search?q=ferry+timetable`)).text()).toContain('en story ');
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
  }
}, 400_000);
