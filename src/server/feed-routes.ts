// /feeds/{slug}.{rss,atom,json} and /feeds.opml, served from the render cache.
import { Router, type Request, type Response } from 'express';
import type { RenderCache } from '../publish/render-cache.js';
import type { FeedFormat } from '../publish/feed-urls.js';
import { sendRendered } from './conditional.js';

export const FEED_CACHE_CONTROL = 'public, max-age=300';
export const MAX_LIMIT = 1000;

const FILE = /^(.+)\.(rss|atom|json)$/;

/** `?limit=N` as a number in 1..MAX_LIMIT, undefined when absent, null when unusable. */
export function parseLimit(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? Math.min(n, MAX_LIMIT) : null;
}

export function feedRoutes(cache: RenderCache, defaultItems: number): Router {
  const router = Router();

  router.get('/feeds.opml', async (req: Request, res: Response) => {
    sendRendered(req, res, await cache.getOpml(), { cacheControl: FEED_CACHE_CONTROL });
  });

  // Express has already percent-decoded the parameter, so Chinese slugs arrive as text.
  router.get('/feeds/:file', async (req: Request<{ file: string }>, res: Response) => {
    const match = FILE.exec(req.params.file);
    if (!match) {
      res.status(404).type('text/plain').send('Not found: feeds are /feeds/{category}.rss, .atom or .json\n');
      return;
    }
    const limit = parseLimit(req.query['limit']);
    if (limit === null) {
      res.status(400).type('text/plain').send(`Bad limit: use an integer from 1 to ${MAX_LIMIT}\n`);
      return;
    }
    const slug = match[1]!;
    const rendered = await cache.getFeed(slug, match[2] as FeedFormat, limit ?? defaultItems);
    if (!rendered) {
      res.status(404).type('text/plain').send(`Unknown category: ${slug}\n`);
      return;
    }
    sendRendered(req, res, rendered, { cacheControl: FEED_CACHE_CONTROL });
  });

  return router;
}
