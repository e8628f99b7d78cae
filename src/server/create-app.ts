// The HTTP app (express 5): reads the store and the render cache, never writes. No listen() here.
import express from 'express';
import type { Config } from '../config/schema.js';
import type { RenderCache } from '../publish/render-cache.js';
import type { ConfigProblems } from '../config/watch-config.js';
import type { Store } from '../store/store.js';
import type { SourceState } from '../types.js';
import { publicSourceState } from '../publish/redact-source.js';
import { hasAdminToken } from './admin-routes.js';
import { errorHandler, notFound, type AppLogger } from './error-handler.js';
import { EXPENSIVE_REQUESTS, limitExpensiveRequests, rejectControlCharacters } from './input-hygiene.js';
import { feedRoutes } from './feed-routes.js';
import { statusRoutes } from './status-routes.js';
import { storyRoutes } from './story-routes.js';

export interface AppDeps {
  store: Store;
  /** Built over the same store and `config` (publish/render-cache.ts `createRenderCache`). */
  cache: RenderCache;
  config: { server: Pick<Config['server'], 'baseUrl'> & Partial<Config['server']>; feeds: Pick<Config['feeds'], 'title' | 'items'> };
  logger?: AppLogger;
  /** Source states for the index page and /api/sources; defaults to the store's. */
  listSources?: () => Promise<SourceState[]>;
  /** The config file's errors while it is invalid (service/reload-config.ts), for the index page. */
  configProblems?: () => ConfigProblems | null;
  /** The admin token in effect (file or AGGREGATOR_ADMIN_TOKEN): it unlocks a non-public status. */
  adminToken?: () => string | undefined;
  /** Searches and `?limit=` feeds per client and window (default EXPENSIVE_REQUESTS). */
  expensiveRequests?: { limit: number; windowMs: number };
  /** The window over which database failures after the first are counted in one log line (default 10 s). */
  failureSummaryMs?: number;
}

const stderrLogger: AppLogger = {
  error(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`);
  },
  info(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...obj })}\n`);
  },
};

/**
 * Routers mounted in order before the 404 and error handlers. Other route modules (admin, metrics)
 * are added by passing `extraRoutes` (or by adding a line here).
 */
export function createApp(deps: AppDeps & { extraRoutes?: express.Router[] }): express.Express {
  const { store, cache, config } = deps;
  const site = { baseUrl: config.server.baseUrl, title: config.feeds.title };
  const app = express();
  app.disable('x-powered-by');
  // Our routes set their own strong ETags from the cached bytes.
  app.set('etag', false);
  // Behind a reverse proxy every reader would otherwise be one client to the per-client limits.
  app.set('trust proxy', config.server.trustProxy ?? false);

  app.use(rejectControlCharacters);
  app.use(limitExpensiveRequests(deps.expensiveRequests ?? EXPENSIVE_REQUESTS));
  for (const router of deps.extraRoutes ?? []) app.use(router);
  app.use(feedRoutes(cache, site));
  app.use(storyRoutes(cache, site));
  const listSources = deps.listSources ?? (() => store.listSourceStates());
  const adminToken = deps.adminToken ?? (() => undefined);
  app.use(statusRoutes({
    store, cache, site,
    // Source URLs and errors are shown redacted, and only to whom the config allows.
    listSources: async () => (await listSources()).map(publicSourceState),
    showSources: (req) => config.server.publicStatus !== false || hasAdminToken(req, adminToken()),
    ...(deps.configProblems ? { configProblems: deps.configProblems } : {}),
  }));
  app.use(notFound);
  app.use(errorHandler(deps.logger ?? stderrLogger, deps.failureSummaryMs));
  return app;
}
