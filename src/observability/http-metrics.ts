// HTTP instrumentation around the top-level request listener (the fast path and express alike).
// Requests are labelled by route pattern, never by raw URL: label values must stay few.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RenderCache } from '../publish/render-cache.js';
import type { Metrics } from './metrics.js';

const EXACT = new Set(['/', '/feeds.opml', '/healthz', '/readyz', '/metrics', '/api/sources', '/admin/refresh']);
const PATTERNS: [RegExp, string][] = [
  [/^\/feeds\/[^/]+\/archive\/[^/]+$/, '/feeds/:slug/archive/:file'],
  [/^\/feeds\/[^/]+$/, '/feeds/:file'],
  [/^\/categories\/[^/]+$/, '/categories/:slug'],
  [/^\/stories\/[^/]+$/, '/stories/:id'],
  [/^\/admin(\/|$)/, '/admin/*'],
];

/** The route pattern a request URL belongs to; `other` for anything unknown (scanners, typos). */
export function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split(/[?#]/, 1)[0]!;
  if (EXACT.has(path)) return path;
  for (const [pattern, route] of PATTERNS) if (pattern.test(path)) return route;
  return 'other';
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/** Wraps a request listener so every response is counted and timed when it closes. */
export function instrumentRequests(handler: RequestListener, metrics: Pick<Metrics, 'httpRequest'>): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = KNOWN_METHODS.has(req.method ?? '') ? req.method! : 'other';
      // A client that hung up before the response finished is not the status we set.
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.httpRequest(routeOf(req.url), method, status, seconds);
    });
    handler(req, res);
  };
}

type Peeks = Pick<RenderCache, 'peekFeed' | 'peekOpml'>;

/**
 * The render cache as the fast path sees it, counting hits (bytes already rendered) and misses
 * (the request goes on to express, which renders). The render cache keeps no statistics itself.
 */
export function countCacheLookups<T extends Peeks>(cache: T, metrics: Pick<Metrics, 'renderCacheLookup'>): Peeks {
  return {
    peekFeed(slug, format) {
      const rendered = cache.peekFeed(slug, format);
      metrics.renderCacheLookup(rendered !== undefined);
      return rendered;
    },
    peekOpml() {
      const rendered = cache.peekOpml();
      metrics.renderCacheLookup(rendered !== undefined);
      return rendered;
    },
  };
}
