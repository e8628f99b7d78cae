// The hot path: readers polling feeds. GET/HEAD of a rendered feed or the OPML list is answered
// straight from the render cache with node:http primitives (express's per-request work costs
// several times a cached 304). Everything else, and every cache miss, goes to the express app,
// which renders and so warms the cache.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RenderCache } from '../publish/render-cache.js';
import type { FeedFormat } from '../publish/feed-urls.js';
import { keptHeaderLists, sendPrepared } from './conditional.js';
import { CROSS_ORIGIN_HEADERS, carriesBody, guardRequest } from './request-guard.js';

const FEED_PATH = /^\/feeds\/([^/?#]+)\.(rss|atom|json)$/;

/** The slug of a feed URL; null for bad percent-encoding (express answers those). Plain slugs are not decoded. */
function decodeSlug(raw: string): string | null {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

type Peeks = Pick<RenderCache, 'peekFeed' | 'peekOpml'>;

function cachedDocument(url: string, cache: Peeks) {
  if (url === '/feeds.opml') return cache.peekOpml();
  const match = FEED_PATH.exec(url);
  const slug = match ? decodeSlug(match[1]!) : null;
  return slug !== null ? cache.peekFeed(slug, match![2] as FeedFormat) : undefined;
}

/** A request listener for `createServer`: cached feeds, else the request guard and the express app. */
export function createRequestHandler(app: RequestListener, cache: Peeks): RequestListener {
  // Every fast-path document is cross-origin: its security headers are part of its prepared header lists.
  const headerLists = keptHeaderLists(CROSS_ORIGIN_HEADERS);
  return (req: IncomingMessage, res: ServerResponse) => {
    const { method, url } = req;
    // Any query (`?limit=`, `?q=`) goes the full way; so does a request with a body (the guard refuses it).
    if ((method === 'GET' || method === 'HEAD') && url !== undefined && url.startsWith('/feeds') && !carriesBody(req)) {
      const rendered = cachedDocument(url, cache);
      if (rendered) return sendPrepared(req, res, rendered, headerLists(rendered));
    }
    if (!guardRequest(req, res)) return;
    app(req, res);
  };
}
