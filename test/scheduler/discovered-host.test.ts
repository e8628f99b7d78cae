// fetch.perHost counts the host a run fetches from: a feed discovered on a source's page is polled in its own
// host's slots, not in the page host's.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { rss } from '../ops/harness.js';
import { startWorker } from './scheduler-worker.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server on `host` answering `routes`; feeds answer after 100 ms, counting how many are in flight at once. */
async function serverOn(host: string, routes: Record<string, () => { type: string; body: string; slow: boolean }>) {
  let inFlight = 0;
  const stats = { maxInFlight: 0, requests: [] as string[] };
  const server: Server = createServer((request, response) => {
    stats.requests.push(request.url!);
    const route = routes[request.url!];
    if (!route) return void response.writeHead(404).end();
    const { type, body, slow } = route();
    if (!slow) return void response.writeHead(200, { 'content-type': type }).end(body);
    stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
    setTimeout(() => {
      inFlight--;
      response.writeHead(200, { 'content-type': type }).end(body);
    }, 100);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { base: `http://${host}:${(server.address() as AddressInfo).port}`, stats };
}

it('counts a discovered feed in its own host\'s fetch.perHost slots', async () => {
  const feedType = 'application/rss+xml';
  const feeds = await serverOn('127.0.0.2', {
    '/a.xml': () => ({ type: feedType, body: rss('A', [{ title: 'Story of A', guid: 'a1' }]), slow: true }),
    '/b.xml': () => ({ type: feedType, body: rss('B', [{ title: 'Story of B', guid: 'b1' }]), slow: true }),
  });
  const page = await serverOn('127.0.0.1', {
    '/news': () => ({ type: 'text/html', body: `<html><head><link rel="alternate" type="application/rss+xml" href="${feeds.base}/b.xml"></head><body>News</body></html>`, slow: false }),
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'discovered-host-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = configSchema.parse({
    storage: { database: path.join(dir, 'aggregator.db') },
    fetch: { perHost: 1, concurrency: 4 },
    sources: [{ name: 'A', url: `${feeds.base}/a.xml` }, { name: 'B', url: `${page.base}/news` }],
  });
  const { scheduler, store } = await startWorker(config, (stop) => cleanups.push(stop));
  // The first run of B reads the page and finds the feed (on 127.0.0.2, while holding the page host's slot).
  await scheduler.runAll();
  expect((await store.getSourceState('B'))?.discoveredUrl).toBe(`${feeds.base}/b.xml`);
  feeds.stats.maxInFlight = 0;
  feeds.stats.requests.length = 0;
  // From then on B polls 127.0.0.2 directly: with one slot per host, A and B are fetched one after the other.
  await scheduler.runAll();
  expect(feeds.stats.requests.sort()).toEqual(['/a.xml', '/b.xml']);
  expect(feeds.stats.maxInFlight).toBe(1);
});
