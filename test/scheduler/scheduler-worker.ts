// A worker as the service runs one, for the scheduler tests: the store of `config` and a scheduler with the real
// ingest jobs and limiter. `onCleanup` receives what stops it (scheduler first, then the store).
import { pino } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';
import { createLimiter } from '../../src/scheduler/limiter.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.js';
import type { Store } from '../../src/store/store.js';

export async function startWorker(config: Config, onCleanup: (stop: () => Promise<void>) => void): Promise<{ scheduler: Scheduler; store: Store }> {
  const store = await openStore(config);
  const logger = pino({ level: 'silent' });
  const scheduler = createScheduler({
    config, store, logger, clock: () => new Date(),
    jobs: createIngestJobs(config, store, logger),
    limiter: createLimiter(config.fetch.concurrency, config.fetch.perHost),
  });
  onCleanup(async () => {
    await scheduler.stop();
    await store.close();
  });
  return { scheduler, store };
}
