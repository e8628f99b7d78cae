// A rendered document as served: bytes, their precompressed forms, validators and cache policy.
import { createHash } from 'node:crypto';
import { encodeAll } from './compress.js';

export type ContentCoding = 'identity' | 'gzip' | 'br';

export interface Rendered {
  body: Buffer;
  /** Present when smaller than the body (made at render time, never per request). */
  gzip?: Buffer | undefined;
  br?: Buffer | undefined;
  /** Strong validator of the identity bytes; `etags` has one per coding. */
  etag: string;
  etags: Record<ContentCoding, string>;
  lastModified: Date;
  /** `lastModified` as an HTTP date, formatted once. */
  lastModifiedHttp: string;
  contentType: string;
  cacheControl: string;
}

export const DEFAULT_CACHE_CONTROL = 'public, max-age=300';
/** Full archive pages never change (RFC 5005 §4). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Quoted, strong ETag of some bytes. */
export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

// A strong ETag names one representation, so each content coding gets its own (RFC 9110 8.8.3).
function codingTags(etag: string): Record<ContentCoding, string> {
  const bare = etag.slice(1, -1);
  return { identity: etag, gzip: `"${bare}-gz"`, br: `"${bare}-br"` };
}

/** Identity-only document (pages rendered per request). */
export function toRendered(text: string, contentType: string, lastModified: Date, cacheControl = DEFAULT_CACHE_CONTROL): Rendered {
  const body = Buffer.from(text, 'utf8');
  const etag = etagOf(body);
  const lm = new Date(Math.floor(lastModified.getTime() / 1000) * 1000);
  return { body, etag, etags: codingTags(etag), lastModified, lastModifiedHttp: lm.toUTCString(), contentType, cacheControl };
}

/** The document with its gzip and brotli forms, for the render cache. */
export async function toRenderedEncoded(text: string, contentType: string, lastModified: Date, cacheControl: string): Promise<Rendered> {
  const rendered = toRendered(text, contentType, lastModified, cacheControl);
  const { gzip, br } = await encodeAll(rendered.body);
  if (gzip.length < rendered.body.length) rendered.gzip = gzip;
  if (br.length < rendered.body.length) rendered.br = br;
  return rendered;
}
