// HTTP validators: ETag / Last-Modified on every cached body, 304 for a matching conditional GET/HEAD.
import type { Request, Response } from 'express';
import type { Rendered } from '../publish/render-cache.js';

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

/** If-None-Match with weak comparison (RFC 9110 13.1.2): a list of tags, or `*`. */
export function noneMatchHits(header: string, etag: string): boolean {
  const target = opaque(etag);
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || (t !== '' && opaque(t) === target);
  });
}

/** True when the client's copy is current; If-Modified-Since counts only without If-None-Match. */
export function isNotModified(req: Request, etag: string, lastModified: Date | null): boolean {
  const noneMatch = req.get('if-none-match');
  if (noneMatch !== undefined) return noneMatchHits(noneMatch, etag);
  const since = req.get('if-modified-since');
  if (since === undefined || lastModified === null) return false;
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) return false;
  // HTTP dates have whole seconds.
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= sinceMs;
}

export interface SendOptions {
  cacheControl: string;
  /** Omit Last-Modified (pages whose time is not meaningful). */
  withLastModified?: boolean;
}

/** Sends cached bytes with validators, or 304 when the request's validators match. */
export function sendRendered(req: Request, res: Response, rendered: Rendered, options: SendOptions): void {
  const lastModified = options.withLastModified === false ? null : rendered.lastModified;
  res.set('ETag', rendered.etag);
  if (lastModified) res.set('Last-Modified', lastModified.toUTCString());
  res.set('Cache-Control', options.cacheControl);
  res.set('Vary', 'Accept-Encoding');
  if (isNotModified(req, rendered.etag, lastModified)) {
    res.status(304).end();
    return;
  }
  res.status(200);
  res.set('Content-Type', rendered.contentType);
  res.set('Content-Length', String(rendered.body.length));
  // Node drops the body of a HEAD response and keeps the headers.
  res.end(rendered.body);
}
