// The HTTP app (express 5): reads the store and the render cache, never writes. No listen() here.
import express from 'express';
import type { Config } from '../config/schema.js';
import type { RenderCache } from '../publish/render-cache.js';
import type { Store } from '../store/store.js';
import type { SourceState } from '../types.js';
import { errorHandler, notFound, type AppLogger } from './error-handler.js';
import { feedRoutes } from './feed-routes.js';
import { statusRoutes } from './status-routes.js';

export interface AppDeps {
  store: Store;
  /** Built over the same store and `config` (publish/render-cache.ts `createRenderCache`). */
  cache: RenderCache;
  config: Pick<Config, 'server' | 'feeds'>;
  logger?: AppLogger;
  /** Source states for the index page and /api/sources; defaults to the store's. */
  listSources?: () => Promise<SourceState[]>;
}

const stderrLogger: AppLogger = {
  error(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`);
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

  for (const router of deps.extraRoutes ?? []) app.use(router);
  app.use(feedRoutes(cache));
  app.use(statusRoutes({ store, cache, site, listSources: deps.listSources ?? (() => store.listSourceStates()) }));
  app.use(notFound);
  app.use(errorHandler(deps.logger ?? stderrLogger));
  return app;
}
