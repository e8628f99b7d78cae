// Leased runs: two stores on one database (one SQLite file, or one PostgreSQL database) stand for two
// workers sharing it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { RunClaim, Store } from '../../src/store/store.js';
import { BACKENDS, freshPostgresUrl, type Backend } from '../support/store-backends.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
let now = T0;
const clock = () => new Date(now);
let dir: string | undefined;
const opened: Store[] = [];

/** Two workers' connections to one database, on one pinned clock. */
async function twoWorkers(backend: Backend): Promise<[Store, Store]> {
  dir = await mkdtemp(path.join(tmpdir(), 'leases-'));
  const file = backend === 'sqlite' ? path.join(dir, 'shared.db') : await freshPostgresUrl();
  const a = await openDatabase(file, createDedupPolicy(12 * 3_600_000), { clock });
  const b = await openDatabase(file, createDedupPolicy(12 * 3_600_000), { clock });
  opened.push(a, b);
  return [a, b];
}

const expiredNames = async (store: Store) => (await store.listRunLeases()).filter((lease) => lease.expired).map((lease) => lease.name);
const claim = (owner: string, extra: Partial<RunClaim> = {}): RunClaim => ({
  name: 'Wire', host: 'news.example.org', perHost: 2, owner, leaseMs: 60_000, due: 'due', ...extra,
});
const source = { name: 'Wire', url: 'https://news.example.org/wire.rss' };
const recordRun = (store: Store, nextRunMs: number, ok = true) =>
  store.recordFetchOutcome(source, { at: new Date(now), ok, httpStatus: ok ? 200 : 503, error: ok ? null : 'HTTP 503', nextRun: new Date(nextRunMs), added: 0 });

afterEach(async () => {
  now = T0;
  for (const store of opened.splice(0)) await store.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(BACKENDS)('leased runs on %s', (backend) => {
    it('gives a due run to one worker; the other is refused while it runs and after its outcome is recorded', async () => {
      const [a, b] = await twoWorkers(backend);
      expect(await a.claimRun(claim('worker-a'))).toEqual({ claimed: true, expiresAt: new Date(T0 + 60_000) });
      expect(await b.claimRun(claim('worker-b'))).toEqual({ claimed: false, reason: 'held' });
      // The owner's own second claim is refused too: one run at a time, whoever asks.
      expect(await a.claimRun(claim('worker-a'))).toEqual({ claimed: false, reason: 'held' });
      await recordRun(a, T0 + 15 * 60_000);
      await a.releaseRun('Wire', 'worker-a');
      expect(await b.claimRun(claim('worker-b'))).toEqual({ claimed: false, reason: 'not-due' });
      // At the next due time either may take it.
      now = T0 + 15 * 60_000;
      expect((await b.claimRun(claim('worker-b'))).claimed).toBe(true);
    });

    it('honours each way of asking: due, not backed off, always', async () => {
      const [a] = await twoWorkers(backend);
      await recordRun(a, T0 + 30 * 60_000, false);
      expect(await a.claimRun(claim('w', { due: 'due' }))).toMatchObject({ reason: 'not-due' });
      expect(await a.claimRun(claim('w', { due: 'not-backed-off' }))).toMatchObject({ reason: 'not-due' });
      expect(await a.claimRun(claim('w', { due: 'always' }))).toMatchObject({ claimed: true });
      await a.releaseRun('Wire', 'w');
      await recordRun(a, T0 + 30 * 60_000, true);
      expect(await a.claimRun(claim('w', { due: 'not-backed-off' }))).toMatchObject({ claimed: true });
    });

    it('lets another worker take over a lease that expired, and leaves a taken-over lease to its new owner', async () => {
      const [a, b] = await twoWorkers(backend);
      await a.claimRun(claim('dead-worker', { leaseMs: 1_000 }));
      expect(await b.listRunLeases()).toEqual([{ name: 'Wire', owner: 'dead-worker', expiresAt: new Date(T0 + 1_000), expired: false }]);
      expect(await expiredNames(b)).toEqual([]);
      now += 1_000;
      expect(await expiredNames(b)).toEqual(['Wire']);
      expect(await b.claimRun(claim('worker-b'))).toMatchObject({ claimed: true });
      expect(await expiredNames(b)).toEqual([]);
      // The old owner waking up late cannot release what is no longer its own.
      await a.releaseRun('Wire', 'dead-worker');
      expect(await a.claimRun(claim('worker-c'))).toEqual({ claimed: false, reason: 'held' });
    });

    it('drops an expired lease whose run is no longer due (the owner recorded the outcome, then died)', async () => {
      const [a, b] = await twoWorkers(backend);
      await a.claimRun(claim('dead-worker', { leaseMs: 1_000 }));
      await recordRun(a, T0 + 15 * 60_000);
      now += 2_000;
      expect(await expiredNames(b)).toEqual(['Wire']);
      expect(await b.claimRun(claim('worker-b'))).toEqual({ claimed: false, reason: 'not-due' });
      expect(await expiredNames(b)).toEqual([]);
    });

    it('keeps a renewed lease alive past its first expiry', async () => {
      const [a, b] = await twoWorkers(backend);
      await a.claimRun(claim('worker-a', { leaseMs: 1_000 }));
      now += 900;
      expect(await a.renewRuns('worker-a', 1_000)).toBe(1);
      now += 900;
      expect(await expiredNames(b)).toEqual([]);
      expect(await b.claimRun(claim('worker-b'))).toMatchObject({ reason: 'held' });
      expect(await b.renewRuns('worker-b', 1_000)).toBe(0);
    });

    it('holds fetch.perHost across workers: live leases per host, expired ones not counted, no host for the seed folder', async () => {
      const [a, b] = await twoWorkers(backend);
      const on = (name: string, owner: string, host: string | null = 'news.example.org') => claim(owner, { name, host, perHost: 2, leaseMs: 1_000 });
      expect(await a.claimRun(on('one', 'worker-a'))).toMatchObject({ claimed: true });
      expect(await b.claimRun(on('two', 'worker-b'))).toMatchObject({ claimed: true });
      expect(await b.claimRun(on('three', 'worker-b'))).toEqual({ claimed: false, reason: 'host-busy' });
      expect(await b.claimRun(on('elsewhere', 'worker-b', 'other.example.org'))).toMatchObject({ claimed: true });
      expect(await b.claimRun(on('seed folder', 'worker-b', null))).toMatchObject({ claimed: true });
      await a.releaseRun('one', 'worker-a');
      expect(await b.claimRun(on('three', 'worker-b'))).toMatchObject({ claimed: true });
      now += 1_000;
      expect(await a.claimRun(on('four', 'worker-a'))).toMatchObject({ claimed: true });
    });
    it('gives each run to exactly one of many simultaneous claims, and no more than perHost runs of a busy host', async () => {
      const [a, b] = await twoWorkers(backend);
      // Four owners (two per connection) claim every run at once, as workers joining one pass do.
      const claimAll = (names: string[], host: (name: string) => string, perHost: number) =>
        Promise.all(names.flatMap((name) => [a, b, a, b].map(async (store, i) => ({ name, owner: `worker-${i}`, result: await store.claimRun(claim(`worker-${i}`, { name, host: host(name), perHost })) }))));
      const won = (outcomes: Awaited<ReturnType<typeof claimAll>>) => outcomes.filter((outcome) => outcome.result.claimed);

      // Each run on its own host: every run claimed, each by one owner, and the lease names that owner.
      const own = Array.from({ length: 20 }, (_, i) => `own host ${i}`);
      const ownWins = won(await claimAll(own, (name) => `${name.replaceAll(' ', '-')}.example.org`, 2));
      expect(ownWins.map((win) => win.name).sort()).toEqual([...own].sort());
      const leases = await a.listRunLeases();
      for (const win of ownWins) expect(leases.find((lease) => lease.name === win.name)?.owner).toBe(win.owner);

      // Ten runs on one host with perHost 3, five rounds: three claimed each time, never more.
      for (let round = 0; round < 5; round++) {
        const names = Array.from({ length: 10 }, (_, i) => `round ${round} source ${i}`);
        const wins = won(await claimAll(names, () => `busy-${round}.example.org`, 3));
        expect(new Set(wins.map((win) => win.name)).size).toBe(3);
        expect(wins).toHaveLength(3);
        expect((await b.listRunLeases()).filter((lease) => lease.name.startsWith(`round ${round} `))).toHaveLength(3);
      }
    });
});
