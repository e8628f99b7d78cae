// Composition of the ingest side: the store as configured, and the jobs the scheduler runs (feed sources, the seed
// folder, retention). Shared by the service (main.ts) and the one-shot `npm run ingest` (cli.ts).
import type { Logger } from 'pino';
import { urlRulesOf, type Config, type SourceConfig } from './config/schema.js';
import { createCategoryResolver } from './ingest/categories.js';
import { createDedupPolicy } from './ingest/dedup.js';
import { runFeedSource, type FeedRunDeps, type FeedRunSummary } from './ingest/run-feed-source.js';
import { runSeedFolder, type SeedRunDeps, type SeedRunSummary } from './ingest/run-seed-folder.js';
import type { Metrics } from './observability/metrics.js';
import { nextRunTime } from './scheduler/next-run.js';
import { leaseMsOf, newLeaseOwner } from './scheduler/run-leases.js';
import { cronNext } from './scheduler/cron-times.js';
import { openDatabase, type OpenDatabaseOptions } from './store/open-database.js';
import { retentionPruneOptions } from './store/prune-run.js';
import type { Store } from './store/store.js';

const VERSION = '0.1.0';
/** Change records are kept a day: followers read them within a second, the hub is pinged after one. */
const CHANGE_FEED_KEPT_MS = 86_400_000;
export const DEFAULT_USER_AGENT = `feed-aggregator/${VERSION} (+https://github.com/feed-aggregator)`;

export async function openStore(config: Config, clock: () => Date = () => new Date(), extra: Omit<OpenDatabaseOptions, 'clock'> = {}): Promise<Store> {
  const store = await openDatabase(config.storage.database, createDedupPolicy(config.dedup.window), { searchThread: config.storage.searchThread, ...extra, clock });
  const resolve = createCategoryResolver(config.categories);
  await store.declareCategories(resolve(config.categories.map((category) => category.name)));
  return store;
}

/** Fetch settings of the config, as fetchFeed takes them. */
export function fetchOptionsOf(config: Config) {
  return {
    timeoutMs: config.fetch.timeout,
    connectTimeoutMs: config.fetch.connectTimeout,
    maxBytes: config.fetch.maxBytes,
    userAgent: config.fetch.userAgent ?? DEFAULT_USER_AGENT,
  };
}

export interface IngestJobs {
  runSource(source: SourceConfig): Promise<FeedRunSummary & { changedCategories: string[] }>;
  runSeedFolder(): Promise<SeedRunSummary>;
  /** Prunes the change feed, and stories by the `retention` section (a no-op for stories when it is off). */
  prune(): Promise<{ pruned: number; changedCategories: string[] }>;
}

export interface IngestJobOptions {
  clock?: () => Date;
  onSeedProgress?: SeedRunDeps['onProgress'];
  /** Seed files stored per transaction (see SERVING_BATCH_SIZE). */
  seedBatchFiles?: number;
  metrics?: Pick<Metrics, 'sourceRun' | 'seedScan'>;
  /** Aborted when the process stops: fetches in flight end at once and a seed import ends after its current batch. */
  signal?: AbortSignal;
}

export function createIngestJobs(config: Config, store: Store, logger: Logger, options: IngestJobOptions = {}): IngestJobs {
  const { metrics } = options;
  const clock = options.clock ?? (() => new Date());
  // Merged, as a user wants (`finance!` into `Finance`), but said once per name, so no merge goes unseen.
  const resolveCategories = createCategoryResolver(config.categories, {
    onSlugJoin: ({ name, joins, slug }) => logger.info({ category: name, joins, slug }, `category "${name}" joins "${joins}" (same slug ${slug}); add it to that category's aliases to say so`),
  });
  const fetchOptions = { ...fetchOptionsOf(config), ...(options.signal ? { signal: options.signal } : {}) };
  const hostSlot = fullTextHostSlot(config, store);
  const caps = { backoffCapMs: config.fetch.backoffCap, retryAfterCapMs: config.fetch.retryAfterCap, maxAgeCapMs: config.fetch.maxAgeCap, ttlCapMs: config.fetch.ttlCap };
  return {
    async runSource(source) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      const summary = await runFeedSource(source, {
        store, logger, clock, resolveCategories, fetchOptions, urls: urlRulesOf(config), backoffCapMs: config.fetch.backoffCap, hostSlot,
        nextRun: (outcome) => nextRunTime({ now: clock(), cronNext: cronNext(source.schedule ?? config.schedule, clock()), ...caps, ...outcome }),
        // The wait without the schedule (what the source asked, or the backoff of a failure): kept so a schedule change keeps it.
        askedWait: (outcome) => nextRunTime({ now: clock(), cronNext: null, ...caps, ...outcome }),
      }).catch((error: unknown) => {
        metrics?.sourceRun(source.name, 'failed', seconds(), 0);
        throw error;
      });
      metrics?.sourceRun(source.name, !summary.ok ? 'failed' : summary.notModified ? 'not_modified' : 'ok', seconds(), summary.result?.added ?? 0);
      return { ...summary, changedCategories: summary.result?.changedCategories ?? [] };
    },
    async runSeedFolder() {
      const seedFolder = config.seedFolder;
      if (!seedFolder) throw new Error('no seedFolder in the config');
      const started = performance.now();
      const summary = await runSeedFolder(seedFolder, {
        store, logger, clock, resolveCategories, onProgress: options.onSeedProgress, urls: urlRulesOf(config), batchFiles: options.seedBatchFiles,
        nextRun: () => cronNext(seedFolder.schedule, clock()),
        stopped: () => options.signal?.aborted === true,
      });
      metrics?.seedScan(summary, (performance.now() - started) / 1000);
      return summary;
    },
    async prune() {
      const dropped = await store.pruneChanges(new Date(clock().getTime() - CHANGE_FEED_KEPT_MS));
      if (dropped > 0) logger.debug({ pruned: dropped }, 'change feed: pruned records older than a day');
      const pruneOptions = retentionPruneOptions(config.retention, clock());
      if (!pruneOptions) return { pruned: 0, changedCategories: [] };
      const result = await store.pruneStories(pruneOptions);
      if (result.pruned > 0) logger.info({ pruned: result.pruned, category: result.changedCategories }, 'retention: pruned stories');
      return result;
    },
  };
}

/**
 * A full-text page on another host than its feed's takes one of that host's `fetch.perHost` slots first, as a lease in
 * the store like every source run, so the limit holds across workers; when all are taken the page waits for the next run.
 */
function fullTextHostSlot(config: Config, store: Store): NonNullable<FeedRunDeps['hostSlot']> {
  const owner = newLeaseOwner();
  let taken = 0;
  return async (host, work) => {
    const name = `full text ${host} ${owner} ${++taken}`;
    // A database that cannot take the claim does not stop the page: run-leases.ts runs unleased then too.
    const claim = await store.claimRun({ name, host, perHost: config.fetch.perHost, owner, leaseMs: leaseMsOf(config), due: 'always' }).catch(() => null);
    if (claim === null) return work();
    if (!claim.claimed) return 'busy';
    try {
      return await work();
    } finally {
      await store.releaseRun(name, owner).catch(() => undefined);
    }
  };
}
