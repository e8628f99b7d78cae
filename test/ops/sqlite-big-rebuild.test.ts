// An SQLite database from before the word index (schema 7) holding stories of megabytes: `npm run ingest`
// (192 MB of heap, as a user runs it) indexes them before its pass. The rebuild read 50 whole bodies a slice
// and segmented them all before writing any, which ran the process out of heap; it now reads, segments and
// indexes one story at a time, at most REBUILD_SLICE_CHARS of bodies a slice, and still indexes whole bodies.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { buildOnce } from '../support/build-once.js';
import { CHINESE_PARAGRAPH } from '../support/big-stories.js';
import { sqliteBeforeTheIndex } from '../support/sqlite-before-the-index.js';
import { openStoreAt } from '../support/store-backends.js';
import { tempDir } from './harness.js';

beforeAll(() => buildOnce(), 180_000);

/** A schema-7 database (before migration 8's word index) with `count` stories of `chars` characters of Chinese. */
function databaseBeforeTheIndex(file: string, count: number, chars: number): void {
  // Its last word tells the whole body was indexed (as the writer indexes it), not only its start.
  const body = `${CHINESE_PARAGRAPH.repeat(Math.ceil(chars / CHINESE_PARAGRAPH.length))}<p>zebrafinch</p>`;
  sqliteBeforeTheIndex(file, Array.from({ length: count }, (_, i) => ({ title: `Old story ${i + 1}`, html: body })));
}

it('`npm run ingest` indexes 20 old stories of 1.9 MB each and exits 0', async () => {
  const dir = await tempDir('sqlite-big-rebuild');
  const database = path.join(dir, 'old.db');
  databaseBeforeTheIndex(database, 20, 1_900_000);
  const config = path.join(dir, 'aggregator.yaml');
  await writeFile(config, stringify({ storage: { database }, sources: [] }));
  const child = spawn('npm', ['run', '--silent', 'ingest', '--', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(`exit ${code} ${/FATAL ERROR.*/.exec(stderr)?.[0] ?? ''}`.trim()).toBe('exit 0');
  const store = await openStoreAt(database, createDedupPolicy(12 * 3_600_000));
  expect(await store.searchIndexComplete()).toBe(true);
  await store.close();
  // Counted in the index itself: a search renders its results, and 20 bodies of 1.9 MB are not what this is about.
  const db = new Database(database, { readonly: true });
  const count = (word: string) => db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM story_words WHERE story_words MATCH ?').get(word)!.n;
  expect([count('北京'), count('zebrafinch')]).toEqual([20, 20]);
  db.close();
}, 400_000);
