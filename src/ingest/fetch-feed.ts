// Fetches one feed over HTTP(S) with node:http rather than global fetch: we need an injectable
// connect-time DNS lookup, a byte cap enforced while streaming and after decompression, and one
// deadline covering redirects and a slow drip of bytes.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { FetchError } from '../errors.js';

export interface FetchOptions {
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  etag?: string | null;
  lastModified?: string | null;
  signal?: AbortSignal;
  /** Default 5. */
  maxRedirects?: number;
  /** Injectable DNS lookup, used at connect time (tests, address filtering). */
  lookup?: LookupFunction;
}

export type FetchResult =
  | { kind: 'not-modified'; status: 304; url: string; etag: string | null; lastModified: string | null }
  | {
      kind: 'ok';
      status: number;
      /** Final URL after redirects. */
      url: string;
      body: Buffer;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      /** The new URL when the source moved permanently (only 301/308 hops from the configured URL). */
      permanentRedirect: string | null;
    };

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onExternalAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });
  if (options.signal?.aborted) controller.abort();

  // Errors raised while aborted are reported as the abort's reason, not as the socket's symptom.
  const fail = (at: string, error: unknown): FetchError => {
    if (timedOut) return new FetchError(at, `timed out after ${options.timeoutMs} ms`, null, { cause: error });
    if (controller.signal.aborted) return new FetchError(at, 'aborted', null, { cause: error });
    if (error instanceof FetchError) return error;
    return new FetchError(at, describeNetworkError(error), null, { cause: error });
  };

  let current = url;
  const visited = new Set<string>();
  let permanentRedirect: string | null = null;
  let onlyPermanentSoFar = true;
  try {
    for (let hop = 0; ; hop++) {
      const target = parseHttpUrl(current);
      visited.add(target.href);
      let res: http.IncomingMessage;
      try {
        res = await openResponse(target, options, controller.signal);
      } catch (error) {
        throw fail(current, error);
      }
      const status = res.statusCode ?? 0;
      const header = (name: string): string | null => {
        const v = res.headers[name];
        return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
      };

      if (REDIRECTS.has(status) && header('location')) {
        res.destroy();
        const next = resolveLocation(current, header('location') ?? '');
        if (visited.has(next)) throw new FetchError(url, `redirect loop: ${current} → ${next}`, status);
        if (hop + 1 > maxRedirects) throw new FetchError(url, `too many redirects (more than ${maxRedirects})`, status);
        if ((status === 301 || status === 308) && onlyPermanentSoFar) permanentRedirect = next;
        else onlyPermanentSoFar = false;
        current = next;
        continue;
      }
      if (status === 304) {
        res.destroy();
        return { kind: 'not-modified', status: 304, url: current, etag: header('etag'), lastModified: header('last-modified') };
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        const reason = res.statusMessage || http.STATUS_CODES[status] || '';
        throw new FetchError(current, `HTTP ${status}${reason ? ` ${reason}` : ''}`, status);
      }

      let body: Buffer;
      try {
        const declared = Number(header('content-length'));
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          res.destroy();
          throw new FetchError(current, `response larger than ${options.maxBytes} bytes`, status);
        }
        const raw = await readCapped(res, options.maxBytes, controller.signal, current, status);
        body = await decompress(raw, header('content-encoding'), options.maxBytes, current, status);
      } catch (error) {
        throw fail(current, error);
      }
      return {
        kind: 'ok',
        status,
        url: current,
        body,
        contentType: header('content-type'),
        etag: header('etag'),
        lastModified: header('last-modified'),
        permanentRedirect,
      };
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onExternalAbort);
  }
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError(url, 'invalid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchError(url, `unsupported protocol ${parsed.protocol}`);
  }
  return parsed;
}

function resolveLocation(base: string, location: string): string {
  try {
    return new URL(location, base).href;
  } catch {
    throw new FetchError(base, `invalid redirect location "${location}"`);
  }
}

function openResponse(target: URL, options: FetchOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent,
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const request = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    // agent: false → one connection per fetch; no stale keep-alive socket can reset a later fetch.
    const req = request(target, { method: 'GET', headers, signal, agent: false, ...(options.lookup ? { lookup: options.lookup } : {}) });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

/** Collects the body, stopping as soon as it passes `maxBytes` or the connection dies early. */
function readCapped(
  res: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  url: string,
  status: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: unknown, value?: Buffer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        res.destroy();
        reject(error);
      } else resolve(value ?? Buffer.alloc(0));
    };
    const onAbort = () => settle(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(new FetchError(url, `response larger than ${maxBytes} bytes`, status));
      else chunks.push(chunk);
    });
    res.once('end', () => {
      if (res.complete) settle(null, Buffer.concat(chunks));
      else settle(new FetchError(url, 'connection closed before the body was complete', status));
    });
    res.once('error', (error) => settle(new FetchError(url, `connection lost while reading the body (${describeNetworkError(error)})`, status, { cause: error })));
    res.once('close', () => {
      if (!res.complete) settle(new FetchError(url, 'connection closed before the body was complete', status));
    });
  });
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** Decompresses with an output cap, so a small gzip bomb stops at `maxBytes`. */
async function decompress(raw: Buffer, contentEncoding: string | null, maxBytes: number, url: string, status: number): Promise<Buffer> {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (!coding || coding === 'identity' || raw.length === 0) return raw;
  const opts = { maxOutputLength: maxBytes };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return await gunzip(raw, opts);
    if (coding === 'br') return await brotli(raw, opts);
    if (coding === 'deflate') {
      // "deflate" is zlib-wrapped per the spec, but some servers send raw deflate.
      try {
        return await inflate(raw, opts);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
        return await inflateRaw(raw, opts);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FetchError(url, `response larger than ${maxBytes} bytes (after ${coding} decompression)`, status);
    }
    throw new FetchError(url, `could not decompress ${coding} body: ${(error as Error).message}`, status, { cause: error });
  }
  throw new FetchError(url, `unsupported Content-Encoding "${contentEncoding}"`, status);
}

function describeNetworkError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'ENOTFOUND':
      return `host not found${e.hostname ? ` (${e.hostname})` : ''}`;
    case 'EAI_AGAIN':
      return 'DNS lookup failed (temporary)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      return e instanceof Error ? e.message : String(error);
  }
}
