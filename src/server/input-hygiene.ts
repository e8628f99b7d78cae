// Checks on what a client sends before a route reads it: no control characters in the path or the
// query (they have no use in a slug or a search, and text with them breaks feeds and logs), and a
// per-client rate on the requests that cost a render each (searches, `?limit=` feeds).
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

// Raw or percent-encoded C0 controls and DEL, anywhere in the request target.
const CONTROL = /[\u0000-\u001f\u007f]|%(?:[01][0-9a-f]|7f)/i;

export const rejectControlCharacters: RequestHandler = (req, res, next) => {
  if (!CONTROL.test(req.url)) return next();
  res.status(400).set('Cache-Control', 'no-store').type('text/plain').send('Bad request: control characters in the URL\n');
};

/** Renders per client and window: enough for a person, not for a loop. */
export const EXPENSIVE_REQUESTS = { limit: 30, windowMs: 60_000 };

/** True for requests rendered per request: searches and feeds with a `?limit=` or `?q=`. */
export function isExpensive(path: string, query: Record<string, unknown>): boolean {
  if (path === '/search') return true;
  return path.startsWith('/feeds/') && (query['limit'] !== undefined || query['q'] !== undefined);
}

/** 429 with Retry-After once a client (an IPv4 address, an IPv6 /56) passes the rate. */
export function limitExpensiveRequests(options = EXPENSIVE_REQUESTS): RequestHandler {
  return rateLimit({
    ...options,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // A forwarded header without `server.trustProxy` is expected (any client may send one): no console warning.
    validate: { xForwardedForHeader: false },
    skip: (req) => !isExpensive(req.path, req.query as Record<string, unknown>),
    handler: (_req, res) => {
      res.status(429).set('Cache-Control', 'no-store').type('text/plain').send('Too many searches or ?limit= feeds from this address: retry after the time in Retry-After\n');
    },
  });
}
