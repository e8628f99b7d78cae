// The change feed on PostgreSQL, where several processes commit at once: sequence order is commit order
// (a follower never skips a change), NOTIFY wakes watchers in other processes, and a watcher whose
// connection was cut reconnects and catches up by sequence.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import type { Store } from '../../src/store/store.js';
import { FINANCE, TECH, article } from '../fixtures/publish/articles.js';
import { waitFor } from '../ops/harness.js';
import { freshPostgresUrl, openStoreAt } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * 3_600_000);
const run = (store: Store, source: string, title: string) =>
  store.storeRun({ sourceKey: `source:${source}`, articles: [article(title, '2025-01-01T08:00:00Z', title.startsWith('tech') ? [TECH] : [FINANCE], { sourceKey: `source:${source}`, originId: title })] });

describe('the change feed on PostgreSQL', () => {
  it('numbers changes in commit order: a follower reading while four writers commit never skips one', async () => {
    const url = await freshPostgresUrl();
    const writers = await Promise.all([1, 2, 3, 4].map(() => openStoreAt(url, policy)));
    const follower = await openStoreAt(url, policy);
    const seen: number[] = [];
    let after = 0;
    let writing = true;
    const follow = (async () => {
      while (writing || after < (await follower.latestChangeSeq())) {
        const answer = await follower.changesSince(after, 1000);
        expect(answer.gap).toBe(false);
        seen.push(...answer.changes.map((change) => change.seq));
        after = answer.latestSeq;
      }
    })();
    await Promise.all(writers.map(async (writer, w) => {
      for (let i = 0; i < 25; i++) await run(writer, `W${w}`, `${i % 2 ? 'tech' : 'finance'} ${w}-${i}`);
    }));
    writing = false;
    await follow;
    const all = (await follower.changesSince(0, 1000)).changes.map((change) => change.seq);
    expect(all).toHaveLength(100);
    expect(seen).toEqual(all);
  });

  it('wakes a watcher in another process on commit, and again after its connection was cut', async () => {
    const url = await freshPostgresUrl();
    const writer = await openStoreAt(url, policy);
    const reader = await openStoreAt(url, policy);
    let wakes = 0;
    // A poll far slower than the test: only NOTIFY (or the reconnect catch-up) can wake it in time.
    const stop = reader.watchCommits(() => wakes++, { pollMs: 60_000 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const listeners = async () => (await admin.query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")).rows as { pid: number }[];
      await waitFor(async () => (await listeners()).length > 0, 5_000, 'the watcher listening');
      const before = wakes;
      await run(writer, 'A', 'finance one');
      await waitFor(() => wakes > before, 5_000, 'woken by NOTIFY');

      // The server drops the listening connection: the watcher reconnects and is woken to catch up.
      for (const { pid } of await listeners()) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const cut = wakes;
      await run(writer, 'A', 'tech one');
      await waitFor(() => wakes > cut, 10_000, 'woken after reconnecting');
      await waitFor(async () => (await listeners()).length > 0, 5_000, 'listening again');
      const again = wakes;
      await run(writer, 'A', 'finance two');
      await waitFor(() => wakes > again, 5_000, 'woken by NOTIFY after reconnecting');
      expect((await reader.changesSince(0, 10)).changes.map((change) => change.categories)).toEqual([['all', FINANCE.slug], ['all', 'tech'], ['all', FINANCE.slug]]);
    } finally {
      stop();
      await admin.end();
    }
  });
});
