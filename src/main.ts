// The composition root: config → database → ingestion → scheduler → server. Only this file knows every stage.
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { Config, SourceConfig } from './config/schema.js';
import { loadConfig, resolveConfigPath } from './config/load-config.js';
import { ConfigError, describeError } from './errors.js';
import { createCategoryResolver } from './ingest/categories.js';
import { createDedupPolicy } from './ingest/dedup.js';
import { runFeedSource } from './ingest/run-feed-source.js';
import { runSeedFolder, type SeedRunDeps } from './ingest/run-seed-folder.js';
import { createLogger, type Logger } from './logger.js';
import { createRenderCache } from './publish/render-cache.js';
import { createLimiter } from './scheduler/limiter.js';
import { nextRunTime } from './scheduler/next-run.js';
import { createScheduler, cronNext, type Scheduler, type SchedulerJobs } from './scheduler/scheduler.js';
import { createApp } from './server/create-app.js';
import { openSqliteStore } from './store/open-store.js';
import type { Store } from './store/store.js';

const VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `feed-aggregator/${VERSION} (+https://github.com/feed-aggregator)`;

export async function openStore(config: Config, clock: () => Date = () => new Date()): Promise<Store> {
  const store = await openSqliteStore(config.storage.database, createDedupPolicy(config.dedup.window), { clock });
  const resolve = createCategoryResolver(config.categories);
  await store.declareCategories(resolve(config.categories.map((category) => category.name)));
  return store;
}

/** The two kinds of ingest job, wired to the store; shared by the service and `npm run ingest`. */
export function createIngestJobs(config: Config, store: Store, logger: Logger, options: { clock?: () => Date; onSeedProgress?: SeedRunDeps['onProgress'] } = {}): SchedulerJobs {
  const clock = options.clock ?? (() => new Date());
  const resolveCategories = createCategoryResolver(config.categories);
  const fetchOptions = {
    timeoutMs: config.fetch.timeout,
    maxBytes: config.fetch.maxBytes,
    userAgent: config.fetch.userAgent ?? DEFAULT_USER_AGENT,
  };
  return {
    runSource: async (source: SourceConfig) => {
      const summary = await runFeedSource(source, {
        store, logger, clock, resolveCategories, fetchOptions,
        nextRun: (outcome) => nextRunTime({ now: clock(), cronNext: cronNext(source.schedule ?? config.schedule, clock()), ...outcome }),
      });
      return { changedCategories: summary.result?.changedCategories ?? [] };
    },
    runSeedFolder: async () => {
      if (!config.seedFolder) return { changedCategories: [] };
      const seedFolder = config.seedFolder;
      return runSeedFolder(seedFolder, {
        store, logger, clock, resolveCategories, onProgress: options.onSeedProgress,
        nextRun: () => cronNext(seedFolder.schedule, clock()),
      });
    },
  };
}

export interface RunningService {
  server: Server;
  scheduler: Scheduler;
  store: Store;
  /** Resolves when the start-up ingest has finished. */
  firstIngest: Promise<void>;
  stop(): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const store = await openStore(config);
  const cache = createRenderCache({ store, site: { baseUrl: config.server.baseUrl, title: config.feeds.title }, items: config.feeds.items });
  const app = createApp({ store, cache, config, logger });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  logger.info({ url: `http://${config.server.host}:${portOf(server)}`, baseUrl: config.server.baseUrl }, 'listening');

  const scheduler = createScheduler({
    config, store, logger,
    clock: () => new Date(),
    jobs: createIngestJobs(config, store, logger),
    limiter: createLimiter(config.fetch.concurrency, config.fetch.perHost),
    onChange: (categories) => cache.invalidate(categories),
  });
  const firstIngest = scheduler.runAll().then(() => logger.info('first ingest finished'));
  scheduler.start();

  return {
    server, scheduler, store, firstIngest,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await scheduler.stop();
      await store.close();
    },
  };
}

function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function main(): Promise<void> {
  const configPath = resolveConfigPath(process.argv.slice(2));
  let config: Config;
  try {
    config = await loadConfig(configPath);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : describeError(error));
    process.exit(2);
  }
  const logger = createLogger(config.log.level);
  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (error) {
    logger.fatal({ error: describeError(error) }, 'cannot start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: waiting for runs in flight');
    service.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ error: describeError(error) }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
