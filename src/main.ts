// The composition root: config → database → ingestion (wired in ingest-jobs.ts) → scheduler → server.
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { envAdminToken } from './config/admin-token.js';
import type { Config } from './config/schema.js';
import { loadConfig, resolveConfigPath } from './config/load-config.js';
import { planConfigChange, watchConfig, type ReloadOutcome } from './config/watch-config.js';
import { ConfigError, describeError } from './errors.js';
import { createCategoryResolver } from './ingest/categories.js';
import { SEED_SOURCE_NAME } from './ingest/run-seed-folder.js';
import { createIngestJobs, openStore } from './ingest-jobs.js';
import { createLogger, type Logger } from './logger.js';
import { countCacheLookups, instrumentRequests } from './observability/http-metrics.js';
import { createMetrics, createRegistry } from './observability/metrics.js';
import { createReadiness, type Readiness } from './observability/readiness.js';
import { feedPolicyFromConfig } from './publish/feed-policy.js';
import { createRenderCache } from './publish/render-cache.js';
import { changedFeedUrls, pingHub } from './publish/websub.js';
import { createLimiter, type Limiter } from './scheduler/limiter.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { searchIndexLoop } from './scheduler/search-index-loop.js';
import { adminRoutes, hasAdminToken } from './server/admin-routes.js';
import { createLimitedServer } from './server/connection-limits.js';
import { createApp } from './server/create-app.js';
import { metricsRoutes } from './server/metrics-routes.js';
import { createRequestHandler } from './server/fast-path.js';
import type { OpenStoreOptions } from './store/sqlite/open-sqlite-store.js';
import type { Store } from './store/store.js';
import type { Registry } from 'prom-client';

export interface RunningService {
  server: Server;
  scheduler: Scheduler;
  store: Store;
  /** Prometheus registry behind /metrics. */
  registry: Registry;
  readiness: Readiness;
  /** Resolves when the start-up ingest has finished. */
  firstIngest: Promise<void>;
  /** The config in effect (after reloads). */
  config(): Config;
  /** Re-reads the config file (SIGHUP); rejects when the service was started without one. */
  reloadConfig(reason?: string): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** The file `config` was read from: watched, and re-read on `reloadConfig`. */
  configFile?: string;
  /** Debounce of file change events, ms (default 200). */
  watchDebounceMs?: number;
  /** For the admin token (AGGREGATOR_ADMIN_TOKEN) and LOG_LEVEL; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Passed to the SQLite store (tests simulate a full disk or a held lock through `onOpen`). */
  storeOptions?: Omit<OpenStoreOptions, 'clock'>;
}

export async function startService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<RunningService> {
  const env = options.env ?? process.env;
  const envToken = envAdminToken(env);
  let running = config;
  const adminToken = (): string | undefined => envToken || running.admin.token;
  if (config.metrics.requireToken && !adminToken()) {
    throw new ConfigError('metrics.requireToken', ['metrics.requireToken: needs an admin token (admin.token or AGGREGATOR_ADMIN_TOKEN)']);
  }
  const readiness = createReadiness();
  const store = await openStore(config, undefined, options.storeOptions);
  readiness.done('database');
  const registry = createRegistry();
  const policy = feedPolicyFromConfig(config, createCategoryResolver(config.categories));
  const cache = createRenderCache({ store, site: { baseUrl: config.server.baseUrl, title: config.feeds.title }, items: config.feeds.items, policy });
  const metrics = createMetrics(registry, {
    listSourceStates: () => store.listSourceStates(),
    sizeBytes: () => store.sizeBytes(),
    configuredSources: () => [...running.sources.map((source) => source.name), ...(running.seedFolder ? [SEED_SOURCE_NAME] : [])],
    renderCache: () => cache.stats(),
  });
  const indexSearch = searchIndexLoop(store, logger, (indexed) => {
    // Saved searches may match the newly indexed stories: render them again.
    if (indexed > 0 && policy.savedQueries.size > 0) cache.invalidate([...policy.savedQueries.keys()]);
  });
  // The scheduler is created below; the admin route reaches it once it exists.
  let scheduler: Scheduler | undefined;
  const app = createApp({
    store, cache, config, logger, adminToken,
    extraRoutes: [
      metricsRoutes({ registry, pending: () => readiness.pending(), allowed: (req) => !running.metrics.requireToken || hasAdminToken(req, adminToken()) }),
      adminRoutes({ token: adminToken, refresh: (name) => scheduler!.refresh(name) }),
    ],
  });
  // Cached feeds are answered before express (server/fast-path.ts); every response is counted.
  const server = createLimitedServer(instrumentRequests(createRequestHandler(app, countCacheLookups(cache, metrics)), metrics), config.server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  logger.info({ url: `http://${config.server.host}:${portOf(server)}`, baseUrl: config.server.baseUrl }, 'listening');

  const limiterFor = (c: Config): Limiter => createLimiter(c.fetch.concurrency, c.fetch.perHost);
  scheduler = createScheduler({
    config, store, logger,
    clock: () => new Date(),
    jobs: createIngestJobs(config, store, logger, { metrics }),
    limiter: limiterFor(config),
    onChange: (categories) => {
      cache.invalidate(categories);
      indexSearch.kick();
      if (policy.hub && categories.length > 0) {
        const hub = policy.hub;
        void pingHub(hub, changedFeedUrls(config.server.baseUrl, categories, policy.savedQueries.keys())).then((result) => {
          if (!result.ok) logger.warn({ url: hub, error: result.error }, 'websub ping failed');
        });
      }
    },
  });
  const firstIngest = scheduler.runAll({ skipBackedOff: true }).then(() => {
    readiness.done('first-ingest');
    logger.info('first ingest finished');
    indexSearch.kick();
  }).catch((error: unknown) => logger.error({ error: describeError(error) }, 'first ingest failed'));
  scheduler.start();

  /** Applies what can change live; keeps the running values of keys that need a restart, and says so. */
  const apply = (next: Config, reason: string): void => {
    const plan = planConfigChange(running, next);
    if (plan.live.length === 0 && plan.needRestart.length === 0) {
      logger.info({ reason }, 'config reloaded: no changes');
      return;
    }
    const effective = { ...next } as Record<string, unknown>;
    for (const key of plan.needRestart) effective[key] = (running as Record<string, unknown>)[key];
    const nextConfig = effective as Config;
    const newLimiter = JSON.stringify([running.fetch.concurrency, running.fetch.perHost]) !== JSON.stringify([nextConfig.fetch.concurrency, nextConfig.fetch.perHost]);
    const changes = scheduler!.reconfigure(nextConfig, createIngestJobs(nextConfig, store, logger, { metrics }), newLimiter ? limiterFor(nextConfig) : undefined);
    if (!env.LOG_LEVEL && nextConfig.log.level !== running.log.level) logger.level = nextConfig.log.level;
    running = nextConfig;
    logger.info({ reason, applied: plan.live, ...changes }, 'config reloaded');
    if (plan.needRestart.length > 0) {
      logger.warn({ keys: plan.needRestart }, `config changes to ${plan.needRestart.join(', ')} take effect after a restart; running with the old values`);
    }
  };
  const watcher = options.configFile
    ? watchConfig(options.configFile, {
        debounceMs: options.watchDebounceMs,
        initialText: await readFile(options.configFile, 'utf8').catch(() => undefined),
        onConfig: apply,
        onInvalid: (problems, reason) => {
          logger.error({ file: options.configFile, reason, errors: problems }, `config invalid (${problems.length} error${problems.length === 1 ? '' : 's'}); keeping the running config`);
          for (const problem of problems) logger.error({ file: options.configFile, error: problem }, 'config error');
        },
      })
    : undefined;

  return {
    server, scheduler, store, registry, readiness, firstIngest,
    config: () => running,
    reloadConfig(reason = 'reload requested') {
      if (!watcher) return Promise.reject(new Error('started without a config file: nothing to reload'));
      return watcher.reload(reason);
    },
    async stop() {
      watcher?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets would hold close() open; requests in flight still get their answer.
      server.closeIdleConnections();
      await closed;
      await scheduler!.stop();
      await indexSearch.stop();
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
    service = await startService(config, logger, { configFile: configPath });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
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
  // SIGHUP: re-read the config (the file is also watched; this is for tools that expect the signal).
  process.on('SIGHUP', () => void service.reloadConfig('SIGHUP').catch((error) => logger.error({ error: describeError(error) }, 'config reload failed')));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
