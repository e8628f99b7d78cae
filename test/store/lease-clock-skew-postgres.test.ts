// Leases on PostgreSQL hold across machines whose clocks disagree: expiry is written and compared on the database's
// clock, so a worker whose clock runs 90 s ahead (a 60 s lease) neither takes over a live lease nor sees it expired.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';
import type { Store } from '../../src/store/store.js';
import { freshPostgresUrl } from '../support/store-backends.js';

const exec = promisify(execFile);
const opened: Store[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

async function claimOnSkewedMachine(url: string, name: string, skewMs: number, due: 'always' | 'due' = 'always') {
  const child = ['--import', 'tsx', '--import', './test/store/skewed-clock.ts', 'test/store/skewed-claim-child.ts', url, name, due];
  const { stdout } = await exec(process.execPath, child, {
    env: { ...process.env, SKEW_MS: String(skewMs) },
  });
  return JSON.parse(stdout) as { claim: { claimed: boolean; reason?: string }; expired: string[] };
}

describe('run leases across machines with clocks apart (PostgreSQL)', () => {
  it('a worker 90 s ahead finds a live 60 s lease held, not expired', async () => {
    const url = await freshPostgresUrl();
    const store = await openDatabase(url, createDedupPolicy(12 * 3_600_000));
    opened.push(store);
    const claim = { name: 'Wire', host: 'news.example.org', perHost: 2, owner: 'machine-a:1:ontime', leaseMs: 60_000, due: 'always' } as const;
    expect(await store.claimRun(claim)).toMatchObject({ claimed: true });
    expect(await claimOnSkewedMachine(url, 'Wire', 90_000)).toEqual({ claim: { claimed: false, reason: 'held' }, expired: [] });
    // The skewed worker's own lease lasts its 60 s on the database's clock: the on-time worker sees it live.
    expect(await claimOnSkewedMachine(url, 'Other', 90_000)).toMatchObject({ claim: { claimed: true } });
    expect((await store.listRunLeases()).map((lease) => [lease.name, lease.expired])).toEqual([['Wire', false], ['Other', false]]);
  });

  it('a worker 90 s ahead runs a source due on its own clock (due times are its own; only leases follow the database)', async () => {
    const url = await freshPostgresUrl();
    expect(await claimOnSkewedMachine(url, 'Wire', 90_000, 'due')).toMatchObject({ claim: { claimed: true } });
  });
});
