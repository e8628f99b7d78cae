// A serving process whose PostgreSQL stops answering (its host hung: connections neither refused nor reset) or
// goes away (refused): /healthz says so at once and /metrics still answers, with `aggregator_database_up 0` and the
// store-read gauges as last read, so the monitoring sees the outage instead of a failed scrape. A cluster of its
// own (stopped and frozen here, never the run's shared one), a real `--role web` process. A request that needs the
// database while its host hangs is answered 503 (the serving reads are bounded), cached feeds still 200, and
// /readyz stays 200 (the process still serves what it has); after the host resumes the same request is answered.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { article } from '../fixtures/publish/articles.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';
import { tempDir, waitFor, writeConfig } from './harness.js';
import { startReadyService, type ReadyService } from './processes.js';
import { pino } from 'pino';
import { configSchema } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';
import { rssFeed, serveRss, startHeldFeedServer } from '../process/process-harness.js';

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

/** A request waited for however long it takes: only the test's timeout bounds it (the code under test must). */
async function answer(service: ReadyService, route: string): Promise<{ status: number; retryAfter: string | null; text: string }> {
  const response = await fetch(`${service.base}${route}`);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), text: await response.text() };
}

/** SIGSTOP on the cluster (a hung host), undone by the returned function and, if the test fails first, by its cleanup. */
function freeze(cluster: PostgresCluster): () => void {
  const frozen = clusterPids(cluster);
  for (const pid of frozen) process.kill(pid, 'SIGSTOP');
  let thawed = false;
  const thaw = () => {
    if (thawed) return;
    thawed = true;
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
  };
  cleanups.push(thaw);
  return thaw;
}

/** A real `--role web` process on the cluster, with one source configured (never fetched here). */
async function startWebProcess(cluster: PostgresCluster): Promise<ReadyService> {
  const configFile = path.join(await tempDir('database-outage'), 'aggregator.yaml');
  await writeConfig(configFile, { storage: { database: cluster.url }, sources: [{ name: 'Wire', url: 'http://127.0.0.1:9/feed', categories: ['News'] }] });
  const web = await startReadyService(configFile, {}, ['--role', 'web']);
  cleanups.push(() => web.stop());
  return web;
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
    const web = await startWebProcess(cluster);

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

  it('answers a request that needs the database 503 while its host hangs, serves cached feeds, and answers it again after', { timeout: 120_000 }, async () => {
    const cluster = await startPostgresCluster();
    cleanups.push(() => cluster.stop());
    const news = { slug: 'news', name: 'News' };
    const store = await openDatabase(cluster.url, createDedupPolicy(12 * 3_600_000));
    await store.storeRun({ sourceKey: 'source:Wire', articles: [
      article('Harbour bridge reopens', '2025-01-02T08:00:00Z', [news], { sourceKey: 'source:Wire' }),
      ...Array.from({ length: 30 }, (_, i) => article(`Ferry timetable change ${i}`, `2025-01-01T${String(i % 24).padStart(2, '0')}:${String(i).padStart(2, '0')}:00Z`, [news], { sourceKey: 'source:Wire' })),
    ] });
    const [story, ...others] = await store.listCategoryStories('news', 31);
    await store.close();
    const web = await startWebProcess(cluster);
    const cached = '/feeds/news.rss';
    const uncached = [`/stories/${story!.id}`, '/search?q=bridge'];
    expect((await answer(web, cached)).status).toBe(200);

    const thaw = freeze(cluster);
    for (const route of uncached) {
      expect(await answer(web, route)).toEqual({ status: 503, retryAfter: '5', text: 'Database unavailable, retry in a moment\n' });
    }
    // The first failure logged whole (with its url and cause), the next counted in a line per window naming a few urls.
    const failed = () => web.lines.filter((line) => line.msg === 'request failed');
    await waitFor(() => failed().length > 0, 10_000, 'the first failure to be logged');
    expect(failed()).toMatchObject([{ url: uncached[0], cause: expect.stringContaining('no answer from the database') }]);
    const summarised = () => web.lines.filter((line) => line.msg === 'requests failed: database unavailable');
    await waitFor(() => summarised().length > 0, 30_000, 'the later failures to be summarised');
    expect(summarised()[0]).toMatchObject({ urls: [uncached[1]], failed: 1 });
    // Many at once (two render at a time, the rest wait their turn): each answered as soon, not one pair per bound.
    const crowd = await Promise.all(others.map((other) => answer(web, `/stories/${other.id}`)));
    expect(crowd.map(({ status, text }) => `${status} ${text}`)).toEqual(others.map(() => '503 Database unavailable, retry in a moment\n'));
    expect((await answer(web, cached)).status).toBe(200);
    // Still ready: behind a load balancer this process keeps serving what it has cached (README, "Failures").
    expect(await answer(web, '/readyz')).toMatchObject({ status: 200, text: 'ready\n' });
    // Each of them counted in /metrics, none logged one by one.
    expect(failed()).toHaveLength(1);
    const counted = await answer(web, '/metrics');
    expect(gauge(counted.text, 'aggregator_http_requests_total{route="/stories/:id",method="GET",status="503"}')).toBe(String(1 + others.length));
    thaw();

    // Nothing else asks the database meanwhile (no /healthz, no /metrics): the store's own probe lets reads through.
    await waitFor(async () => (await answer(web, uncached[0]!)).status === 200, 30_000, 'the database to answer again');
    // At once, every time: no connection left waiting on the hung host's answers.
    for (let round = 0; round < 3; round++) for (const route of uncached) expect((await answer(web, route)).status).toBe(200);
    // Said once that requests stopped failing, with how many did.
    const stopped = () => web.lines.filter((line) => line.msg === 'requests no longer fail on the database');
    await waitFor(() => stopped().length > 0, 60_000, 'the end of the failures to be logged');
    expect(stopped()).toHaveLength(1);
    expect(Number(stopped()[0]!.failed)).toBeGreaterThanOrEqual(2 + others.length);
  });

  it('lets a source run started while the host hangs wait for it and succeed after, not fail it on the serving bounds', { timeout: 120_000 }, async () => {
    const cluster = await startPostgresCluster();
    cleanups.push(() => cluster.stop());
    const feeds = await startHeldFeedServer();
    cleanups.push(() => feeds.close());
    const names = ['alpha', 'beta', 'gamma'];
    for (const name of names) feeds.setFeed(name, serveRss(rssFeed(name, 2)));
    const config = configSchema.parse({ storage: { database: cluster.url }, sources: names.map((name) => ({ name, url: feeds.url(name), categories: ['News'] })) });
    const store = await openStore(config);
    cleanups.push(() => store.close());
    const jobs = createIngestJobs(config, store, pino({ level: 'silent' }));
    for (const source of config.sources) expect((await jobs.runSource(source)).ok).toBe(true);

    const thaw = freeze(cluster);
    const runs = config.sources.map((source) => jobs.runSource(source));
    // A read made to serve a request fails once its bounds have passed (5 s to connect, then a ping confirming no
    // answer): by then a run reading on those bounds would have failed too.
    await expect(store.listCategories()).rejects.toThrow(/no database connection within 5 s|no answer from the database/);
    // What a web process's /admin/refresh status reads is bounded too: answered 503, not held for the hang.
    await expect(store.getRefreshRequest(1)).rejects.toThrow(/not asked again until it answers/);
    await expect(store.listRunLeases()).rejects.toThrow(/not asked again until it answers/);
    thaw();
    const finished = await Promise.all(runs);
    expect(finished.map((run) => [run.ok, run.error ?? null])).toEqual(names.map(() => [true, null]));
    // Serving reads go through again once the store's probe has had an answer.
    let states: Awaited<ReturnType<typeof store.listSourceStates>> = [];
    await waitFor(async () => (states = await store.listSourceStates().catch(() => [])).length > 0, 30_000, 'serving reads to go through again');
    expect(states.map((state) => [state.name, state.consecutiveFailures, state.lastError])).toEqual(names.map((name) => [name, 0, null]));
  });

  it('reads again as soon as a unit of work that waited out the hang got its answer', { timeout: 120_000 }, async () => {
    const cluster = await startPostgresCluster();
    cleanups.push(() => cluster.stop());
    const store = await openDatabase(cluster.url, createDedupPolicy(12 * 3_600_000));
    cleanups.push(() => store.close());
    const source = { name: 'Wire', url: 'http://127.0.0.1:9/feed' };
    const thaw = freeze(cluster);
    // A serving read (a status page's source list) gets no answer within its bounds.
    await expect(store.listSourceStates()).rejects.toThrow(/no (answer from the database|database connection) within/);
    // A worker's claim or record (unbounded: it waits for the host), answered once the host resumes.
    const recorded = store.recordFetchOutcome(source, { at: new Date(), ok: true, httpStatus: 200, error: null, nextRun: null, added: 1 });
    thaw();
    await recorded;
    // The database answered that: the next read goes to it, not failed by the store's wait for its next ping.
    expect(await store.listSourceStates()).toMatchObject([{ name: 'Wire', addedTotal: 1 }]);
  });
});
