// What every response carries and what every request is checked for before any route runs, on the
// fast path and in express alike: a fixed header table (set per request in express; on the fast path part
// of each document's prepared header list) and the refusal of request bodies, since no route takes one.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * HTML pages run no script, load nothing but images, a story's audio and video (http(s), the story page's
 * players) and their own inline CSS, post forms only to us and cannot be framed. Set on every response but the cross-origin documents below (harmless on
 * plain text, and a page added later is covered without a list to keep up).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src http: https: data:; media-src http: https:; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Feeds, archives, OPML and a story's JSON are meant for browser-based readers on any origin. */
const CROSS_ORIGIN_PATH = /^\/(?:feeds[./]|stories\/[^/?#]+\.json(?:[?#]|$))/;

/**
 * The security headers of a cross-origin document (every path the fast path answers), as header pairs for a
 * prepared `writeHead` list (server/conditional.ts `keptHeaderLists`).
 */
export const CROSS_ORIGIN_HEADERS: readonly string[] = ['X-Content-Type-Options', 'nosniff', 'Access-Control-Allow-Origin', '*'];

/** True when the request announces a body (no route takes one). */
export function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Sets the security headers; answers and closes (returning false) a request that carries a body. */
export function guardRequest(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (CROSS_ORIGIN_PATH.test(req.url ?? '')) res.setHeader('Access-Control-Allow-Origin', '*');
  else res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  if (carriesBody(req)) {
    // Refused before reading a byte of it; the connection goes so the unread body is not parsed as a request.
    res.writeHead(413, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', Connection: 'close' });
    res.end('No route takes a request body\n');
    req.socket.destroySoon();
    return false;
  }
  return true;
}
