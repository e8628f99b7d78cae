// Issue 15 finding 6: a query FTS5 cannot parse is the client's mistake (QueryError → 400 with a
// plain message), never a database failure (500 with a stack trace in the log). The word index quotes
// every word it passes to FTS5, so user text no longer reaches its parser: the mapping is kept as a
// safety net and tested on a real FTS5 syntax error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { QueryError, StoreError } from '../../src/errors.js';
import { createRenderCache } from '../../src/publish/render-cache.js';
import { createApp } from '../../src/server/create-app.js';
import { rejectingBadQuery } from '../../src/store/sqlite/search-query.js';
import type { Store } from '../../src/store/store.js';
import { TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { BACKENDS, freshDatabase, type Backend } from '../support/store-backends.js';

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** A real FTS5 query statement, to make a real syntax error with. */
function fts(): Database.Statement {
  const db = new Database(':memory:');
  db.exec('CREATE VIRTUAL TABLE t USING fts5(body)');
  return db.prepare('SELECT rowid FROM t WHERE t MATCH ?');
}

async function seeded(backend: Backend = 'sqlite'): Promise<Store> {
  const { store } = await openTestStore('2025-01-01T00:00:00Z', await freshDatabase(backend));
  stores.push(store);
  await store.storeRun({ sourceKey: 'source:Example', articles: [article('New chips arrive', '2024-12-31T08:00:00Z', [TECH])] });
  return store;
}

describe('search queries the index cannot run', () => {
  it('reject with a QueryError naming the problem, not a StoreError', async () => {
    const error = (() => {
      try {
        return rejectingBadQuery(() => fts().all('"abc'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(QueryError);
    expect(error).not.toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe('Bad search query (unterminated string): use words and "quoted phrases"');
  });

  it('answer 400 with the plain message and log nothing', async () => {
    const store = await seeded();
    // A query text only the store sees: the HTTP layer refuses control characters before this.
    const rewriting: Store = { ...store, searchStories: async () => rejectingBadQuery(() => fts().all('"abc') as never) };
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cache = createRenderCache({ store: rewriting, site: { baseUrl: base, title: 't' }, items: 50 });
    const logged: object[] = [];
    server.on('request', createApp({ store, cache, config: { server: { baseUrl: base }, feeds: { title: 't', items: 50 } }, logger: { error: (obj) => logged.push(obj), info: (obj) => logged.push(obj) } }));
    try {
      const res = await fetch(`${base}/feeds/search.rss?q=chips`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^Bad search query \(.+\): use words and "quoted phrases"\n$/);
      expect(logged).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe.each(BACKENDS)('search queries on %s', (backend) => {
  it('are not made by user text: quotes, operators and control characters are words or nothing', async () => {
    const store = await seeded(backend);
    for (const query of ['\u0000abc', '"chips', 'chips AND OR NOT', 'NEAR(chips', '*', '-', 'chips^', 'title:chips']) {
      await expect(store.searchStories(query, 10), query).resolves.toBeDefined();
    }
    expect((await store.searchStories('"chips', 10)).total).toBe(1);
    expect((await store.searchStories('chips', 10)).total).toBe(1);
  });

  it('refuse a prefix of fewer than 2 characters with a QueryError naming it, and run longer ones', async () => {
    const store = await seeded(backend);
    for (const [query, term] of [['c*', 'c*'], ['new -c*', 'c*'], ['深*', '深*'], ['e-m*', 'e-m*'], ['Ｃ*', 'C*']]) {
      const error = await store.searchStories(query!, 10).then(() => null, (e: unknown) => e);
      expect(error, query).toBeInstanceOf(QueryError);
      expect((error as Error).message).toBe(`Bad search query (the prefix ${term} is too short): a prefix needs at least 2 characters before the *`);
    }
    expect((await store.searchStories('ch*', 10)).total).toBe(1);
    expect((await store.searchStories('new -ar*', 10)).total).toBe(0);
  });
});
