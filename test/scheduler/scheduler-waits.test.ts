// The scheduler's own decisions, run for real (cron ticking, real store, real fetches from a real server):
// a source that asked to wait (Retry-After, backoff after a failure, RSS <ttl>, Cache-Control max-age)
// is not fetched on the ticks before that time, also after a restart (the store keeps what each asked); the service's limits on concurrent
// fetches, overall and per host, hold.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';
import { createLimiter } from '../../src/scheduler/limiter.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';
import { startFromFile, tempDir, waitFor } from '../ops/harness.js';
import { rssFeed, serveRss, startHeldFeedServer, type HeldFeedServer } from '../process/process-harness.js';

let feeds: HeldFeedServer;
beforeAll(async () => {
  feeds = await startHeldFeedServer();
  feeds.setFeed('control', serveRss(rssFeed('control', 1)));
  feeds.setFeed('limited', (_req, res) => void res.writeHead(429, { 'retry-after': '3600' }).end());
  feeds.setFeed('failing', (_req, res) => void res.writeHead(500).end());
  feeds.setFeed('ttl', serveRss(rssFeed('ttl', 1, '<ttl>60</ttl>')));
  feeds.setFeed('maxage', serveRss(rssFeed('maxage', 1), { 'cache-control': 'max-age=3600' }));
});
afterAll(() => feeds.close());

const WAITING = ['limited', 'failing', 'ttl', 'maxage'];
const sources = (names: string[]) => names.map((name) => ({ name, url: feeds.url(name), categories: ['news'] }));

describe('the running scheduler waits as long as each source asked', () => {
  it('fetches the control source on every tick and the others not again', async () => {
    const dir = await tempDir('waits');
    // Every second (the jitter is then at most a quarter second), so a few ticks pass quickly.
    const config = configSchema.parse({ storage: { database: path.join(dir, 'a.db') }, schedule: '* * * * * *', sources: sources(['control', ...WAITING]) });
    const store = await openStore(config);
    const logger = pino({ level: 'silent' });
    const scheduler = createScheduler({
      config, store, logger, clock: () => new Date(),
      jobs: createIngestJobs(config, store, logger), limiter: createLimiter(8, 8),
    });
    const before = Object.fromEntries([...WAITING, 'control'].map((name) => [name, feeds.hits(name)]));
    try {
      await scheduler.runAll();
      for (const name of [...WAITING, 'control']) expect(feeds.hits(name), name).toBe(before[name]! + 1);
      scheduler.start();
      await waitFor(() => feeds.hits('control') >= before.control! + 4, 30_000, 'three ticks of the control source');
    } finally {
      await scheduler.stop();
      await store.close();
    }
    for (const name of WAITING) expect(feeds.hits(name), name).toBe(before[name]! + 1);
  });
});

describe('the schedule jitter', () => {
  it('spreads the runs of a source after their cron time (up to a quarter of the interval)', async () => {
    const dir = await tempDir('jitter');
    const offsets: number[] = [];
    feeds.setFeed('jittered', (req, res) => {
      offsets.push(Date.now() % 1000);
      serveRss(rssFeed('jittered', 1))(req, res);
    });
    const config = configSchema.parse({ storage: { database: path.join(dir, 'j.db') }, schedule: '* * * * * *', sources: sources(['jittered']) });
    const store = await openStore(config);
    const logger = pino({ level: 'silent' });
    const scheduler = createScheduler({
      config, store, logger, clock: () => new Date(),
      jobs: createIngestJobs(config, store, logger), limiter: createLimiter(8, 8),
    });
    try {
      scheduler.start();
      await waitFor(() => offsets.length >= 12, 40_000, 'twelve ticks');
    } finally {
      await scheduler.stop();
      await store.close();
    }
    // Without jitter a run starts a few ms into its second (measured: 2–17 ms). With up to 250 ms of it, a
    // run starts 50 ms or later with probability 0.8, so fewer than 3 of 12 such runs happens about once in
    // 10^5; load only delays runs further, so it cannot make this fail.
    expect(offsets.filter((offset) => offset >= 50).length, JSON.stringify(offsets)).toBeGreaterThanOrEqual(3);
  });
});

describe('after a restart', () => {
  it('still waits for Retry-After, the failure backoff, an RSS <ttl> and Cache-Control max-age', async () => {
    const dir = await tempDir('waits-restart');
    const config = { schedule: '0 0 1 1 *', sources: sources(['control', ...WAITING]) };
    const before = Object.fromEntries(['control', ...WAITING].map((name) => [name, feeds.hits(name)]));
    for (let start = 1; start <= 2; start++) {
      const { service } = await startFromFile(dir, config);
      try {
        await service.firstIngest;
      } finally {
        await service.stop();
      }
      expect(feeds.hits('control')).toBe(before.control! + start);
    }
    for (const name of WAITING) expect(feeds.hits(name), name).toBe(before[name]! + 1);
  });
});

interface HostServer { url: string; active: number; max: number; release(): void; close(): Promise<void> }

/** A feed server on one loopback address that holds every answer until released, counting requests open at once. */
async function hostServer(host: string, total: { active: number; max: number }): Promise<HostServer> {
  const held: (() => void)[] = [];
  let releasing = false;
  const state = {
    url: '', active: 0, max: 0,
    release() {
      releasing = true;
      for (const answer of held.splice(0)) answer();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    state.active++;
    total.active++;
    state.max = Math.max(state.max, state.active);
    total.max = Math.max(total.max, total.active);
    res.on('finish', () => {
      state.active--;
      total.active--;
    });
    const answer = () => serveRss(rssFeed(host.replaceAll('.', '-'), 1))(_req, res);
    if (releasing) answer();
    else held.push(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  state.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return state;
}

describe('concurrency limits as the service wires them (fetch.concurrency, fetch.perHost)', () => {
  it('never has more than fetch.concurrency fetches open, nor more than fetch.perHost on one host', async () => {
    const total = { active: 0, max: 0 };
    const hosts = await Promise.all(['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((host) => hostServer(host, total)));
    const [a, b, c] = hosts as [HostServer, HostServer, HostServer];
    const dir = await tempDir('limits');
    const list = [['a1', a], ['a2', a], ['a3', a], ['b1', b], ['c1', c]] as const;
    const { service } = await startFromFile(dir, {
      schedule: '0 0 1 1 *', fetch: { concurrency: 2, perHost: 1 },
      sources: list.map(([name, server]) => ({ name, url: `${server.url}/${name}`, categories: ['news'] })),
    });
    try {
      await waitFor(() => total.active === 2, 20_000, 'two fetches open');
      // Give a broken limiter the chance to open more; a correct one never does, however slow the machine.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(total.active).toBe(2);
      for (const server of hosts) server.release();
      await service.firstIngest;
    } finally {
      await service.stop();
      await Promise.all(hosts.map((server) => server.close()));
    }
    expect(total.max).toBe(2);
    expect(a.max).toBe(1);
    const states = await (await import('../../src/store/sqlite/open-sqlite-store.js')).openSqliteStore(path.join(dir, 'aggregator.db'), (await import('../../src/ingest/dedup.js')).createDedupPolicy(3_600_000));
    try {
      expect((await states.listSourceStates()).map((state) => [state.name, state.consecutiveFailures])).toEqual(list.map(([name]) => [name, 0]));
    } finally {
      await states.close();
    }
  });
});
