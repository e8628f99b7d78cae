// The index page, the health check and the source states as JSON.
import { Router, type Request, type Response } from 'express';
import type { FeedSite } from '../publish/build-feed.js';
import { toRendered, type RenderCache } from '../publish/render-cache.js';
import { renderIndexPage } from '../publish/render-index-page.js';
import type { Store } from '../store/store.js';
import type { SourceState } from '../types.js';
import { sendRendered } from './conditional.js';

export interface StatusDeps {
  store: Store;
  cache: Pick<RenderCache, 'listCategories'>;
  site: FeedSite;
  listSources: () => Promise<SourceState[]>;
}

export function statusRoutes({ store, cache, site, listSources }: StatusDeps): Router {
  const router = Router();

  // Rendered per request (source states change with every fetch); the ETag still saves the transfer.
  router.get('/', async (req: Request, res: Response) => {
    const [categories, all, sources] = await Promise.all([cache.listCategories(), store.getCategory('all'), listSources()]);
    const html = renderIndexPage({ site, categories, all, sources });
    const rendered = toRendered(html, 'text/html; charset=utf-8', new Date(), 'no-cache');
    sendRendered(req, res, rendered, { withLastModified: false });
  });

  router.get('/healthz', async (_req: Request, res: Response) => {
    const ok = await store.ping().catch(() => false);
    res.status(ok ? 200 : 503).set('Cache-Control', 'no-store').type('text/plain').send(ok ? 'ok\n' : 'database unavailable\n');
  });

  router.get('/api/sources', async (_req: Request, res: Response) => {
    const sources = await listSources();
    res.set('Cache-Control', 'no-store').json(sources);
  });

  return router;
}
