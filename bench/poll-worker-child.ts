// One worker process of the poll-cycle bench: opens the database, builds the scheduler over the bench's
// sources, says `ready`, runs one pass of what is due on `go` (stdin), prints its counts as JSON and exits.
// Usage: node --import tsx bench/poll-worker-child.ts DATABASE SOURCES PORT
import { createInterface } from 'node:readline';
import pino from 'pino';
import { configSchema } from '../src/config/schema.js';
import { createCategoryResolver } from '../src/ingest/categories.js';
import { createDedupPolicy } from '../src/ingest/dedup.js';
import { runFeedSource, type FeedRunDeps } from '../src/ingest/run-feed-source.js';
import { createLimiter } from '../src/scheduler/limiter.js';
import { nextRunTime } from '../src/scheduler/next-run.js';
import { createScheduler } from '../src/scheduler/scheduler.js';
import { openDatabase } from '../src/store/open-database.js';
import { benchLookup, benchSources } from './poll-cycle.js';

const [database, count, port] = process.argv.slice(2);
const sources = benchSources(Number(count), Number(port));
const config = configSchema.parse({ storage: { database }, sources });
const store = await openDatabase(database!, createDedupPolicy(12 * 3600e3));
const logger = pino({ level: 'silent' });
const deps: FeedRunDeps = {
  store, logger,
  clock: () => new Date(),
  resolveCategories: createCategoryResolver([]),
  fetchOptions: { timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024, userAgent: 'feed-aggregator-bench/0.1', lookup: benchLookup },
  nextRun: (outcome) => nextRunTime({ now: new Date(), cronNext: new Date(Date.now() + 15 * 60_000), ...outcome }),
};
let ran = 0;
let added = 0;
let failed = 0;
const scheduler = createScheduler({
  config, store, logger, clock: () => new Date(),
  limiter: createLimiter(config.fetch.concurrency, config.fetch.perHost),
  jobs: {
    async runSource(source) {
      const summary = await runFeedSource(source, deps);
      ran++;
      added += summary.result?.added ?? 0;
      if (!summary.ok) failed++;
      return { changedCategories: summary.result?.changedCategories ?? [] };
    },
    runSeedFolder: async () => ({ changedCategories: [] }),
  },
});
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== 'go') continue;
  await scheduler.runAll({ onlyDue: true });
  process.stdout.write(`${JSON.stringify({ ran, added, failed })}\n`);
  break;
}
lines.close();
await scheduler.stop();
await store.close();
