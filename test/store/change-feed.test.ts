// The change feed on each backend: every unit of work that changes what is published appends one record in its own
// transaction; other connections (other processes) read it by sequence, are woken (SQLite: PRAGMA data_version; PostgreSQL: NOTIFY), claim
// hub announcements exactly once, and learn of a gap when records they had not read were pruned.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { waitFor } from '../ops/harness.js';
import { BACKENDS, freshDatabase, type Backend } from '../support/store-backends.js';
import { FINANCE, TECH, article } from '../fixtures/publish/articles.js';

const policy = createDedupPolicy(12 * 3_600_000);
const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function open(database: string, clock?: () => Date): Promise<Store> {
  const store = await openDatabase(database, policy, clock ? { clock } : {});
  opened.push(store);
  return store;
}
/** A database two stores (two processes) can share: an SQLite file, or a PostgreSQL schema. */
const sharedDb = async (backend: Backend) =>
  backend === 'sqlite' ? path.join(await mkdtemp(path.join(tmpdir(), 'change-feed-')), 'aggregator.db') : freshDatabase(backend);
const run = (store: Store, ...titles: string[]) =>
  store.storeRun({ sourceKey: 'source:Example', articles: titles.map((title, i) => article(title, `2025-01-0${1 + (i % 9)}T08:00:00Z`, title.startsWith('tech') ? [TECH] : [FINANCE])) });

describe.each(BACKENDS)('the change feed on %s', (backend) => {
    it('records one change per unit of work that changed what is published, with its categories, and none otherwise', async () => {
      const store = await open(await freshDatabase(backend));
      expect(await store.latestChangeSeq()).toBe(0);
      await store.declareCategories([FINANCE, TECH]);
      await store.declareCategories([FINANCE, TECH]); // nothing new
      await run(store, 'tech one');
      await run(store, 'tech one'); // unchanged
      await run(store, 'finance one', 'tech two');
      const { changes, latestSeq, gap } = await store.changesSince(0, 100);
      expect(gap).toBe(false);
      expect(changes.map((change) => change.categories)).toEqual([['all', 'tech', '金融'], ['all', 'tech'], ['all', 'tech', '金融']]);
      expect(changes.map((change) => change.seq)).toEqual([...changes.map((change) => change.seq)].sort((a, b) => a - b));
      expect(latestSeq).toBe(changes.at(-1)!.seq);
      expect(await store.latestChangeSeq()).toBe(latestSeq);
      expect((await store.changesSince(latestSeq, 100)).changes).toEqual([]);
      // Paging: at most `limit`, oldest first.
      const first = await store.changesSince(0, 2);
      expect(first.changes).toHaveLength(2);
      expect((await store.changesSince(first.latestSeq, 2)).changes.map((change) => change.seq)).toEqual([latestSeq]);
      const pruned = await store.pruneStories({ maxItemsPerCategory: 1 });
      expect(pruned.pruned).toBeGreaterThan(0);
      expect((await store.changesSince(latestSeq, 10)).changes.map((change) => change.categories)).toEqual([pruned.changedCategories]);
    });

    it('wakes a watcher on another connection (another process) within its poll, and on its own commits', async () => {
      const file = await sharedDb(backend);
      const writer = await open(file);
      const reader = await open(file);
      let readerWakes = 0;
      let writerWakes = 0;
      const stopReader = reader.watchCommits(() => readerWakes++, { pollMs: 20 });
      const stopWriter = writer.watchCommits(() => writerWakes++, { pollMs: 20 });
      await run(writer, 'finance one');
      await waitFor(() => readerWakes > 0 && writerWakes > 0, 5_000, 'both watchers woken');
      const seen = (await reader.changesSince(0, 10)).changes;
      expect(seen.map((change) => change.categories)).toEqual([['all', '金融']]);
      stopReader();
      stopWriter();
    });

    it('gives each announcement to exactly one claimer across connections, only once it is old enough', async () => {
      const file = await sharedDb(backend);
      const a = await open(file);
      const b = await open(file);
      await run(a, 'finance one');
      await run(b, 'tech one');
      const committed = (await a.changesSince(0, 10)).changes;
      expect(await a.claimHubAnnouncements(new Date(committed[0]!.at.getTime() - 1), 10)).toEqual([]);
      const later = new Date(Date.now() + 1000);
      const claims = await Promise.all([a.claimHubAnnouncements(later, 10), b.claimHubAnnouncements(later, 10), a.claimHubAnnouncements(later, 10)]);
      expect(claims.flat().map((change) => change.seq).sort()).toEqual(committed.map((change) => change.seq).sort());
      expect(await b.claimHubAnnouncements(later, 10)).toEqual([]);
    });

    it('reports a gap to a reader behind the pruning point, and none to one past it', async () => {
      let now = Date.parse('2025-01-01T00:00:00Z');
      const store = await open(await freshDatabase(backend), () => new Date(now));
      await run(store, 'finance one');
      const behind = await store.latestChangeSeq();
      now += 86_400_000 * 2;
      await run(store, 'tech one');
      const current = await store.latestChangeSeq();
      expect(await store.pruneChanges(new Date(now - 86_400_000))).toBe(1);
      const fromStart = await store.changesSince(0, 10);
      expect(fromStart.gap).toBe(true);
      expect(fromStart.changes.map((change) => change.seq)).toEqual([current]);
      expect((await store.changesSince(behind, 10)).gap).toBe(false);
      // Everything pruned: the newest sequence is still known, and nothing is reused.
      now += 86_400_000 * 2;
      expect(await store.pruneChanges(new Date(now - 86_400_000))).toBe(1);
      expect(await store.latestChangeSeq()).toBe(current);
      expect(await store.changesSince(current, 10)).toEqual({ changes: [], latestSeq: current, gap: false });
      expect((await store.changesSince(behind, 10)).gap).toBe(true);
      await run(store, 'finance two');
      expect(await store.latestChangeSeq()).toBeGreaterThan(current);
    });

    it('reports a gap to a reader ahead of the database (it was replaced by an older copy)', async () => {
      const store = await open(await freshDatabase(backend));
      await run(store, 'finance one');
      const answer = await store.changesSince(99, 10);
      expect(answer.gap).toBe(true);
      expect(answer.latestSeq).toBe(await store.latestChangeSeq());
    });
});
