// Migrating a database that holds stories can take seconds (one transaction; SQLite 18 / PostgreSQL 13 measure
// every story's text): its start and end are logged with the stories' count and the time it took.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { migrations as postgresMigrations } from '../../src/store/postgres/migrations.js';
import { sqliteBeforeTheIndex } from '../support/sqlite-before-the-index.js';
import { freshPostgresUrl, withPostgresClient } from '../support/store-backends.js';
import { openDatabase } from '../../src/store/open-database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const capture = () => {
  const lines: { msg: string; obj: Record<string, unknown> }[] = [];
  const log = { info: (obj: object, msg: string) => void lines.push({ msg, obj: obj as Record<string, unknown> }), warn: () => {}, error: () => {} };
  return { lines, log };
};

it('logs the start and end of migrating an SQLite database that holds stories', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'migration-log-'));
  dirs.push(dir);
  const file = path.join(dir, 'old.db');
  sqliteBeforeTheIndex(file, [0, 1, 2].map((i) => ({ title: `Story ${i}`, html: '<p>x</p>' })));
  const { lines, log } = capture();
  await (await openDatabase(file, createDedupPolicy(43_200_000), { log })).close();
  expect(lines.map((line) => line.msg)).toEqual(['migrating the database', 'database migrated']);
  expect(lines[0]!.obj).toEqual({ from: 7, to: migrations.length, stories: 3 });
  expect(lines[1]!.obj).toMatchObject({ from: 7, to: migrations.length, stories: 3, duration_ms: expect.any(Number) });
});

it('logs the start and end of migrating a PostgreSQL database that holds stories, and nothing for a new one', async () => {
  const url = await freshPostgresUrl();
  await withPostgresClient(url, async (client) => {
    for (const sql of postgresMigrations.slice(0, 12)) await client.query(sql);
    await client.query('CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (12)');
    await client.query(`INSERT INTO stories (id, title_key, published_ms, updated_ms, title, links_json, categories_json, content_html, summary, content_hash, row_hash)
      SELECT 's' || i, 'k' || i, 0, 0, 'Story ' || i, '[]', '[]', '<p>x</p>', '', '', '' FROM generate_series(1, 4) AS i`);
  });
  const { lines, log } = capture();
  const store = await openDatabase(url, createDedupPolicy(43_200_000), { log });
  await store.close();
  expect(lines.map((line) => [line.msg, line.obj.from, line.obj.stories])).toEqual([['migrating the database', 12, 4], ['database migrated', 12, 4]]);
  const fresh = capture();
  await (await openDatabase(await freshPostgresUrl(), createDedupPolicy(43_200_000), { log: fresh.log })).close();
  expect(fresh.lines).toEqual([]);
});
