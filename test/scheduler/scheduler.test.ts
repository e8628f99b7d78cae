// The scheduler with real ingest jobs, a real store and a real HTTP source.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';
import { createLimiter } from '../../src/scheduler/limiter.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';
import type { Store } from '../../src/store/store.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../ops/harness.js';

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>Slow</title><link>https://slow.example/</link>
<item><title>One story</title><link>https://slow.example/1</link><pubDate>Wed, 27 Apr 2022 00:43:25 GMT</pubDate></item>
</channel></rss>`;

let server: FixtureServer | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  await server?.close();
});

describe('createScheduler', () => {
  it('runs one source once at a time, whoever asks while a run is in flight', async () => {
    server = await startFixtureServer({
      '/slow.rss': (_request, response) => {
        setTimeout(() => response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS), 300);
      },
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'scheduler-'));
    const config = configSchema.parse({
      storage: { database: path.join(dir, 'a.db') },
      sources: [{ name: 'Slow', url: server.url('/slow.rss'), categories: ['News'] }],
    });
    store = await openStore(config);
    const logger = pino({ level: 'silent' });
    const scheduler = createScheduler({
      config, store, logger, clock: () => new Date(),
      jobs: createIngestJobs(config, store, logger),
      limiter: createLimiter(8, 2),
    });
    await Promise.all([scheduler.runAll(), scheduler.refresh('Slow'), scheduler.refresh()]);
    expect(server.requests).toEqual(['GET /slow.rss']);
    expect((await store.getSourceState('Slow'))?.consecutiveFailures).toBe(0);
    expect((await store.changesSince(0, 10)).changes.map((change) => change.categories)).toEqual([['all', 'news']]);
    // Once it has finished, the next request runs again.
    await scheduler.refresh('Slow');
    expect(server.requests).toHaveLength(2);
    await scheduler.stop();
  });

  it('on a config reload runs an edited source at once, but not a failing one whose schedule alone changed', async () => {
    server = await startFixtureServer({
      '/failing.rss': (_request, response) => void response.writeHead(500).end('down'),
      '/old.rss': (_request, response) => void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS),
      '/new.rss': (_request, response) => void response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(RSS),
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'scheduler-'));
    const configOf = (schedule: string, editedUrl: string) => configSchema.parse({
      storage: { database: path.join(dir, 'a.db') },
      schedule,
      sources: [
        { name: 'Failing', url: server!.url('/failing.rss'), categories: ['News'] },
        { name: 'Edited', url: server!.url(editedUrl), categories: ['News'] },
      ],
    });
    const config = configOf('0 0 1 1 *', '/old.rss');
    store = await openStore(config);
    const logger = pino({ level: 'silent' });
    const scheduler = createScheduler({ config, store, logger, clock: () => new Date(), jobs: createIngestJobs(config, store, logger), limiter: createLimiter(8, 2) });
    await scheduler.runAll();
    expect((await store.getSourceState('Failing'))?.consecutiveFailures).toBe(1);
    scheduler.start();
    server.requests.length = 0;

    // The default schedule changes (both sources' tasks change) and Edited gets a new URL.
    const reloaded = configOf('*/5 * * * *', '/new.rss');
    scheduler.reconfigure(reloaded, createIngestJobs(reloaded, store, logger));
    // The edited source's run is recorded with its new URL; a run of Failing started with it would have asked too.
    await waitFor(async () => (await store!.getSourceState('Edited'))?.url === reloaded.sources[1]!.url, 10_000, 'the edited source to run');
    await scheduler.stop(); // and waits for any run still in flight
    expect(server.requests).toEqual(['GET /new.rss']);
    expect((await store.getSourceState('Failing'))?.consecutiveFailures).toBe(1);
  });
});
