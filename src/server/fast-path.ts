// The hot path: readers polling feeds. GET/HEAD of a rendered feed or the OPML list is answered
// straight from the render cache with node:http primitives (express's per-request work costs
// several times a cached 304). Everything else, and every cache miss, goes to the express app,
// which renders and so warms the cache.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RenderCache } from '../publish/render-cache.js';
import type { FeedFormat } from '../publish/feed-urls.js';
import { sendRendered } from './conditional.js';
import { guardRequest } from './request-guard.js';

const FEED_PATH = /^\/feeds\/([^/?#]+)\.(rss|atom|json)$/;

function decodeSlug(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** A request listener for `createServer`: the request guard, cached feeds, then the express app. */
export function createRequestHandler(app: RequestListener, cache: Pick<RenderCache, 'peekFeed' | 'peekOpml'>): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!guardRequest(req, res)) return;
    const { method, url } = req;
    // Any query (`?limit=`, `?q=`) goes the full way.
    if ((method === 'GET' || method === 'HEAD') && url !== undefined && url.startsWith('/feeds')) {
      if (url === '/feeds.opml') {
        const opml = cache.peekOpml();
        if (opml) return sendRendered(req, res, opml);
      } else {
        const match = FEED_PATH.exec(url);
        const slug = match ? decodeSlug(match[1]!) : null;
        const rendered = slug !== null ? cache.peekFeed(slug, match![2] as FeedFormat) : undefined;
        if (rendered) return sendRendered(req, res, rendered);
      }
    }
    app(req, res);
  };
}
