// An operator shortens the schedule and restarts: the next runs stored under the old schedule move to the new
// one at once (never before what a source asked for or its failure backoff), instead of waiting out the old time.
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';
import { DEFAULT_BACKOFF_BASE_MS } from '../../src/scheduler/next-run.js';
import { createLimiter } from '../../src/scheduler/limiter.js';
import { createScheduler } from '../../src/scheduler/scheduler.js';
import { tempDir } from '../ops/harness.js';
import { rssFeed, serveRss, startHeldFeedServer, type HeldFeedServer } from '../process/process-harness.js';

let feeds: HeldFeedServer;
beforeAll(async () => {
  feeds = await startHeldFeedServer();
  feeds.setFeed('healthy', serveRss(rssFeed('healthy', 1)));
  feeds.setFeed('failing', (_req, res) => void res.writeHead(500).end());
});
afterAll(() => feeds.close());

/** One process's life: a scheduler on the database with this schedule, its start-up pass, then stop. */
async function runProcess(database: string, schedule: string, startup: { onlyDue?: boolean; skipBackedOff?: boolean }) {
  const config = configSchema.parse({
    storage: { database }, schedule,
    sources: ['healthy', 'failing'].map((name) => ({ name, url: feeds.url(name), categories: ['news'] })),
  });
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
  const store = await openStore(config);
  const scheduler = createScheduler({ config, store, logger, clock: () => new Date(), jobs: createIngestJobs(config, store, logger), limiter: createLimiter(4, 4) });
  try {
    await scheduler.runAll(startup);
    return { lines, states: new Map((await store.listSourceStates()).map((state) => [state.name, state])) };
  } finally {
    await scheduler.stop();
    await store.close();
  }
}

describe('a restart with a shorter schedule', () => {
  it('moves the stored next runs to the new schedule, keeping the failing source\'s backoff', async () => {
    const database = path.join(await tempDir('schedule-change'), 'a.db');
    const first = await runProcess(database, '0 0 1 1 *', {});
    // Stored under the yearly schedule: not due again for a long while (next New Year).
    expect(first.states.get('healthy')!.nextRun!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    const hits = feeds.hits('healthy');

    // A worker joining others fetches only what is due: with every second as the schedule, the healthy source is.
    const restarted = await runProcess(database, '* * * * * *', { onlyDue: true });
    expect(feeds.hits('healthy')).toBe(hits + 1);
    const failing = restarted.states.get('failing')!;
    const wait = failing.nextRun!.getTime() - failing.lastAttempt!.getTime();
    expect(wait).toBeGreaterThanOrEqual(DEFAULT_BACKOFF_BASE_MS);
    expect(wait).toBeLessThan(DEFAULT_BACKOFF_BASE_MS + 60_000);
    const moved = restarted.lines.filter((line) => line.msg === 'next run moved to the new schedule');
    expect(moved.map((line) => line.source).sort()).toEqual(['failing', 'healthy']);
  });
});
