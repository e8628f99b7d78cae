// /feeds/{slug}.{rss,atom,json}, archives, search feeds and the /search page, /feeds.opml and category
// previews, served from the render cache (search results are rendered per request). Answers never echo
// what the client sent: a 404 says what was not found, not the name asked for.
import { Router, type Request, type Response } from 'express';
import type { FeedSite } from '../publish/build-feed.js';
import { renderNotFoundPage } from '../publish/html-page.js';
import type { RenderCache } from '../publish/render-cache.js';
import type { ArchiveFormat, FeedFormat } from '../publish/feed-urls.js';
import { QueryError } from '../errors.js';
import { sendRendered } from './conditional.js';

export const MAX_LIMIT = 1000;
export const MAX_QUERY_CHARS = 200;

const FILE = /^(.+)\.(rss|atom|json)$/;
const ARCHIVE_FILE = /^([1-9]\d{0,8})\.(rss|atom)$/;

/** `?limit=N` as a number in 1..MAX_LIMIT, undefined when absent, null when unusable. */
export function parseLimit(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? Math.min(n, MAX_LIMIT) : null;
}

/**
 * A query parameter a route reads once: its value, or undefined when absent. Repeated (`?q=a&q=b`, often a form with
 * a hidden field of the same name, or a link built by appending) is refused with a message saying so rather than
 * one value picked: the two may be different searches, and the reader would not see which one was answered.
 */
export function queryParam(req: Request, name: string, label = name): { value: string | undefined } | { error: string } {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return { value };
  const times = Array.isArray(value) ? value.length : 0;
  return { error: times > 1 ? `Bad ${label}: ${name} was given ${times} times; give ?${name}= once` : `Bad ${label}: give ?${name}= once, as plain text` };
}

function text(res: Response, status: number, message: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('text/plain').send(`${message}\n`);
}

export function feedRoutes(cache: RenderCache, site: FeedSite): Router {
  const router = Router();
  const unknownCategoryPage = renderNotFoundPage(site, 'No such category');

  router.get('/feeds.opml', async (req: Request, res: Response) => {
    sendRendered(req, res, await cache.getOpml());
  });

  // Express has already percent-decoded parameters, so Chinese slugs arrive as text.
  router.get('/feeds/:file', async (req: Request<{ file: string }>, res: Response) => {
    const match = FILE.exec(req.params.file);
    if (!match) return text(res, 404, 'Not found: feeds are /feeds/{category}.rss, .atom or .json');
    const limitParam = queryParam(req, 'limit');
    if ('error' in limitParam) return text(res, 400, limitParam.error);
    const limit = parseLimit(limitParam.value);
    if (limit === null) return text(res, 400, `Bad limit: use an integer from 1 to ${MAX_LIMIT}`);
    const [, slug, format] = match as unknown as [string, string, FeedFormat];
    const q = slug === 'search' ? queryParam(req, 'q', 'query') : { value: undefined };
    if ('error' in q) return text(res, 400, q.error);
    if (q.value !== undefined) {
      const query = q.value.trim();
      if (!query || query.length > MAX_QUERY_CHARS) return text(res, 400, `Bad query: give q=… with 1 to ${MAX_QUERY_CHARS} characters`);
      return sendRendered(req, res, await cache.search(query, format, limit ?? cache.items));
    }
    const rendered = await cache.getFeed(slug, format, limit ?? cache.items);
    if (!rendered) return text(res, 404, 'Unknown category');
    sendRendered(req, res, rendered);
  });

  router.get('/feeds/:slug/archive/:file', async (req: Request<{ slug: string; file: string }>, res: Response) => {
    const match = ARCHIVE_FILE.exec(req.params.file);
    if (!match) return text(res, 404, 'Not found: archive pages are /feeds/{category}/archive/{n}.atom or .rss');
    const rendered = await cache.getArchive(req.params.slug, Number(match[1]), match[2] as ArchiveFormat);
    if (!rendered) return text(res, 404, 'No such archive page');
    sendRendered(req, res, rendered);
  });

  // A person typed the query: a query that cannot be run is answered with the search page itself (400),
  // the message above the form holding the query, not a bare text page without a way back.
  router.get('/search', async (req: Request, res: Response) => {
    const q = queryParam(req, 'q', 'query');
    const refuse = (typed: string, message: string) =>
      res.status(400).set('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(cache.searchErrorPage(typed, message));
    // The form holds the first of repeated queries, to be edited and sent once.
    if ('error' in q) return refuse(String([req.query['q']].flat()[0] ?? '').trim().slice(0, MAX_QUERY_CHARS), q.error);
    const query = (q.value ?? '').trim();
    if (query.length > MAX_QUERY_CHARS) return refuse(query.slice(0, MAX_QUERY_CHARS), `Bad query: a search has at most ${MAX_QUERY_CHARS} characters`);
    try {
      sendRendered(req, res, await cache.searchPage(query));
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      refuse(query, error.message);
    }
  });

  router.get('/categories/:slug', async (req: Request<{ slug: string }>, res: Response) => {
    const rendered = await cache.getPreview(req.params.slug);
    // A person's page: the 404 is a page too, leading to the index (feeds keep their short text 404s).
    if (!rendered) return res.status(404).set('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(unknownCategoryPage);
    sendRendered(req, res, rendered);
  });

  return router;
}
