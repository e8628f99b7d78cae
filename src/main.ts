// The composition root: config → database → serving side (service/start-web.ts) and writing side
// (service/start-ingest.ts), joined only through the store and its change feed. `server.workers` > 1 runs them
// in node:cluster processes instead (service/cluster.ts): the primary writes, the workers serve.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Registry } from 'prom-client';
import { envAdminToken } from './config/admin-token.js';
import type { Config } from './config/schema.js';
import { loadConfig } from './config/load-config.js';
import type { ReloadOutcome } from './config/watch-config.js';
import { ConfigError, describeError } from './errors.js';
import { openStore } from './ingest-jobs.js';
import { createLogger, type Logger } from './logger.js';
import { createReadiness, type Readiness } from './observability/readiness.js';
import type { Scheduler } from './scheduler/scheduler.js';
import { runClusterPrimary } from './service/cluster-primary.js';
import { configFromPrimary, runClusterWorker } from './service/cluster-worker.js';
import { reloadableConfig } from './service/reload-config.js';
import { configuredSourceNames, serviceMetrics } from './service/service-metrics.js';
import type { ConfigProblems } from './config/watch-config.js';
import { parseServiceArgs, UsageError } from './service/service-args.js';
import { startWebService, startWorkerService } from './service/start-roles.js';
import { startIngest } from './service/start-ingest.js';
import { withServedBaseUrl } from './service/served-base-url.js';
import { startWeb, type Web } from './service/start-web.js';
import type { OpenStoreOptions } from './store/sqlite/open-sqlite-store.js';
import type { Store } from './store/store.js';
import type { Server } from 'node:http';

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
  /** Overrides `server.port` (`--port`, PORT). */
  port?: number | undefined;
}

/** The single-process service (`server.workers: 1`): serves, follows the change feed, and runs the scheduler. */
export async function startService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<RunningService> {
  const env = options.env ?? process.env;
  const envToken = envAdminToken(env);
  let current = (): Config => config;
  const adminToken = (): string | undefined => envToken || current().admin.token;
  assertMetricsToken(config, env);
  const readiness = createReadiness();
  const store = await openStore(config, undefined, { log: logger, servesSearches: true, ...options.storeOptions });
  readiness.done('database');
  // Scraped through the server, so the render cache exists by then.
  let configProblems = (): ConfigProblems | null => null;
  const metrics = serviceMetrics(store, () => current(), () => web.cache.stats(), () => configProblems());
  // The scheduler is created after the server listens; the admin route reaches it once it exists.
  let scheduler: Scheduler | undefined;
  const web: Web = await startWeb({
    config, store, logger, metrics, readiness, port: options.port,
    adminToken,
    configuredSources: () => configuredSourceNames(current()),
    configProblems: () => configProblems(),
    refresh: (name) => scheduler!.refresh(name),
  });
  const ingest = startIngest({
    config: withServedBaseUrl(config, options.port), store, logger, metrics,
    onSearchReady: (rebuilt) => {
      readiness.done('search-index');
      // Saved searches may match the stories the rebuild indexed: render them again.
      const saved = [...web.cache.policy.savedQueries.keys()];
      if (rebuilt > 0 && saved.length > 0) web.cache.invalidate(saved);
    },
  });
  scheduler = ingest.scheduler;
  const firstIngest = ingest.firstIngest.then(() => readiness.done('first-ingest'));
  const reloader = await reloadableConfig(config, logger, {
    configFile: options.configFile, debounceMs: options.watchDebounceMs, env,
    applyLive: (next) => ({ ...ingest.reconfigure(next), ...web.reconfigure(next) }),
  });
  current = reloader.config;
  configProblems = reloader.problems;

  return {
    server: web.server, scheduler, store, registry: metrics.registry, readiness, firstIngest,
    config: reloader.config,
    reloadConfig: (reason = 'reload requested') => reloader.reload(reason),
    async stop() {
      reloader.close();
      // Together: a POST /admin/refresh in flight holds the server open until the runs the ingest side stops end.
      await Promise.all([web.stop(), ingest.stop()]);
      await store.close();
    },
  };
}

/** SIGTERM/SIGINT stop cleanly (runs in flight finish); SIGHUP re-reads the config. */
export function handleSignals(logger: Logger, stop: () => Promise<void>, reload: () => Promise<unknown>): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: waiting for runs in flight');
    const since = Date.now();
    stop().then(
      () => {
        // The last line of a clean stop: without it a log cannot tell a finished stop from one cut off (kill -9, a timeout).
        logger.info({ signal, duration_ms: Date.now() - since }, 'stopped');
        process.exit(0);
      },
      (error) => {
        logger.error({ error: describeError(error) }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // SIGHUP: re-read the config (the file is also watched; this is for tools that expect the signal).
  process.on('SIGHUP', () => void reload().catch((error) => logger.error({ error: describeError(error) }, 'config reload failed')));
}

/** `metrics.requireToken` needs a token to check against: refuse to start without one. */
function assertMetricsToken(config: Config, env: NodeJS.ProcessEnv): void {
  if (config.metrics.requireToken && !(envAdminToken(env) || config.admin.token)) {
    throw new ConfigError('metrics.requireToken', ['metrics.requireToken: needs an admin token (admin.token or AGGREGATOR_ADMIN_TOKEN)']);
  }
}

/** `server.workers` as a number of serving processes (`auto`: one per core). */
export function workerCount(workers: Config['server']['workers']): number {
  return workers === 'auto' ? availableParallelism() : workers;
}

async function main(): Promise<void> {
  if (cluster.isWorker) {
    // A serving worker takes its config from the primary that forked it, never from the file.
    const config = configFromPrimary();
    const logger = createLogger(config.log.level);
    await runClusterWorker(config, logger, parseServiceArgs(process.argv.slice(2)).port).catch((error: unknown) => {
      logger.fatal({ error: describeError(error) }, 'worker cannot start');
      process.exit(1);
    });
    return;
  }
  let args;
  let config: Config;
  try {
    args = parseServiceArgs(process.argv.slice(2));
    config = await loadConfig(args.configFile);
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof UsageError ? error.message : describeError(error));
    process.exit(2);
  }
  const logger = createLogger(config.log.level);
  const workers = workerCount(config.server.workers);
  const role = args.role ?? config.server.role;
  try {
    if (role !== 'all') {
      // A split role is one process (server.workers applies to role all): run more processes instead.
      const options = { configFile: args.configFile, port: args.port };
      const started = role === 'web' ? startWebService(config, logger, options) : startWorkerService(config, logger, options);
      handleSignals(logger, async () => (await started).stop(), async () => (await started).reloadConfig('SIGHUP'));
      await started;
      return;
    }
    if (workers > 1) assertMetricsToken(config, process.env);
    // Signal handlers first: a SIGTERM while start-up is still under way (the first ingest begins before
    // the service is returned) must stop gracefully too, once started, not kill the process mid-run.
    const started = workers > 1
      ? runClusterPrimary(config, logger, { workers, configFile: args.configFile, port: args.port }).then((primary) => ({ stop: primary.stop, reload: () => primary.reload('SIGHUP') }))
      : startService(config, logger, { configFile: args.configFile, port: args.port }).then((service) => ({ stop: service.stop, reload: () => service.reloadConfig('SIGHUP') }));
    handleSignals(logger, async () => (await started).stop(), async () => (await started).reload());
    await started;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    logger.fatal({ error: describeError(error) }, 'cannot start');
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
