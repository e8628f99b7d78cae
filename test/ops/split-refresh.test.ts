// POST /admin/refresh in a split deployment (README "Scaling out"), with real processes on each backend: a `web`
// process records the request and answers 202 with where to follow it; a worker runs it (once, whichever of two
// claims it), and when that worker is killed mid-refresh the other takes the request over.
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rssFeed, serveRss, startHeldFeedServer, type HeldFeedServer } from '../process/process-harness.js';
import { BACKENDS, freshPostgresUrl } from '../support/store-backends.js';
import { tempDir, waitFor, writeConfig } from './harness.js';
import { startReadyService, type ReadyService } from './processes.js';

const TOKEN = 'split-refresh-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };
const running: ReadyService[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Status {
  id: number;
  state: string;
  source: string | null;
  runBy: string | null;
  refreshed: string[] | null;
}

async function setUp(backend: 'sqlite' | 'postgres'): Promise<{ configFile: string; feeds: HeldFeedServer }> {
  const dir = await tempDir('split-refresh');
  const feeds = await startHeldFeedServer();
  cleanups.push(() => feeds.close());
  for (const name of ['alpha', 'beta']) feeds.setFeed(name, serveRss(rssFeed(name, 2)));
  const configFile = path.join(dir, 'aggregator.yaml');
  await writeConfig(configFile, {
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: backend === 'postgres' ? await freshPostgresUrl() : path.join(dir, 'aggregator.db') },
    admin: { token: TOKEN },
    // Yearly: after the start-up pass, nothing runs unless asked.
    schedule: '0 0 1 1 *',
    fetch: { timeout: '2s', leaseMargin: '1s' },
    sources: ['alpha', 'beta'].map((name) => ({ name, url: feeds.url(name), categories: ['news'], allowPrivateNetworks: true })),
  });
  return { configFile, feeds };
}

async function start(configFile: string, role: 'web' | 'worker'): Promise<ReadyService> {
  const service = await startReadyService(configFile, {}, ['--role', role]);
  running.push(service);
  return service;
}

async function requestRefresh(web: string, query = ''): Promise<{ status: number; location: string | null; body: Status }> {
  const response = await fetch(`${web}/admin/refresh${query}`, { method: 'POST', headers: auth });
  return { status: response.status, location: response.headers.get('location'), body: (await response.json()) as Status };
}
const follow = async (web: string, location: string) => (await (await fetch(`${web}${location}`, { headers: auth })).json()) as Status;

/** A web process and two workers; a refresh of alpha is running on one of them (the victim), its fetch held. */
async function refreshHeldOnOneOfTwoWorkers(backend: 'sqlite' | 'postgres') {
  const { configFile, feeds } = await setUp(backend);
  const web = (await start(configFile, 'web')).base;
  const workers = await Promise.all([start(configFile, 'worker'), start(configFile, 'worker')]);
  feeds.hold('alpha');
  const asked = await requestRefresh(web, '?source=alpha');
  await waitFor(() => feeds.waiting('alpha') === 1, 20_000, 'a worker to fetch alpha');
  const running = await follow(web, asked.location!);
  expect(running.state).toBe('running');
  const victim = workers.find((worker) => running.runBy?.startsWith(`${hostname()}:${worker.process.child.pid}:`))!;
  return { web, feeds, asked, victim };
}

describe.each(BACKENDS)('POST /admin/refresh on a web process, run by a worker, on %s', (backend) => {
  it('answers 202 with where to follow it; a worker runs it once; unknown sources are refused at once', { timeout: 120_000 }, async () => {
    const { configFile, feeds } = await setUp(backend);
    const web = (await start(configFile, 'web')).base;
    await Promise.all([start(configFile, 'worker'), start(configFile, 'worker')]);
    expect([feeds.hits('alpha'), feeds.hits('beta')]).toEqual([1, 1]);

    const one = await requestRefresh(web, '?source=alpha');
    expect(one.status).toBe(202);
    expect(one.location).toBe(`/admin/refresh/${one.body.id}`);
    expect(one.body).toMatchObject({ source: 'alpha', refreshed: null });
    await waitFor(async () => (await follow(web, one.location!)).state === 'done', 20_000, 'the refresh of alpha to finish');
    expect(await follow(web, one.location!)).toMatchObject({ id: one.body.id, state: 'done', refreshed: ['alpha'], runBy: null });
    expect([feeds.hits('alpha'), feeds.hits('beta')]).toEqual([2, 1]);

    const everything = await requestRefresh(web);
    expect(everything.status).toBe(202);
    await waitFor(async () => (await follow(web, everything.location!)).state === 'done', 20_000, 'the refresh of everything to finish');
    expect((await follow(web, everything.location!)).refreshed?.sort()).toEqual(['alpha', 'beta']);
    expect([feeds.hits('alpha'), feeds.hits('beta')]).toEqual([3, 2]);

    const unknown = await fetch(`${web}/admin/refresh?source=gamma`, { method: 'POST', headers: auth });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${web}/admin/refresh/999999`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${web}${one.location}`)).status).toBe(401);
  });

  it('after kill -9 of the worker running it, the other worker takes the request over', { timeout: 120_000 }, async () => {
    const { web, feeds, asked, victim } = await refreshHeldOnOneOfTwoWorkers(backend);
    victim.process.child.kill('SIGKILL');
    await victim.process.exited;
    await waitFor(async () => (await follow(web, asked.location!)).runBy?.startsWith(`${hostname()}:${victim.process.child.pid}:`) === false, 30_000, 'the other worker to take the request over');
    feeds.release('alpha');
    await waitFor(async () => (await follow(web, asked.location!)).state === 'done', 30_000, 'the refresh to finish');
    expect(await follow(web, asked.location!)).toMatchObject({ state: 'done', refreshed: ['alpha'] });
    // The start-up pass, the victim's request (answered after it died) and the taker's.
    expect(feeds.hits('alpha')).toBe(3);
  });

  it('after SIGTERM of the worker running it, the request stays open and the other worker runs it', { timeout: 120_000 }, async () => {
    const { web, feeds, asked, victim } = await refreshHeldOnOneOfTwoWorkers(backend);
    // The stop gives the unanswered fetch up: the request must not be recorded as done by it.
    expect(await victim.stop()).toBe(0);
    expect((await follow(web, asked.location!)).state).not.toBe('done');
    await waitFor(async () => (await follow(web, asked.location!)).runBy?.startsWith(`${hostname()}:${victim.process.child.pid}:`) === false, 30_000, 'the other worker to take the request over');
    feeds.release('alpha');
    await waitFor(async () => (await follow(web, asked.location!)).state === 'done', 30_000, 'the refresh to finish');
    expect(await follow(web, asked.location!)).toMatchObject({ state: 'done', refreshed: ['alpha'] });
    // The start-up pass, the stopped worker's request (given up) and the taker's.
    expect(feeds.hits('alpha')).toBe(3);
  });
});
