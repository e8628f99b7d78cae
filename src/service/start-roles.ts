// The split roles (`--role`, `server.role`; README "Scaling out"): a `web` process serves every route from the
// database and follows the change feed, running no scheduler; a `worker` runs the scheduler and ingest and
// answers only /healthz, /readyz and /metrics. Any number of each share one database; leased runs
// (scheduler/run-leases.ts) keep workers from fetching a source twice.
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { describeError } from '../errors.js';
import type { Config } from '../config/schema.js';
import type { ConfigProblems, ReloadOutcome } from '../config/watch-config.js';
import { openStore } from '../ingest-jobs.js';
import type { Logger } from '../logger.js';
import { instrumentRequests } from '../observability/http-metrics.js';
import { createReadiness, type Readiness } from '../observability/readiness.js';
import { followRefreshRequests, refreshStatus } from '../scheduler/refresh-requests.js';
import { createRunLeases, leaseMsOf } from '../scheduler/run-leases.js';
import { SEED_FOLDER_NAME } from '../config/schema.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { errorHandler, notFound } from '../server/error-handler.js';
import { healthRoutes } from '../server/health-routes.js';
import { metricsRoutes } from '../server/metrics-routes.js';
import type { Store } from '../store/store.js';
import { reloadableConfig } from './reload-config.js';
import { configuredSourceNames, serviceMetrics } from './service-metrics.js';
import { startIngest } from './start-ingest.js';
import { portOf, startWeb } from './start-web.js';

/** How often a web process looks whether the workers have completed the search index rebuild. */
const SEARCH_INDEX_CHECK_MS = 1_000;

export interface RoleOptions {
  configFile?: string | undefined;
  watchDebounceMs?: number | undefined;
  env?: NodeJS.ProcessEnv;
  /** Overrides `server.port` (`--port`, PORT). */
  port?: number | undefined;
}

export interface RoleService {
  role: 'web' | 'worker';
  server: Server;
  store: Store;
  registry: Registry;
  readiness: Readiness;
  /** The worker's scheduler; undefined in a web process. */
  scheduler: Scheduler | undefined;
  config(): Config;
  reloadConfig(reason?: string): Promise<ReloadOutcome>;
  stop(): Promise<void>;
}

export async function startWebService(config: Config, logger: Logger, options: RoleOptions = {}): Promise<RoleService> {
  const env = options.env ?? process.env;
  // Ready once the database is open and its search index complete (the workers rebuild it after an upgrade or a
  // copy-store): a web process has no first ingest of its own to wait for.
  const readiness = createReadiness(['database', 'search-index']);
  const store = await openStore(config, undefined, { log: logger, servesSearches: true });
  readiness.done('database');
  const indexWait = waitForSearchIndex(store, logger, () => readiness.done('search-index'));
  let current = (): Config => config;
  let configProblems = (): ConfigProblems | null => null;
  const metrics = serviceMetrics(store, () => current(), () => web.cache.stats(), () => configProblems());
  const web = await startWeb({
    config, store, logger, metrics, readiness, port: options.port,
    adminToken: () => env.AGGREGATOR_ADMIN_TOKEN || current().admin.token,
    configuredSources: () => configuredSourceNames(current()),
    configProblems: () => configProblems(),
    // No scheduler here: a refresh is recorded in the store for the workers (scheduler/refresh-requests.ts).
    async queueRefresh(source) {
      const known = current().sources.some((s) => s.enabled && s.name === source) || (source === SEED_FOLDER_NAME && Boolean(current().seedFolder));
      if (source !== undefined && !known) return null;
      return refreshStatus(store, await store.requestRefresh(source ?? null));
    },
    async refreshStatus(id) {
      const request = await store.getRefreshRequest(id);
      return request && refreshStatus(store, request);
    },
  });
  // Sources, schedules and fetch settings are the workers' business; category filters are this process's; the
  // rest needs a restart, as in role all.
  const reloader = await reloadableConfig(config, logger, { configFile: options.configFile, debounceMs: options.watchDebounceMs, env, applyLive: (next) => web.reconfigure(next) });
  current = reloader.config;
  configProblems = reloader.problems;
  logger.info({ role: 'web' }, 'role web: serving from the database, following its change feed; no scheduler');
  return {
    role: 'web', server: web.server, store, registry: metrics.registry, readiness, scheduler: undefined,
    config: reloader.config,
    reloadConfig: (reason = 'reload requested') => reloader.reload(reason),
    async stop() {
      indexWait.stop();
      reloader.close();
      await web.stop();
      await store.close();
    },
  };
}

export async function startWorkerService(config: Config, logger: Logger, options: RoleOptions = {}): Promise<RoleService> {
  const env = options.env ?? process.env;
  const readiness = createReadiness();
  const store = await openStore(config, undefined, { log: logger });
  readiness.done('database');
  let current = (): Config => config;
  let configProblems = (): ConfigProblems | null => null;
  const metrics = serviceMetrics(store, () => current(), undefined, () => configProblems());
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes(store), metricsRoutes({ registry: metrics.registry, pending: () => readiness.pending() }), notFound, errorHandler(logger));
  const server = createServer(instrumentRequests(app, metrics));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.server.port, config.server.host, () => resolve());
  });
  logger.info({ url: `http://${config.server.host}:${portOf(server)}`, role: 'worker' }, 'listening');
  const ingest = startIngest({ config, store, logger, metrics, startup: 'due', onSearchReady: () => readiness.done('search-index') });
  void ingest.firstIngest.then(() => readiness.done('first-ingest'));
  // POST /admin/refresh made on a web process; its own lease owner, so its lease outlives the runs it starts.
  const refreshes = followRefreshRequests({ store, scheduler: ingest.scheduler, leases: createRunLeases(store, logger), leaseMs: () => 2 * leaseMsOf(current()), logger });
  const reloader = await reloadableConfig(config, logger, {
    configFile: options.configFile, debounceMs: options.watchDebounceMs, env,
    applyLive: (next) => ({ ...ingest.reconfigure(next) }),
  });
  current = reloader.config;
  configProblems = reloader.problems;
  return {
    role: 'worker', server, store, registry: metrics.registry, readiness, scheduler: ingest.scheduler,
    config: reloader.config,
    reloadConfig: (reason = 'reload requested') => reloader.reload(reason),
    async stop() {
      reloader.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Together: a refresh request being run waits for the runs the ingest side stops (fetches in flight aborted).
      await Promise.all([closed, refreshes.stop(), ingest.stop()]);
      await store.close();
    },
  };
}

/** Checks every SEARCH_INDEX_CHECK_MS until no story waits for the search index rebuild, then calls `onComplete`. */
function waitForSearchIndex(store: Store, logger: Logger, onComplete: () => void): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let told = false;
  const check = async (): Promise<void> => {
    const complete = await store.searchIndexComplete().catch((error: unknown) => {
      logger.warn({ error: describeError(error) }, 'could not read whether the search index is complete');
      return false;
    });
    if (stopped) return;
    if (complete) return onComplete();
    if (!told) logger.info('search index incomplete: not ready until the workers have rebuilt it');
    told = true;
    timer = setTimeout(() => void check(), SEARCH_INDEX_CHECK_MS);
  };
  void check();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
