// Two schedulers on one SQLite file stand for two workers: they share the polling through leased runs.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { rss, waitFor } from '../ops/harness.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startWorker } from './scheduler-worker.js';

const SOURCES = 30;
let server: FixtureServer | undefined;
let dir: string | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A feed server whose every feed answers after `delayMs`, counting requests in flight at once. */
async function slowFeeds(count: number, delayMs: number) {
  let inFlight = 0;
  let maxInFlight = 0;
  const routes = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `/feed/${i}`,
      (_request: unknown, response: import('node:http').ServerResponse) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        setTimeout(() => {
          inFlight--;
          response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(`Feed ${i}`, [{ title: `Story of feed ${i}`, guid: `f${i}` }]));
        }, delayMs);
      },
    ]),
  );
  server = await startFixtureServer(routes);
  return { maxInFlight: () => maxInFlight };
}

const worker = (config: Config) => startWorker(config, (stop) => cleanups.push(stop));

async function sharedConfig(sources: { name: string; url: string }[], fetch: object = {}): Promise<Config> {
  dir = await mkdtemp(path.join(tmpdir(), 'shared-polling-'));
  return configSchema.parse({ storage: { database: path.join(dir, 'shared.db') }, fetch: { perHost: 2, ...fetch }, sources });
}

describe('two workers on one database', () => {
  it('fetch every due source exactly once between them, at most fetch.perHost at a time on one host', async () => {
    const feeds = await slowFeeds(SOURCES, 20);
    const config = await sharedConfig(Array.from({ length: SOURCES }, (_, i) => ({ name: `feed ${i}`, url: server!.url(`/feed/${i}`) })));
    const [a, b] = [await worker(config), await worker(config)];
    await Promise.all([a.scheduler.runAll({ onlyDue: true }), b.scheduler.runAll({ onlyDue: true })]);
    const counts = new Map<string, number>();
    for (const request of server!.requests) counts.set(request, (counts.get(request) ?? 0) + 1);
    expect(counts.size).toBe(SOURCES);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Each worker alone allows 2 per host; together they still keep to 2.
    expect(feeds.maxInFlight()).toBeLessThanOrEqual(2);
    expect((await a.store.listCategoryStories('all', 100)).length).toBe(SOURCES);
    // Nothing is due any more: a second pass by either fetches nothing.
    await Promise.all([a.scheduler.runAll({ onlyDue: true }), b.scheduler.runAll({ onlyDue: true })]);
    expect(server!.requests).toHaveLength(SOURCES);
  });

  it("take over the run of a worker that died holding its lease, once the lease expires", async () => {
    await slowFeeds(1, 0);
    const config = await sharedConfig([{ name: 'feed 0', url: server!.url('/feed/0') }], { timeout: 200, leaseMargin: 200 });
    const survivor = await worker(config);
    // A worker claims the run and dies before fetching: nobody releases its lease.
    expect(await survivor.store.claimRun({ name: 'feed 0', host: '127.0.0.1', perHost: 2, owner: 'dead-worker', leaseMs: 400, due: 'due' })).toMatchObject({ claimed: true });
    await survivor.scheduler.runAll({ onlyDue: true });
    expect(server!.requests).toEqual([]);
    survivor.scheduler.start();
    await waitFor(async () => (await survivor.store.getSourceState('feed 0'))?.lastSuccess != null, 5_000, 'the survivor to fetch the abandoned source');
    expect(server!.requests).toEqual(['GET /feed/0']);
    expect(await survivor.store.listRunLeases()).toEqual([]);
  });

  it('on a refresh, wait out a run another machine holds (its worker died) and then fetch, not report it done unfetched', async () => {
    await slowFeeds(1, 0);
    const config = await sharedConfig([{ name: 'feed 0', url: server!.url('/feed/0') }], { timeout: 200, leaseMargin: 200 });
    const survivor = await worker(config);
    expect(await survivor.store.claimRun({ name: 'feed 0', host: '127.0.0.1', perHost: 2, owner: 'elsewhere:4242:cafebabe', leaseMs: 400, due: 'due' })).toMatchObject({ claimed: true });
    expect(await survivor.scheduler.refresh('feed 0')).toEqual(['feed 0']);
    expect(server!.requests).toEqual(['GET /feed/0']);
    expect((await survivor.store.getSourceState('feed 0'))?.lastSuccess).not.toBeNull();
    expect(await survivor.store.listRunLeases()).toEqual([]);
  });

  it('on restart, do not wait for the leases of a killed process on the same machine', async () => {
    await slowFeeds(1, 0);
    const config = await sharedConfig([{ name: 'feed 0', url: server!.url('/feed/0') }]);
    const restarted = await worker(config);
    // A process of this machine that is gone (its pid no longer runs) left a live lease behind.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const owner = `${hostname()}:${gone}:cafebabe`;
    expect(await restarted.store.claimRun({ name: 'feed 0', host: '127.0.0.1', perHost: 2, owner, leaseMs: 600_000, due: 'due' })).toMatchObject({ claimed: true });
    await restarted.scheduler.runAll({ skipBackedOff: true });
    expect(server!.requests).toEqual(['GET /feed/0']);
    expect(await restarted.store.listRunLeases()).toEqual([]);
  });
});
