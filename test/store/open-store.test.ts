import { describe, it, expect, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { StoreError } from '../../src/errors.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { BACKENDS, freshDatabase, openStoreAt, type Backend } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  dirs.push(dir);
  return join(dir, 'nested', 'aggregator.db');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('openSqliteStore', () => {
  it('creates the file and its folder, migrates, and reopens with everything kept', async () => {
    const path = tempDb();
    const store = await openSqliteStore(path, policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', title: 'Persisted', categories: [cat('finance')] })] });
    await store.recordFetchOutcome({ name: 'A', url: 'https://a.example/' }, { at: at(0), ok: true, httpStatus: 200, error: null, nextRun: null, added: 1 });
    await store.close();

    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    check.close();

    const reopened = await openSqliteStore(path, policy);
    expect((await reopened.listCategoryStories('finance', 10)).map((story) => story.title)).toEqual(['Persisted']);
    expect(await reopened.getSourceState('A')).toMatchObject({ addedTotal: 1 });
    // Re-ingesting after a restart is still idempotent.
    expect(await reopened.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', title: 'Persisted', categories: [cat('finance')] })] })).toMatchObject({ unchanged: 1, added: 0 });
    expect(await reopened.ping()).toBe(true);
    await reopened.close();
    expect(await reopened.ping()).toBe(false);
  });

  it('refuses a database written by a newer schema, naming the file', async () => {
    const path = tempDb();
    await (await openSqliteStore(path, policy)).close();
    const db = new Database(path);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    const opening = openSqliteStore(path, policy);
    await expect(opening).rejects.toBeInstanceOf(StoreError);
    await expect(opening).rejects.toThrow(path);
  });

  it('refuses a file that is not a database', async () => {
    const path = tempDb();
    await (await openSqliteStore(path, policy)).close();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, 'not a database, just text that is long enough to have a header '.repeat(10));
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    await expect(openSqliteStore(path, policy)).rejects.toBeInstanceOf(StoreError);
  });
});

/** Plants a failure late in a unit of work from another connection: the category index of a story in `boom`. */
interface Saboteur {
  origins(): Promise<number>;
  disarm(): Promise<void>;
}

async function plantFailure(backend: Backend, database: string): Promise<Saboteur> {
  if (backend === 'sqlite') {
    const db = new Database(database);
    db.exec(`CREATE TRIGGER fail_on_boom BEFORE INSERT ON story_categories WHEN NEW.slug = 'boom'
      BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    return {
      origins: async () => (db.prepare('SELECT count(*) AS n FROM origins').get() as { n: number }).n,
      disarm: async () => {
        db.exec('DROP TRIGGER fail_on_boom');
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  await client.query(`
    CREATE FUNCTION fail_on_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.slug = 'boom' THEN RAISE EXCEPTION 'disk full (simulated)'; END IF; RETURN NEW; END $$;
    CREATE TRIGGER fail_on_boom BEFORE INSERT ON story_categories FOR EACH ROW EXECUTE FUNCTION fail_on_boom();`);
  return {
    origins: async () => Number((await client.query('SELECT count(*) AS n FROM origins')).rows[0].n),
    disarm: async () => {
      await client.query('DROP TRIGGER fail_on_boom ON story_categories');
      await client.end();
    },
  };
}

describe.each(BACKENDS)('a failing storeRun on %s', (backend) => {
  it('rolls back entirely and throws a StoreError naming the source', async () => {
    const database = backend === 'sqlite' ? tempDb() : await freshDatabase(backend);
    const store = await openStoreAt(database, policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', originId: 'old', title: 'Already here', categories: [cat('finance')] })] });
    const latest = await store.latestChangeSeq();
    const saboteur = await plantFailure(backend, database);

    const doomed = {
      sourceKey: 'source:B',
      articles: [
        article({ sourceKey: 'source:B', originId: 'b1', title: 'Already here', published: at(1), categories: [cat('tech')] }),
        article({ sourceKey: 'source:B', originId: 'b2', title: 'Explodes', published: at(2), categories: [cat('boom')] }),
      ],
      seedFiles: [{ relPath: 'x.md', size: 1, mtimeMs: 1.5, hash: 'h', error: null }],
    };
    const failing = store.storeRun(doomed);
    await expect(failing).rejects.toBeInstanceOf(StoreError);
    await expect(failing).rejects.toThrow(/source:B.*disk full/);

    // Nothing half-written: no origin, story, category count, seed record or change of the failed run.
    const stories = await store.listCategoryStories('all', 10);
    expect(stories.map((story) => [story.title, story.categories.map((ref) => ref.slug)])).toEqual([['Already here', ['finance']]]);
    expect(await store.getCategory('tech')).toBeNull();
    expect(await store.getCategory('all')).toMatchObject({ count: 1 });
    expect(await store.listSeedFiles()).toEqual(new Map());
    expect(await saboteur.origins()).toBe(1);
    expect(await store.latestChangeSeq()).toBe(latest);

    // Once the cause is gone the same run succeeds as if for the first time.
    await saboteur.disarm();
    expect(await store.storeRun(doomed)).toMatchObject({ added: 1, merged: 1, updated: 0, unchanged: 0 });
    expect(await store.listSeedFiles()).toEqual(new Map([['x.md', { relPath: 'x.md', size: 1, mtimeMs: 1.5, hash: 'h', error: null, warning: null }]]));
  });
});
