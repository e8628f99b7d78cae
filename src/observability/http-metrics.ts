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

function matchRoute(url: string): string {
  const path = url.split(/[?#]/, 1)[0]!;
  if (EXACT.has(path)) return path;
  for (const [pattern, route] of PATTERNS) if (pattern.test(path)) return route;
  return 'other';
}

// Readers poll the same few URLs: remember a bounded number of them.
const ROUTES_KEPT = 512;
const routes = new Map<string, string>();

/** The route pattern a request URL belongs to; `other` for anything unknown (scanners, typos). */
export function routeOf(url: string | undefined): string {
  const key = url ?? '/';
  let route = routes.get(key);
  if (route === undefined) {
    route = matchRoute(key);
    if (routes.size >= ROUTES_KEPT) routes.clear();
    routes.set(key, route);
  }
  return route;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

const STARTED = Symbol('request started');
type TimedResponse = ServerResponse & { [STARTED]: number };

/** Wraps a request listener so every response is counted and timed when it closes. */
export function instrumentRequests(handler: RequestListener, metrics: Pick<Metrics, 'httpRequest'>): RequestListener {
  // One listener for every response (no closure per request): the response knows its request and start.
  function closed(this: TimedResponse): void {
    const seconds = (performance.now() - this[STARTED]) / 1000;
    const method = this.req.method ?? '';
    // A client that hung up before the response finished is not the status we set.
    const status = this.writableFinished ? this.statusCode : 499;
    metrics.httpRequest(routeOf(this.req.url), KNOWN_METHODS.has(method) ? method : 'other', status, seconds);
  }
  return (req: IncomingMessage, res: ServerResponse) => {
    (res as TimedResponse)[STARTED] = performance.now();
    // 'close' comes once per response.
    res.on('close', closed);
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
