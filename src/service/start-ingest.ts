// The writing side of the service (composition: scheduler → ingest → store): the scheduler and its jobs, the
// one-time rebuild of the search index after an upgrade, and WebSub announcements of the change feed. Exactly one per deployment on SQLite: the single
// process (role all) or the cluster primary. It never touches a render cache: every commit reaches the serving
// processes through the store's change feed (publish/follow-changes.ts).
import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import { createCategoryResolver } from '../ingest/categories.js';
import { createIngestJobs } from '../ingest-jobs.js';
import { SERVING_BATCH_SIZE } from '../ingest/run-seed-folder.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../observability/metrics.js';
import { announceChanges, type Announcer } from '../publish/announce-changes.js';
import { feedPolicyFromConfig } from '../publish/feed-policy.js';
import { createLimiter, type Limiter } from '../scheduler/limiter.js';
import { createScheduler, type ScheduleChanges, type Scheduler } from '../scheduler/scheduler.js';
import { completeSearchRebuild } from '../ingest/rebuild-search-index.js';
import type { Store } from '../store/store.js';

export interface IngestDeps {
  config: Config;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  /** The search index is complete (`rebuilt` stories stored before the word index were indexed first). */
  onSearchReady?: (rebuilt: number) => void;
  /**
   * The start-up pass: `all` runs every source not backed off (the single process); `due` only what is due,
   * so a worker joining others does not refetch what they just fetched (`--role worker`).
   */
  startup?: 'all' | 'due';
}

export interface IngestSide {
  scheduler: Scheduler;
  /** Resolves when the start-up ingest has finished (failures are logged, never rejected). */
  firstIngest: Promise<void>;
  /** Applies a new config's live keys (sources, schedule, seed folder, fetch). */
  reconfigure(next: Config): ScheduleChanges;
  stop(): Promise<void>;
}

const limiterFor = (c: Config): Limiter => createLimiter(c.fetch.concurrency, c.fetch.perHost);

/** WebSub announcer of the config's hub, or undefined without one; `watch: false` for a one-shot ingest. */
export function hubAnnouncer(config: Config, store: Store, logger: Logger, watch = true): Announcer | undefined {
  const hub = config.websub?.hub;
  if (!hub) return undefined;
  const policy = feedPolicyFromConfig(config, createCategoryResolver(config.categories));
  return announceChanges(store, {
    hub,
    baseUrl: config.server.baseUrl,
    savedQuerySlugs: () => policy.savedQueries.keys(),
    onPing: (result, urls, seqs) => {
      if (result.ok) logger.info({ url: hub, feeds: urls.length, changes: seqs.length }, 'websub: hub pinged');
      else logger.warn({ url: hub, error: result.error, changes: seqs.length }, 'websub ping failed');
    },
    onError: (error) => logger.warn({ url: hub, error: describeError(error) }, 'websub: claiming announcements failed'),
  }, watch);
}

export function startIngest(deps: IngestDeps): IngestSide {
  const { config, store, logger, metrics } = deps;
  let running = config;
  let stopping = false;
  // Stopping aborts the fetches in flight (a run waiting on the network has nothing to finish: its source stays due
  // for the next process) and ends a seed import after the batch it is storing; a run that is storing finishes.
  const stopped = new AbortController();
  const announcer = hubAnnouncer(config, store, logger);
  const scheduler = createScheduler({
    config, store, logger,
    clock: () => new Date(),
    // This process serves too: smaller seed batches hold its thread a fifth as long.
    jobs: createIngestJobs(config, store, logger, { metrics, signal: stopped.signal, seedBatchFiles: SERVING_BATCH_SIZE }),
    limiter: limiterFor(config),
    // Documents and hub pings follow the change feed; stories are indexed for search as they are stored.
  });
  // A database from before the word index is indexed first (readiness waits for it); ingesting starts after.
  const firstIngest = completeSearchRebuild(store, logger, () => stopping).then(async (rebuilt) => {
    if (stopping) return;
    deps.onSearchReady?.(rebuilt);
    scheduler.start();
    await scheduler.runAll(deps.startup === 'due' ? { onlyDue: true } : { skipBackedOff: true });
    logger.info('first ingest finished');
  }).catch((error: unknown) => logger.error({ error: describeError(error) }, 'first ingest failed'));

  return {
    scheduler, firstIngest,
    reconfigure(next) {
      const newLimiter = JSON.stringify([running.fetch.concurrency, running.fetch.perHost]) !== JSON.stringify([next.fetch.concurrency, next.fetch.perHost]);
      const changes = scheduler.reconfigure(next, createIngestJobs(next, store, logger, { metrics, signal: stopped.signal, seedBatchFiles: SERVING_BATCH_SIZE }), newLimiter ? limiterFor(next) : undefined);
      running = next;
      return changes;
    },
    async stop() {
      stopping = true;
      stopped.abort();
      await scheduler.stop();
      await announcer?.stop();
    },
  };
}
