// node-cron's own warnings reach the service's log as JSON naming the task, not as coloured text on stdout.
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';
import { createLimiter } from '../../src/scheduler/limiter.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';
import { tempDir, waitFor } from '../ops/harness.js';
import { rssFeed, serveRss, startHeldFeedServer, type HeldFeedServer } from '../process/process-harness.js';

let feeds: HeldFeedServer;
beforeAll(async () => {
  feeds = await startHeldFeedServer();
  feeds.setFeed('slow', serveRss(rssFeed('slow', 1)));
});
afterAll(() => feeds.close());

it('logs a run still going at its next tick as a JSON warning naming the source', async () => {
  const dir = await tempDir('cron-messages');
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const logger = pino({ level: 'info' }, sink);
  const stdout: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const warn = console.warn;
  // Whatever node-cron would print on its own is caught here, to show it no longer does.
  process.stdout.write = ((chunk: string | Uint8Array) => (stdout.push(String(chunk)), true)) as typeof process.stdout.write;
  console.warn = (...args: unknown[]) => void stdout.push(args.join(' '));
  const config = configSchema.parse({
    storage: { database: path.join(dir, 'c.db') }, schedule: '* * * * * *',
    sources: [{ name: 'slow', url: feeds.url('slow'), categories: ['news'] }],
  });
  const store = await openStore(config);
  const scheduler = createScheduler({ config, store, logger, clock: () => new Date(), jobs: createIngestJobs(config, store, logger), limiter: createLimiter(8, 8) });
  feeds.hold('slow');
  try {
    scheduler.start();
    await waitFor(() => lines.some((line) => line.task === 'slow' && line.level === 40 && /still running/.test(String(line.msg))), 20_000, 'the overlap warning');
  } finally {
    process.stdout.write = write;
    console.warn = warn;
    feeds.release('slow');
    await scheduler.stop();
    await store.close();
  }
  expect(stdout.filter((text) => /NODE-CRON/.test(text))).toEqual([]);
});
