// The serving side of the service (composition: server → publish → store): the render cache, the follower that
// keeps it in step with the store's change feed, the express app behind the node:http fast path, listening.
// Runs in the single process (role all), in every cluster worker, and in a web-only process.
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import { servedBaseUrl } from './served-base-url.js';
import { describeError } from '../errors.js';
import { createCategoryResolver } from '../ingest/categories.js';
import type { Logger } from '../logger.js';
import { countCacheLookups, instrumentRequests } from '../observability/http-metrics.js';
import type { Metrics } from '../observability/metrics.js';
import type { Readiness } from '../observability/readiness.js';
import { categoryFiltersFromConfig } from '../publish/category-filters.js';
import { feedPolicyFromConfig } from '../publish/feed-policy.js';
import { followChanges, type Follower } from '../publish/follow-changes.js';
import { createRenderCache, type RenderCache } from '../publish/render-cache.js';
import type { ConfigProblems } from '../config/watch-config.js';
import { adminRoutes, hasAdminToken, type AdminDeps } from '../server/admin-routes.js';
import { createLimitedServer } from '../server/connection-limits.js';
import { createApp } from '../server/create-app.js';
import { createRequestHandler } from '../server/fast-path.js';
import { metricsRoutes } from '../server/metrics-routes.js';
import type { Store } from '../store/store.js';

export interface WebDeps {
  config: Config;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** What /metrics answers: this process's registry, or the cluster's aggregate. */
  metricsSource?: Pick<Registry, 'metrics' | 'contentType'>;
  /** The admin token in effect (config `admin.token`, env AGGREGATOR_ADMIN_TOKEN; read per request). */
  adminToken: () => string | undefined;
  /** The config file's errors while it is invalid (shown on the index page). */
  configProblems?: () => ConfigProblems | null;
  /** The running config's sources and seed folder (service-metrics.ts `configuredSourceNames`): only these are listed on / and /api/sources. */
  configuredSources: () => readonly string[];
  /** POST /admin/refresh: runs sources wherever the scheduler lives; absent in a web-only process. */
  refresh?: ((name?: string) => Promise<string[] | null>) | undefined;
  /** In a web-only process: POST /admin/refresh records the request for the workers (202), GET /admin/refresh/ID follows it. */
  queueRefresh?: AdminDeps['queueRefresh'];
  refreshStatus?: AdminDeps['refreshStatus'];
  /** Overrides `server.port` (`--port`, PORT); 0 picks a free port. */
  port?: number;
  /** How often to look for other processes' commits. Default 250 ms. */
  pollMs?: number;
}

export interface Web {
  server: Server;
  cache: RenderCache;
  follower: Follower;
  /** Applies the live parts of a reloaded config that concern serving (category filters); says what changed. */
  reconfigure(next: Pick<Config, 'categories'>): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startWeb(deps: WebDeps): Promise<Web> {
  const { config, store, logger, metrics } = deps;
  // Slugs resolve with the running config's categories: names, slugs and aliases change only after a restart.
  const resolve = createCategoryResolver(config.categories);
  const policy = feedPolicyFromConfig(config, resolve);
  const baseUrl = servedBaseUrl(config.server, deps.port);
  const cache = createRenderCache({ store, site: { baseUrl, title: config.feeds.title }, items: config.feeds.items, policy });
  // Every commit reaches this process's documents through the change feed, its own commits included.
  const follower = await followChanges(store, cache, {
    pollMs: deps.pollMs,
    onInvalidate: (categories) => logger.debug({ category: categories ?? 'everything' }, 'change feed: documents dropped'),
    onError: (error) => logger.warn({ error: describeError(error) }, 'change feed: read failed; retrying'),
  });
  const app = createApp({
    store, cache, config: { ...config, server: { ...config.server, baseUrl } }, logger, adminToken: deps.adminToken,
    ...(deps.configProblems ? { configProblems: deps.configProblems } : {}),
    // A source removed from the config keeps its state row in the store (a re-added source resumes its backoff).
    async listSources() {
      const configured = new Set(deps.configuredSources());
      return (await store.listSourceStates()).filter((state) => configured.has(state.name));
    },
    extraRoutes: [
      metricsRoutes({
        registry: deps.metricsSource ?? metrics.registry,
        pending: () => deps.readiness.pending(),
        allowed: (req) => !config.metrics.requireToken || hasAdminToken(req, deps.adminToken()),
      }),
      adminRoutes({ token: deps.adminToken, refresh: deps.refresh, queueRefresh: deps.queueRefresh, refreshStatus: deps.refreshStatus }),
    ],
  });
  // Cached feeds are answered before express (server/fast-path.ts); every response is counted.
  const server = createLimitedServer(instrumentRequests(createRequestHandler(app, countCacheLookups(cache, metrics)), metrics), config.server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port ?? config.server.port, config.server.host, () => resolve());
  });
  logger.info({ url: `http://${config.server.host}:${portOf(server)}`, baseUrl }, 'listening');
  return {
    server, cache, follower,
    reconfigure(next) {
      const changed = cache.setCategoryFilters(categoryFiltersFromConfig(next.categories, resolve));
      return changed.length > 0 ? { categoryFilters: changed } : {};
    },
    async stop() {
      follower.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive sockets would hold close() open; requests in flight still get their answer.
      server.closeIdleConnections();
      await closed;
    },
  };
}

export function portOf(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
