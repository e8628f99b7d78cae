// The PostgreSQL store as a server database: migrations (once, under a lock; newer schemas refused),
// all-or-nothing units of work, and merges that stay race-free across processes' concurrent runs.
import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { StoreError } from '../../src/errors.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openStore } from '../../src/ingest-jobs.js';
import { startService } from '../../src/main.js';
import { startWebService, startWorkerService } from '../../src/service/start-roles.js';
import { migrations } from '../../src/store/postgres/migrations.js';
import { openPostgresStore } from '../../src/store/postgres/open-postgres-store.js';
import { KEPT_CONNECTIONS, createPool, createServingPool } from '../../src/store/postgres/pool.js';
import { warmSearchConnections } from '../../src/store/postgres/search.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { freshPostgresUrl, openStoreAt, withPostgresClient } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);

const withClient = withPostgresClient;

describe('openPostgresStore', () => {
  it('migrates once even when processes start together, and reopens with everything kept', async () => {
    const url = await freshPostgresUrl();
    const [a, b, c] = await Promise.all([openStoreAt(url, policy), openStoreAt(url, policy), openStoreAt(url, policy)]);
    await a!.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', title: 'Persisted', categories: [cat('finance')] })] });
    await b!.recordFetchOutcome({ name: 'A', url: 'https://a.example/' }, { at: at(0), ok: true, httpStatus: 200, error: null, nextRun: null, added: 1 });
    expect((await c!.listCategoryStories('finance', 10)).map((story) => story.title)).toEqual(['Persisted']);
    await Promise.all([a!.close(), b!.close(), c!.close()]);
    expect(await withClient(url, async (client) => (await client.query('SELECT version FROM schema_version')).rows)).toEqual([{ version: migrations.length }]);

    const reopened = await openStoreAt(url, policy);
    expect(await reopened.getSourceState('A')).toMatchObject({ addedTotal: 1 });
    expect(await reopened.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', title: 'Persisted', categories: [cat('finance')] })] })).toMatchObject({ unchanged: 1, added: 0 });
    expect(await reopened.ping()).toBe(true);
    expect(await reopened.sizeBytes()).toBeGreaterThan(0);
    await reopened.close();
    expect(await reopened.ping()).toBe(false);
  });

  it('opens the connections its pool keeps, runs a search on each and reads the newest stories\' search rows before it returns, when opened to serve searches (the first searches are not the slow ones)', async () => {
    const url = await freshPostgresUrl();
    // Named, so the store's server processes are told from the other tests' on the same cluster.
    const store = await openPostgresStore(`${url}&application_name=warmed-store`, policy, { warmSearch: true });
    // The store's server processes, each showing the last statement it ran.
    const backends = await withClient(url, async (client) => (await client.query<{ query: string }>(
      "SELECT query FROM pg_stat_activity WHERE application_name = 'warmed-store'")).rows);
    await store.close();
    // Its serving pool's (pool.ts createServingPool); the pool of its units of work keeps the one the migration used.
    const searched = backends.filter(({ query }) => /FROM story_search|JOIN stories s ON s\.id = r\.id/.test(query));
    expect(searched).toHaveLength(KEPT_CONNECTIONS);
    // And one of them read the newest stories' search rows (what a common word's search walks first).
    expect(backends.map(({ query }) => query)).toContainEqual(expect.stringMatching(/FROM story_search ORDER BY published_ms DESC LIMIT 2000/));
  });

  it('warms each connection with one statement at a time (a client runs one query at a time; pg 9 refuses a second sent while one runs)', async () => {
    const url = await freshPostgresUrl();
    const store = await openStoreAt(url, policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', title: 'Harbour news', categories: [cat('news')] })] });
    // Each of pg's clients, counting the statements it was sent and has not answered yet.
    const overlaps: string[] = [];
    const searched = new Set<pg.PoolClient>();
    const pool = new pg.Pool({ connectionString: url });
    pool.on('connect', (client) => {
      const send = client.query.bind(client) as (...args: unknown[]) => unknown;
      let unanswered = 0;
      client.query = ((...args: unknown[]) => {
        const text = String((args[0] as { text?: string }).text ?? args[0]);
        if (unanswered > 0) overlaps.push(text);
        if (/story_search/.test(text)) searched.add(client);
        const result = send(...args);
        if (result instanceof Promise) {
          unanswered++;
          void result.finally(() => { unanswered--; }).catch(() => undefined);
        }
        return result;
      }) as typeof client.query;
    });
    try {
      await warmSearchConnections(pool, KEPT_CONNECTIONS, Date.parse('2025-01-01T00:00:00Z'));
    } finally {
      await pool.end();
    }
    expect(overlaps).toEqual([]);
    // And each connection still ran a search.
    expect(searched.size).toBe(KEPT_CONNECTIONS);
  });

  it('warms its connections only in a process that serves searches: roles all and web do at open, `npm run ingest` and role worker do not', async () => {
    const url = await freshPostgresUrl();
    const logger = pino({ level: 'silent' });
    // Each process's store on its own application_name, so its server processes are told apart.
    const configAs = (name: string) => configSchema.parse({
      server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
      storage: { database: `${url}&application_name=${name}` }, sources: [],
    });
    /** The last statement of each server process of `name`'s store, read while it is open. */
    const lastStatements = async (name: string) => withClient(url, async (client) => (await client.query<{ query: string }>(
      'SELECT query FROM pg_stat_activity WHERE application_name = $1', [name])).rows.map((row) => row.query));
    // What only a search (or the warm-up's read of the newest rows) runs.
    const searchStatement = /words @@ to_tsquery|JOIN stories s ON s\.id = r\.id|ORDER BY published_ms DESC LIMIT/;

    // `npm run ingest` (cli.ts), role worker and the cluster primary open the store through openStore without serving.
    const ingest = await openStore(configAs('ingest-open'));
    const ingestStatements = await lastStatements('ingest-open');
    await ingest.close();
    const worker = await startWorkerService(configAs('worker-open'), logger, { env: {} });
    const workerStatements = await lastStatements('worker-open');
    await worker.stop();
    const web = await startWebService(configAs('web-open'), logger, { env: {} });
    const webStatements = await lastStatements('web-open');
    await web.stop();
    const all = await startService(configAs('all-open'), logger, { env: {} });
    const allStatements = await lastStatements('all-open');
    await all.stop();

    for (const statements of [ingestStatements, workerStatements]) {
      expect(statements.length).toBeGreaterThan(0);
      expect(statements.filter((query) => searchStatement.test(query))).toEqual([]);
    }
    // Warmed (each kept connection ran a search; the store's first statements after the open may reuse some of them).
    for (const statements of [webStatements, allStatements]) {
      expect(statements.length).toBeGreaterThanOrEqual(KEPT_CONNECTIONS);
      expect(statements).toContainEqual(expect.stringMatching(searchStatement));
    }
  });

  it('reads ahead and sorts in memory on its connections: raises effective_io_concurrency and work_mem, never lowers them', async () => {
    const url = await freshPostgresUrl();
    const settings = async (poolUrl: string) => {
      const pool = createPool(poolUrl, 1);
      try {
        return (await pool.query<{ eic: string; work_mem: string }>(
          "SELECT current_setting('effective_io_concurrency') AS eic, current_setting('work_mem') AS work_mem")).rows[0];
      } finally {
        await pool.end();
      }
    };
    expect(await settings(url)).toEqual({ eic: '64', work_mem: '16MB' });
    // Higher already (the server's or the URL's own): kept.
    const options = new URL(url).searchParams.get('options')!;
    const higher = url.replace(/options=[^&]*/, `options=${encodeURIComponent(`${options} -c effective_io_concurrency=200 -c work_mem=64MB`)}`);
    expect(await settings(higher)).toEqual({ eic: '200', work_mem: '64MB' });
  });

  it('bounds the statements of its serving pool on the server too (statement_timeout 10 s, a stricter one kept), not those of its units of work', async () => {
    const url = await freshPostgresUrl();
    const timeout = async (pool: ReturnType<typeof createPool>) => {
      try {
        return (await pool.query<{ t: string }>("SELECT current_setting('statement_timeout') AS t")).rows[0]!.t;
      } finally {
        await pool.end();
      }
    };
    const options = new URL(url).searchParams.get('options')!;
    const withTimeout = (value: string) => url.replace(/options=[^&]*/, `options=${encodeURIComponent(`${options} -c statement_timeout=${value}`)}`);
    expect(await timeout(createServingPool(url, 1))).toBe('10s');
    expect(await timeout(createServingPool(withTimeout('2s'), 1))).toBe('2s');
    expect(await timeout(createServingPool(withTimeout('5min'), 1))).toBe('10s');
    // Migrations, imports and the search index rebuild run as long as they need.
    expect(await timeout(createPool(url, 1))).toBe('0');
  });

  it('refuses a database written by a newer schema, naming the database', async () => {
    const url = await freshPostgresUrl();
    await (await openPostgresStore(url, policy)).close();
    await withClient(url, (client) => client.query('UPDATE schema_version SET version = $1', [migrations.length + 1]));
    const opening = openPostgresStore(url, policy);
    await expect(opening).rejects.toBeInstanceOf(StoreError);
    await expect(opening).rejects.toThrow(/127\.0\.0\.1.*schema version \d+ is newer/);
  });

  it('names the database, without its password, when it cannot be reached', async () => {
    const opening = openPostgresStore('postgresql://feeds:s3cret@127.0.0.1:1/feeds', policy);
    await expect(opening).rejects.toBeInstanceOf(StoreError);
    await expect(opening).rejects.toThrow(/postgresql:\/\/feeds:\*\*\*@127\.0\.0\.1:1\/feeds/);
    await expect(opening).rejects.not.toThrow(/s3cret/);
  });
});

describe('concurrent storeRuns on PostgreSQL', () => {
  it('merge one story told by two sources at the same moment: one story, two origins, every time', async () => {
    const url = await freshPostgresUrl();
    // Two stores: two pools, as two worker processes would have.
    const [first, second] = [await openStoreAt(url, policy), await openStoreAt(url, policy)];
    const rounds = 40;
    for (let round = 0; round < rounds; round++) {
      const title = `Breaking story number ${round}`;
      const runs = (['A', 'B'] as const).map((name, index) => ({
        sourceKey: `source:${name}`,
        articles: [article({ sourceKey: `source:${name}`, originId: `${name}-${round}`, title, published: at(round * 48 + index), categories: [cat('news')] })],
      }));
      const results = await Promise.all([first.storeRun(runs[0]!), second.storeRun(runs[1]!)]);
      // One of them created the story, the other merged into it, in whichever order they committed.
      expect(results.map((r) => r.added + r.merged)).toEqual([1, 1]);
      expect(results.reduce((sum, r) => sum + r.added, 0)).toBe(1);
    }
    const stories = await first.listCategoryStories('all', rounds * 2);
    expect(stories).toHaveLength(rounds);
    for (const story of stories) {
      expect((await first.listStoryOrigins(story.id)).map((origin) => origin.sourceKey).sort()).toEqual(['source:A', 'source:B']);
    }
    expect(await first.getCategory('news')).toMatchObject({ count: rounds });
  });

  it('merge the same way when one of them is a bulk import (one merge lock instead of one per key)', async () => {
    const url = await freshPostgresUrl();
    const [first, second] = [await openStoreAt(url, policy), await openStoreAt(url, policy)];
    for (let round = 0; round < 10; round++) {
      const bulk = Array.from({ length: 300 }, (_, i) =>
        article({ sourceKey: 'seed', originId: `${round}/${i}.md`, title: `Seed story ${round} ${i}`, published: at(round * 48), link: null }));
      const [, single] = await Promise.all([
        first.storeRun({ sourceKey: 'seed', articles: bulk }),
        second.storeRun({ sourceKey: 'source:B', articles: [article({ sourceKey: 'source:B', originId: `b-${round}`, title: `Seed story ${round} 150`, published: at(round * 48 + 1) })] }),
      ]);
      expect(single.added + single.merged).toBe(1);
    }
    expect(await first.listCategoryStories('all', 5000)).toHaveLength(3000);
  });
});
