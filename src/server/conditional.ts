// Sending cached documents: content-coding negotiation over the precompressed forms, validators
// (ETag per coding, Last-Modified), 304 for a matching conditional GET/HEAD. Works on plain
// node:http objects, so the fast path and the express routes answer byte for byte alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContentCoding, Rendered } from '../publish/rendered.js';

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** If-None-Match with weak comparison (RFC 9110 13.1.2): a list of tags, or `*`. */
export function noneMatchHits(header: string, etags: string | readonly string[]): boolean {
  const targets = (typeof etags === 'string' ? [etags] : etags).map(opaque);
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t !== '' && targets.includes(opaque(t)));
  });
}

/**
 * True when the client's copy is current. Any coding's tag matches (the content is the same), and
 * If-Modified-Since counts only without If-None-Match.
 */
export function isNotModified(headers: IncomingMessage['headers'], rendered: Pick<Rendered, 'etags' | 'lastModified'>, useDate = true): boolean {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) {
    const { identity, gzip, br } = rendered.etags;
    return noneMatchHits(noneMatch, [identity, gzip, br]);
  }
  const since = headers['if-modified-since'];
  if (since === undefined || !useDate) return false;
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) return false;
  // HTTP dates have whole seconds.
  return Math.floor(rendered.lastModified.getTime() / 1000) * 1000 <= sinceMs;
}

// Accept-Encoding values repeat across requests: remember a bounded number of them.
const negotiated = new Map<string, { br: boolean; gzip: boolean; brFirst: boolean }>();

function parseAcceptEncoding(header: string) {
  const known = negotiated.get(header);
  if (known) return known;
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q[name] = Number.isFinite(value) ? value : 0;
  }
  const star = q['*'] ?? 0;
  const brQ = q['br'] ?? star;
  const gzQ = q['gzip'] ?? q['x-gzip'] ?? star;
  const result = { br: brQ > 0, gzip: gzQ > 0, brFirst: brQ >= gzQ };
  if (negotiated.size > 256) negotiated.clear();
  negotiated.set(header, result);
  return result;
}

/** The coding to send: brotli or gzip when accepted and available (brotli on a tie), else identity. */
export function chooseCoding(header: string | undefined, rendered: Pick<Rendered, 'gzip' | 'br'>): ContentCoding {
  if (!header) return 'identity';
  const accept = parseAcceptEncoding(header);
  const br = accept.br && rendered.br !== undefined;
  const gzip = accept.gzip && rendered.gzip !== undefined;
  if (br && (accept.brFirst || !gzip)) return 'br';
  if (gzip) return 'gzip';
  return 'identity';
}

export interface SendOptions {
  /** Overrides the document's own Cache-Control. */
  cacheControl?: string;
  /** Omit Last-Modified (pages whose time is not meaningful). */
  withLastModified?: boolean;
}

/** Sends cached bytes with validators, or 304 when the request's validators match. */
export function sendRendered(req: IncomingMessage, res: ServerResponse, rendered: Rendered, options: SendOptions = {}): void {
  const withDate = options.withLastModified !== false;
  const coding = chooseCoding(req.headers['accept-encoding'], rendered);
  const headers: Record<string, string | number> = {
    ETag: rendered.etags[coding],
    'Cache-Control': options.cacheControl ?? rendered.cacheControl,
    Vary: 'Accept-Encoding',
  };
  if (withDate) headers['Last-Modified'] = rendered.lastModifiedHttp;
  if (isNotModified(req.headers, rendered, withDate)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const body = coding === 'identity' ? rendered.body : rendered[coding]!;
  headers['Content-Type'] = rendered.contentType;
  headers['Content-Length'] = body.length;
  if (coding !== 'identity') headers['Content-Encoding'] = coding;
  res.writeHead(200, headers);
  // A HEAD response keeps the headers and drops the body.
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}
