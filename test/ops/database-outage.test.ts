// A serving process whose PostgreSQL stops answering (its host hung: connections neither refused nor reset) or
// goes away (refused): /healthz says so at once and /metrics still answers, with `aggregator_database_up 0` and the
// store-read gauges as last read, so the monitoring sees the outage instead of a failed scrape. A cluster of its
// own (stopped and frozen here, never the run's shared one), a real `--role web` process.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { tempDir, waitFor, writeConfig } from './harness.js';
import { startReadyService, type ReadyService } from './processes.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The postmaster and every process it started (the cluster's backends): SIGSTOP on them all is a hung host. */
function clusterPids(cluster: PostgresCluster): number[] {
  const postmaster = Number(readFileSync(path.join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
  return [postmaster, ...children];
}

/** A request that must be answered: bounded, so a hanging answer fails the test by name instead of its timeout. */
async function get(service: ReadyService, route: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${service.base}${route}`, { signal: AbortSignal.timeout(15_000) });
  return { status: response.status, text: await response.text() };
}

const gauge = (text: string, series: string): string | undefined => text.split('\n').find((line) => line.startsWith(`${series} `))?.split(' ')[1];

describe('a serving process whose database hangs or goes away', () => {
  it('answers /healthz 503 and /metrics with aggregator_database_up 0 and the last source figures', { timeout: 120_000 }, async () => {
    const cluster = await startPostgresCluster();
    cleanups.push(() => cluster.stop());
    // One source with a recorded failure, as a worker would have left it.
    const store = await openDatabase(cluster.url, createDedupPolicy(12 * 3_600_000));
    await store.recordFetchOutcome({ name: 'Wire', url: 'http://127.0.0.1:9/feed' }, { at: new Date(), ok: false, httpStatus: 500, error: 'HTTP 500', nextRun: null, added: 0 });
    await store.close();
    const dir = await tempDir('database-outage');
    const configFile = path.join(dir, 'aggregator.yaml');
    await writeConfig(configFile, { storage: { database: cluster.url }, sources: [{ name: 'Wire', url: 'http://127.0.0.1:9/feed', categories: ['News'] }] });
    const web = await startReadyService(configFile, {}, ['--role', 'web']);
    cleanups.push(() => web.stop());

    const before = await get(web, '/metrics');
    expect(gauge(before.text, 'aggregator_database_up')).toBe('1');
    expect(gauge(before.text, 'aggregator_source_consecutive_failures{source="Wire"}')).toBe('1');

    const frozen = clusterPids(cluster);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      expect(await get(web, '/healthz')).toEqual({ status: 503, text: 'database unavailable\n' });
      const hung = await get(web, '/metrics');
      expect(hung.status).toBe(200);
      expect(gauge(hung.text, 'aggregator_database_up')).toBe('0');
      expect(gauge(hung.text, 'aggregator_source_consecutive_failures{source="Wire"}')).toBe('1');
      expect(gauge(hung.text, 'aggregator_process_resident_memory_bytes')).toBeDefined();
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    await waitFor(async () => gauge((await get(web, '/metrics')).text, 'aggregator_database_up') === '1', 30_000, 'the database to answer again');

    cluster.stop();
    expect((await get(web, '/healthz')).status).toBe(503);
    const gone = await get(web, '/metrics');
    expect(gone.status).toBe(200);
    expect(gauge(gone.text, 'aggregator_database_up')).toBe('0');
    expect(gauge(gone.text, 'aggregator_source_consecutive_failures{source="Wire"}')).toBe('1');
  });
});
