// The index page, the health check and the source states as JSON.
import { Router, type Request, type Response } from 'express';
import type { FeedSite } from '../publish/build-feed.js';
import type { RenderCache, Rendered } from '../publish/render-cache.js';
import { toRenderedEncoded } from '../publish/rendered.js';
import type { ConfigProblems } from '../config/watch-config.js';
import { renderIndexPage } from '../publish/render-index-page.js';
import { SEED_FOLDER_NAME } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { CategorySummary, SourceState } from '../types.js';
import { sendRendered } from './conditional.js';
import { healthRoutes } from './health-routes.js';

export interface StatusDeps {
  store: Store;
  cache: Pick<RenderCache, 'listCategories'>;
  site: FeedSite;
  listSources: () => Promise<SourceState[]>;
  /** Whether this request may see the sources (config `server.publicStatus`, or the admin token). */
  showSources: (req: Request) => boolean;
  /** The config file's errors while it is invalid, shown with the sources. */
  configProblems?: () => ConfigProblems | null;
}

/** Seed files named on the index page and in /api/sources, per kind of problem. */
export const SEED_FILE_SAMPLE = 5;

export function statusRoutes({ store, cache, site, listSources: listStates, showSources, configProblems }: StatusDeps): Router {
  const router = Router();

  // The seed folder's row also says which files were recovered or rejected (kept per file, not per run);
  // a filtered source's row, how many articles its filter dropped, per rule.
  async function listSources(): Promise<SourceState[]> {
    const [states, counts] = await Promise.all([listStates(), store.filterCounts()]);
    const filtered = new Map<string, NonNullable<SourceState['filtered']>>();
    for (const { sourceKey, rule, count } of counts) {
      const entry = filtered.get(sourceKey) ?? { total: 0, byRule: [] };
      entry.total += count;
      entry.byRule.push({ rule, count });
      filtered.set(sourceKey, entry);
    }
    // Feed sources are keyed `source:<name>` in the store (ingest's sourceKeyOf).
    const withCounts = states.map((s) => (filtered.has(`source:${s.name}`) ? { ...s, filtered: filtered.get(`source:${s.name}`) } : s));
    if (!states.some((s) => s.name === SEED_FOLDER_NAME)) return withCounts;
    const seedFiles = await store.seedFileProblems(SEED_FILE_SAMPLE);
    return withCounts.map((s) => (s.name === SEED_FOLDER_NAME ? { ...s, seedFiles } : s));
  }

  // What the page shows is read per request (source states change with every fetch), but the page is rendered
  // again only when that changed: with 300 categories it is ~400 KB and ~22 ms to render, and 200 parallel
  // requests held the event loop 5 s. One page kept per view (with or without the sources).
  const pages = new Map<boolean, { categories: CategorySummary[]; shows: string; rendered: Promise<Rendered> }>();
  router.get('/', async (req: Request, res: Response) => {
    const shown = showSources(req);
    const [categories, all, sources] = await Promise.all([cache.listCategories(), store.getCategory('all'), shown ? listSources() : null]);
    const problems = configProblems?.() ?? null;
    // The category list is the render cache's, a new array after any change.
    const shows = JSON.stringify([all, sources, problems]);
    let page = pages.get(shown);
    if (page?.categories !== categories || page.shows !== shows) {
      const html = renderIndexPage({ site, categories, all, sources, configProblems: problems });
      page = { categories, shows, rendered: toRenderedEncoded(html, 'text/html; charset=utf-8', new Date(), 'no-cache') };
      pages.set(shown, page);
      const made = page;
      made.rendered.catch(() => pages.get(shown) === made && pages.delete(shown));
    }
    sendRendered(req, res, await page.rendered, { withLastModified: false });
  });

  router.use(healthRoutes(store));

  router.get('/api/sources', async (req: Request, res: Response) => {
    if (!showSources(req)) {
      res.status(401).set({ 'Cache-Control': 'no-store', 'WWW-Authenticate': 'Bearer realm="status"' }).type('text/plain');
      res.send('Unauthorized: the source status is not public; send Authorization: Bearer <admin token>\n');
      return;
    }
    const sources = await listSources();
    res.set('Cache-Control', 'no-store').json(sources);
  });

  return router;
}
