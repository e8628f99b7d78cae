// The database commands on PostgreSQL as a user runs them: `migrate`, `backup` (pg_dump, or how to run
// it when missing) and `copy-store` from an SQLite file, keeping the change feed position and seed records.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { FINANCE, TECH, article } from '../fixtures/publish/articles.js';
import { existsSync } from 'node:fs';
import { freePort } from '../support/free-port.js';
import { freshPostgresUrl, openStoreAt } from '../support/store-backends.js';
import { startServiceProcess } from '../process/process-harness.js';
import { tempDir, waitFor, writeConfig } from './harness.js';

const exec = promisify(execFile);
const cli = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; stderr: string; code: number }> =>
  exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env }).then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
const policy = createDedupPolicy(12 * 3_600_000);

async function configFor(database: string): Promise<string> {
  const file = path.join(await tempDir('pg-cli'), 'aggregator.yaml');
  await writeConfig(file, { sources: [], storage: { database } });
  return file;
}

describe('database commands on PostgreSQL', () => {
  it('migrate applies the schema once and says so, without the password', async () => {
    const config = await configFor(await freshPostgresUrl());
    const first = await cli(['migrate', '--config', config]);
    expect(first.stdout).toMatch(/^migrated postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?.* from schema version 0 to \d+\n$/);
    const second = await cli(['migrate', '--config', config]);
    expect(second.stdout).toMatch(/is at schema version \d+: nothing to migrate\n$/);
  });

  it('migrate names the database it cannot reach, without the password', async () => {
    const port = await freePort();
    const failed = await cli(['migrate', '--config', await configFor(`postgresql://feeds:secret@127.0.0.1:${port}/feeds`)]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`cannot open database postgresql://feeds:***@127.0.0.1:${port}/feeds: connect ECONNREFUSED`);
    expect(failed.stderr).not.toContain('secret');
  });

  it('copy-store refuses an SQLite file that does not exist rather than copying an empty database it creates', async () => {
    const missing = path.join(await tempDir('copy-missing'), 'agregator.db');
    const url = await freshPostgresUrl();
    const refused = await cli(['copy-store', '--from', missing, '--to', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot open database ${missing}: no such file`);
    expect(existsSync(missing)).toBe(false);
    // Nothing was written to PostgreSQL either: the real copy still goes in.
    const pg = await openStoreAt(url, policy);
    expect(await pg.latestChangeSeq()).toBe(0);
  });

  it('backup runs pg_dump into the file, and without pg_dump says how to run it', async () => {
    const url = await freshPostgresUrl();
    const store = await openStoreAt(url, policy);
    await store.storeRun({ sourceKey: 'source:Example', articles: [article('Dumped story', '2025-01-01T08:00:00Z', [FINANCE])] });
    const config = await configFor(url);
    const target = path.join(await tempDir('pg-backup'), 'feeds.dump');
    const done = await cli(['backup', target, '--config', config]);
    expect(done.stdout).toMatch(/^backed up postgresql:\/\/.* to .*feeds\.dump \(\d+ bytes\)\n$/);
    const dump = await readFile(target);
    expect(dump.subarray(0, 5).toString()).toBe('PGDMP');
    // pg_restore reads it back: the stored story is in it.
    expect((await exec('pg_restore', ['--data-only', '--file=-', target], { maxBuffer: 64 << 20 })).stdout).toContain('Dumped story');

    // A PATH without pg_dump (node itself is started by its absolute path).
    const missing = await cli(['backup', `${target}.2`, '--config', config], { ...process.env, PATH: await tempDir('no-pg-dump') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/pg_dump is not installed .*run pg_dump --format=custom --file=.*feeds\.dump\.2\.partial/);
  });

  it('copy-store moves an SQLite database into PostgreSQL: stories, merges, sources, seed files, tombstones, the change feed', async () => {
    const dir = await tempDir('copy-store');
    const file = path.join(dir, 'aggregator.db');
    let now = new Date('2025-01-10T00:00:00Z');
    const sqlite = await openSqliteStore(file, policy, { clock: () => now });
    await sqlite.declareCategories([FINANCE, TECH]);
    await sqlite.storeRun({
      sourceKey: 'source:Example',
      articles: [article('Kept story', '2025-01-09T08:00:00Z', [FINANCE]), article('Old story', '2024-06-01T08:00:00Z', [TECH])],
      seedFiles: [{ relPath: 'finance/a.md', size: 120, mtimeMs: 1736400000000.5, hash: 'abc', error: null }],
    });
    // An earlier copy: the story is renamed after it and keeps its first id as its feed guid (copied too).
    await sqlite.storeRun({ sourceKey: 'seed', articles: [article('Kept story', '2025-01-09T07:00:00Z', [TECH], { sourceKey: 'seed', originId: 'finance/a.md', link: null })] });
    await sqlite.recordFetchOutcome({ name: 'Example', url: 'https://example.com/feed' }, { at: now, ok: true, httpStatus: 200, error: null, etag: '"v1"', nextRun: null, added: 2 });
    await sqlite.pruneStories({ olderThan: new Date('2024-12-01T00:00:00Z') });
    now = new Date('2025-01-12T00:00:00Z');
    expect(await sqlite.pruneChanges(new Date('2025-01-11T00:00:00Z'))).toBeGreaterThan(0);
    await sqlite.storeRun({ sourceKey: 'source:Example', articles: [article('Later story', '2025-01-11T08:00:00Z', [TECH])] });
    const expected = {
      stories: await sqlite.listCategoryStories('all', 10),
      categories: await sqlite.listCategories(),
      source: await sqlite.getSourceState('Example'),
      seedFiles: await sqlite.listSeedFiles(),
      changes: await sqlite.changesSince(0, 100),
      latest: await sqlite.latestChangeSeq(),
    };
    const kept = expected.stories.find((story) => story.title === 'Kept story')!;
    expect(kept.feedId).not.toBe(kept.id);
    const keptOrigins = await sqlite.listStoryOrigins(kept.id);
    await sqlite.close();

    const url = await freshPostgresUrl();
    const copied = await cli(['copy-store', '--from', file, '--to', url]);
    expect(copied.stdout).toMatch(/^copied .*aggregator\.db to postgresql:\/\/.*: 2 stories, .*3 origins.*; change feed at \d+\n$/);
    const pg = await openStoreAt(url, policy, { clock: () => now });
    expect(await pg.listCategoryStories('all', 10)).toEqual(expected.stories);
    expect(await pg.listCategories()).toEqual(expected.categories);
    expect(await pg.getSourceState('Example')).toEqual(expected.source);
    expect(await pg.listSeedFiles()).toEqual(expected.seedFiles);
    expect(await pg.listStoryOrigins(kept.id)).toEqual(keptOrigins);
    expect(await pg.latestChangeSeq()).toBe(expected.latest);
    expect(await pg.changesSince(0, 100)).toEqual(expected.changes);
    expect(expected.changes.gap).toBe(true);
    // The word index is not copied: the rebuild (as the service runs it on start) indexes the copied stories.
    expect((await pg.searchStories('later story', 10)).total).toBe(0);
    // A web process leaves the rebuild to the workers: not ready until they have done it.
    const web = startServiceProcess(await configFor(url), {}, ['--port', '0', '--role', 'web']);
    try {
      const base = String((await web.logged((line) => line.msg === 'listening', 'listening', 60_000)).url);
      await web.logged((line) => line.msg === 'search index incomplete: not ready until the workers have rebuilt it', 'the incomplete index noticed', 60_000);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expect(await pg.rebuildSearchIndex(50)).toEqual({ indexed: 2, remaining: 0 });
      await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 60_000, 'the web process to be ready once the index is complete');
    } finally {
      web.child.kill('SIGTERM');
      await web.exited;
    }
    expect((await pg.searchStories('later story', 10)).stories.map((story) => story.title)).toEqual(['Later story']);
    // The completed rebuild is a change of its own (saved searches are rendered again from the whole index).
    expect(await pg.latestChangeSeq()).toBe(expected.latest + 1);
    // The pruned story stays gone, and new changes continue the sequence.
    const again = await pg.storeRun({ sourceKey: 'source:Example', articles: [article('Old story', '2024-06-01T08:00:00Z', [TECH]), article('Newest story', '2025-01-11T09:00:00Z', [TECH])] });
    expect(again).toMatchObject({ added: 1, unchanged: 1 });
    expect(await pg.latestChangeSeq()).toBe(expected.latest + 2);

    // A second copy into the now used database is refused.
    const refused = await cli(['copy-store', '--from', file, '--to', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds data/);
  });
});
