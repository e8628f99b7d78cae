// A `--role worker` process whose PostgreSQL is stopped (connections refused) and started again: its refresh-request
// poller (every second) and its lease sweep (every quarter lease) log the outage the way the web's error handler
// does: the first failure whole, then a summary line per window, and one line when the database answers again,
// instead of a line per poll for as long as the outage lasts. A cluster of its own, stopped and started here.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPostgresCluster } from '../support/postgres-cluster.js';
import { tempDir, waitFor, writeConfig } from './harness.js';
import { startReadyService } from './processes.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const POLLER = {
  first: 'refresh requests: reading or running failed',
  summary: 'refresh requests: still failing, database unavailable',
  ended: 'refresh requests: the database answers again',
};
const SWEEP = {
  first: 'run failed unexpectedly',
  summary: 'lease sweep: still failing, database unavailable',
  ended: 'lease sweep: the database answers again',
};

describe('a worker whose PostgreSQL refuses connections for a while', () => {
  it('logs the poller\'s and the lease sweep\'s first failure whole, then summaries, then the recovery', { timeout: 120_000 }, async () => {
    const cluster = await startPostgresCluster();
    cleanups.push(() => cluster.stop());
    const configFile = path.join(await tempDir('worker-outage-log'), 'aggregator.yaml');
    await writeConfig(configFile, {
      storage: { database: cluster.url },
      // Yearly: nothing runs during the outage but the poller and the sweep (every 0.5 s: a quarter of 1 s + 1 s).
      schedule: '0 0 1 1 *',
      fetch: { timeout: '1s', leaseMargin: '1s' },
      sources: [{ name: 'Wire', url: 'http://127.0.0.1:9/feed', categories: ['News'] }],
    });
    const worker = await startReadyService(configFile, {}, ['--role', 'worker']);
    cleanups.push(() => worker.stop());
    const said = (msg: string, source?: string) => worker.lines.filter((line) => line.msg === msg && (source === undefined || line.source === source));

    cluster.pause();
    // The first window's summary of each: 10 s of polls after the first (the poller ~10, the sweep ~20).
    await waitFor(() => said(POLLER.summary).length > 0 && said(SWEEP.summary).length > 0, 60_000, 'the poller and the sweep to summarise their failures');
    expect(said(POLLER.first)).toHaveLength(1);
    expect(said(SWEEP.first, 'lease sweep')).toHaveLength(1);
    // Whole: what failed, the driver's cause and the stack.
    expect(said(POLLER.first)[0]).toMatchObject({ level: 50, error: expect.stringMatching(/^listing refresh requests failed: /), cause: expect.stringContaining(' ← '), stack: expect.stringContaining('StoreError') });
    expect(said(SWEEP.first, 'lease sweep')[0]).toMatchObject({ level: 50, error: expect.stringMatching(/^listing run leases failed: /), stack: expect.stringContaining('StoreError') });
    expect(said(POLLER.summary)[0]).toMatchObject({ level: 50, windowSeconds: 10, failed: expect.any(Number), errors: expect.arrayContaining([expect.stringMatching(/ECONNREFUSED/)]) });
    expect(Number(said(POLLER.summary)[0]!.failed)).toBeGreaterThan(1);
    expect(Number(said(SWEEP.summary)[0]!.failed)).toBeGreaterThan(1);

    cluster.resume();
    await waitFor(() => said(POLLER.ended).length > 0 && said(SWEEP.ended).length > 0, 60_000, 'the poller and the sweep to say the database answers again');
    // The end counts every failure: the first, the summarised ones and those of the window cut short.
    const total = (messages: typeof POLLER) => 1 + said(messages.summary).reduce((sum, line) => sum + Number(line.failed), 0);
    expect(Number(said(POLLER.ended)[0]!.failed)).toBeGreaterThanOrEqual(total(POLLER));
    expect(Number(said(SWEEP.ended)[0]!.failed)).toBeGreaterThanOrEqual(total(SWEEP));
    expect(said(POLLER.ended)[0]).toMatchObject({ level: 30, since: expect.any(String), lastFailure: expect.any(String), downSeconds: expect.any(Number) });
    // Still one whole line each: no line per poll at any time.
    expect(said(POLLER.first)).toHaveLength(1);
    expect(said(SWEEP.first, 'lease sweep')).toHaveLength(1);
  });
});
