// Issue #15 finding 4: SQLite searches run in a worker thread with its own read-only connection, so a slow
// search never holds the event loop. Real store files, a real HTTP server, a real worker thread.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BusyError } from '../../src/errors.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { createSearchThread } from '../../src/store/sqlite/search-thread.js';
import type { StoreLog } from '../../src/store/store-log.js';
import type { Store } from '../../src/store/store.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { serveStore } from '../server/serve.js';

const work = mkdtempSync(path.join(tmpdir(), 'search-thread-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let files = 0;
const freshFile = (): string => path.join(work, `store-${++files}.db`);
const policy = createDedupPolicy(12 * 3_600_000);

/** Stories of random words all starting with qq: the query `qq*` merges every one of their word lists (~1 s). */
async function storeSlowToSearch(store: Store, stories = 1_000, words = 150): Promise<void> {
  let seed = 7;
  const word = (): string => `qq${((seed = (seed * 48271) % 2147483647) % 1e9).toString(36)}`;
  for (let batch = 0; batch < stories / 200; batch++) {
    const articles = Array.from({ length: 200 }, (_, i) =>
      article(`Story ${batch * 200 + i}`, '2024-12-01T00:00:00Z', [TECH], { contentHtml: `<p>${Array.from({ length: words }, word).join(' ')}</p>` }));
    await store.storeRun({ sourceKey: 'source:A', articles });
  }
}

function recordingLog(): StoreLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_obj, msg) => void lines.push(`warn ${msg}`), error: (_obj, msg) => void lines.push(`error ${msg}`) };
}

/** How a promise settled, without throwing. */
const settled = <T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> =>
  promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

describe('the SQLite search thread', () => {
  it('keeps the event loop free: a timer and /healthz answer while a slow search runs', async () => {
    const store = await openSqliteStore(freshFile(), policy);
    const served = await serveStore(store);
    try {
      await storeSlowToSearch(store);
      const events: string[] = [];
      const search = store.searchStories('qq*', 20).then((result) => {
        events.push('search');
        return result;
      });
      await new Promise((resolve) => setImmediate(resolve));
      events.push('immediate');
      const health = await fetch(`${served.base}/healthz`);
      events.push(`healthz ${health.status}`);
      const result = await search;
      expect(events).toEqual(['immediate', 'healthz 200', 'search']);
      expect(result.total).toBeGreaterThan(0);
    } finally {
      await served.close();
      await store.close();
    }
  }, 120_000);

  it('finds a story the moment storeRun returns, run after run', async () => {
    const store = await openSqliteStore(freshFile(), policy);
    try {
      for (let i = 0; i < 20; i++) {
        await store.storeRun({ sourceKey: 'source:A', articles: [article(`Zeppelin number${i} lands`, '2024-12-01T00:00:00Z', [TECH])] });
        const found = await store.searchStories(`number${i}`, 5);
        expect(found.stories.map((s) => s.title)).toEqual([`Zeppelin number${i} lands`]);
        expect(found.stories[0]!.categories).toEqual([TECH]);
        expect((await store.searchStories('zeppelin', 50)).total).toBe(i + 1);
      }
    } finally {
      await store.close();
    }
  });

  it('answers every query as the in-thread search does (ranking, phrases, prefixes, exclusions, categories)', async () => {
    const articles = [
      article('Central bank cuts rates', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>The central bank cut its policy rate.</p>' }),
      article('Bank of the central plains', '2024-12-02T00:00:00Z', [TECH], { contentHtml: '<p>A regional bank expands.</p>' }),
      article('深圳速度背后的金融科技力量', '2024-12-03T00:00:00Z', [FINANCE], { contentHtml: '<p>前海的創新</p>' }),
      article('Tariffs rise again', '2024-11-01T00:00:00Z', [FINANCE], { contentHtml: '<p>Tariffs on steel and tariffs on aluminium.</p>' }),
      article('Markets today', '2024-12-05T00:00:00Z', [FINANCE], { contentHtml: '<p>Stocks and one mention of tariffs.</p>' }),
    ];
    const queries = ['"central bank"', 'central bank', 'ban*', 'bank -rates', `bank category:${TECH.slug}`, '-bank', '深圳', '創新', 'tariffs', 'nothing'];
    const answers = async (database: string) => {
      const { store } = await openTestStore('2025-01-01T00:00:00Z', database);
      try {
        await store.storeRun({ sourceKey: 'source:A', articles });
        return await Promise.all(queries.map((query) => store.searchStories(query, 3)));
      } finally {
        await store.close();
      }
    };
    const threaded = await answers(freshFile());
    expect(threaded.map((result) => result.total)).toEqual([1, 2, 2, 1, 1, 0, 1, 1, 2, 0]);
    expect(threaded).toEqual(await answers(':memory:'));
  });

  it('answers a bad query with the QueryError of the in-thread search', async () => {
    const store = await openSqliteStore(freshFile(), policy);
    try {
      await store.storeRun({ sourceKey: 'source:A', articles: [article('Zeppelin lands', '2024-12-01T00:00:00Z', [TECH])] });
      const threaded = await settled(store.searchStories('zeppelin category:', 5));
      const memory = await openSqliteStore(':memory:', policy);
      const inThread = await settled(memory.searchStories('zeppelin category:', 5));
      await memory.close();
      expect(threaded).toEqual(inThread);
    } finally {
      await store.close();
    }
  });

  it('refuses searches beyond its queue with a BusyError, and serves the rest', async () => {
    const file = freshFile();
    const store = await openSqliteStore(file, policy, { searchThread: { queueLimit: 2 } });
    try {
      await storeSlowToSearch(store, 400, 100);
      // One runs, two wait, the fourth is refused at once.
      const searches = [1, 2, 3, 4].map(() => settled(store.searchStories('qq*', 5)));
      const outcomes = await Promise.all(searches);
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false]);
      const refused = outcomes[3]!;
      expect(!refused.ok && refused.error).toBeInstanceOf(BusyError);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('answers a search the full queue refuses with 503 and Retry-After', async () => {
    const store = await openSqliteStore(freshFile(), policy, { searchThread: { queueLimit: 0 } });
    const served = await serveStore(store);
    try {
      await storeSlowToSearch(store, 400, 100);
      const running = settled(store.searchStories('qq*', 5));
      const res = await fetch(`${served.base}/search?q=story`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('Busy: too many searches at once, retry in a moment\n');
      expect((await running).ok).toBe(true);
      expect((await fetch(`${served.base}/search?q=story`)).status).toBe(200);
    } finally {
      await served.close();
      await store.close();
    }
  }, 60_000);

  it('replaces a thread whose search runs past the timeout, logs it, and searches on in a new thread', async () => {
    // The timeout sits between what `q*` and a one-word search cost here and now (measured on the calling
    // thread; nearer the slow one, since a search in a new thread also prepares its statements): far from
    // both whether the machine is idle or loaded ten times over.
    const file = freshFile();
    const calibrating = await openSqliteStore(file, policy, { searchThread: false });
    await storeSlowToSearch(calibrating);
    const cost = async (query: string): Promise<number> => {
      const started = performance.now();
      await calibrating.searchStories(query, 20);
      return performance.now() - started;
    };
    const timeoutMs = Math.max(1, Math.round(Math.cbrt((await cost('qq*')) ** 2 * Math.max(0.5, await cost('story 7')))));
    await calibrating.close();
    const log = recordingLog();
    const store = await openSqliteStore(file, policy, { searchThread: { timeoutMs }, log });
    try {
      const slow = await settled(store.searchStories('qq*', 20));
      expect(!slow.ok && slow.error).toBeInstanceOf(BusyError);
      expect(log.lines).toEqual(['warn a search ran past its timeout: its thread is replaced']);
      expect((await store.searchStories('story 7', 5)).stories.map((s) => s.title)).toEqual(['Story 7']);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('starts a new thread after one dies, logging the death', async () => {
    const file = freshFile();
    const store = await openSqliteStore(file, policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [article('Zeppelin lands', '2024-12-01T00:00:00Z', [TECH])] });
    const log = recordingLog();
    // A thread on a file that is not a database dies opening it; the next search starts another.
    const broken = createSearchThread(path.join(work, 'missing.db'), { log });
    try {
      const first = await settled(broken.search({ expression: 'zeppelin', phrases: ['zeppelin'], categories: [] }, 5, Date.now()));
      expect(!first.ok && String(first.error)).toMatch(/searching stories failed: the search thread crashed: .*missing\.db/);
      expect(log.lines).toEqual(['error search thread died: a new one starts with the next search']);
      await settled(broken.search({ expression: 'zeppelin', phrases: ['zeppelin'], categories: [] }, 5, Date.now()));
      expect(broken.started).toBe(2);
    } finally {
      await broken.close();
      await store.close();
    }
  });

  it('leaves no thread behind when the store closes, and refuses searches after', async () => {
    const threads = (): number => readdirSync('/proc/self/task').length;
    // Threads of earlier tests may still be exiting: start from a count that holds still.
    const steady = async (): Promise<number> => {
      let last = threads();
      for (let same = 0, tries = 0; same < 5 && tries < 500; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const now = threads();
        same = now === last ? same + 1 : 0;
        last = now;
      }
      return last;
    };
    const store = await openSqliteStore(freshFile(), policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [article('Zeppelin lands', '2024-12-01T00:00:00Z', [TECH])] });
    const before = await steady();
    expect((await store.searchStories('zeppelin', 5)).total).toBe(1);
    const during = threads();
    expect(during).toBeGreaterThan(before);
    await store.close();
    // The search thread's OS thread is gone (other threads of the process may come and go meanwhile).
    const deadline = Date.now() + 10_000;
    while (threads() >= during && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(threads()).toBeLessThan(during);
    await expect(store.searchStories('zeppelin', 5)).rejects.toThrow(/the store is closed/);
  });
});
