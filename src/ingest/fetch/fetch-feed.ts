// Fetches one feed over HTTP(S) with node:http rather than global fetch: we need an injectable
// connect-time DNS lookup (address filtering), a connect timeout, a byte cap enforced while streaming and
// after decompression, and one deadline covering redirects and a slow drip of bytes.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { FetchError } from '../../errors.js';
import { parseMaxAge, parseRetryAfter } from './cache-headers.js';
import { checkLiteralHost, guardedLookup, isLinkLocalOrMetadata, isPrivateAddress, type AddressPolicy } from './network-guard.js';
import { decompress, describeNetworkError, readCapped } from './read-body.js';

export interface FetchOptions {
  /** Deadline for the whole fetch: every redirect, the connect and the last byte. */
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  etag?: string | null;
  lastModified?: string | null;
  signal?: AbortSignal;
  /** Default 5. */
  maxRedirects?: number;
  /** Deadline for DNS + TCP (+ TLS) of each hop. Default 10 s. */
  connectTimeoutMs?: number;
  /** Injectable DNS lookup, used at connect time (tests, address filtering). */
  lookup?: LookupFunction;
  /**
   * false: refuse to connect to loopback/private/link-local/metadata addresses, checked on every hop's
   * resolved address. Default true (the caller decides per source; see run-feed-source); link-local
   * and metadata addresses are refused either way.
   */
  allowPrivateNetworks?: boolean;
  /** Which resolved addresses count as private when they are refused. Default `isPrivateAddress`. */
  addressPolicy?: AddressPolicy;
  /** Clock for Retry-After dates when the response has no Date header. */
  now?: () => number;
  /** The Accept header; default: feed types first. Full text asks for HTML pages with it. */
  accept?: string;
}

interface Freshness {
  /** Cache-Control max-age (minus Age) of the response, in ms; null when not given. */
  maxAgeMs: number | null;
}

export type FetchResult =
  | ({ kind: 'not-modified'; status: 304; url: string; etag: string | null; lastModified: string | null } & Freshness)
  | ({
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
    } & Freshness);

/** An HTTP error status; for 429 and 503 it carries the server's Retry-After. */
export class HttpStatusError extends FetchError {
  constructor(
    url: string,
    message: string,
    status: number,
    /** Retry-After in ms (429/503 only); null when not given. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(url, message, status);
  }
}

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export async function fetchFeed(url: string, options: FetchOptions): Promise<FetchResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const guarded = options.allowPrivateNetworks === false;
  // A source allowed private networks still never reaches link-local or metadata addresses.
  const policy = guarded ? (options.addressPolicy ?? isPrivateAddress) : isLinkLocalOrMetadata;
  const kind = guarded ? undefined : 'link-local or metadata address';
  const lookup = guardedLookup(options.lookup, policy, kind);
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
      // Node connects to an IP literal without calling lookup, so those are checked here.
      const literal = checkLiteralHost(target.hostname, policy, kind);
      if (literal) throw new FetchError(current, literal.message, null, { cause: literal });
      let res: http.IncomingMessage;
      try {
        res = await openResponse(target, { ...options, lookup }, controller.signal);
      } catch (error) {
        throw fail(current, error);
      }
      const status = res.statusCode ?? 0;
      const header = (name: string): string | null => {
        const v = res.headers[name];
        return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
      };
      const maxAgeMs = parseMaxAge(header('cache-control'), header('age'));

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
        return { kind: 'not-modified', status: 304, url: current, etag: header('etag'), lastModified: header('last-modified'), maxAgeMs };
      }
      if (status < 200 || status >= 300) {
        res.destroy();
        const reason = res.statusMessage || http.STATUS_CODES[status] || '';
        const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(header('retry-after'), header('date'), (options.now ?? Date.now)()) : null;
        const wait = retryAfterMs !== null ? `; retry after ${Math.round(retryAfterMs / 1000)} s` : '';
        throw new HttpStatusError(current, `HTTP ${status}${reason ? ` ${reason}` : ''}${wait}`, status, retryAfterMs);
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
        maxAgeMs,
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

class ConnectTimeoutError extends Error {
  readonly code = 'ERR_CONNECT_TIMEOUT';
}

function openResponse(target: URL, options: FetchOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent,
    accept: options.accept ?? ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const request = target.protocol === 'https:' ? https.request : http.request;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // agent: false → one connection per fetch; no stale keep-alive socket can reset a later fetch.
    const req = request(target, { method: 'GET', headers, signal, agent: false, ...(options.lookup ? { lookup: options.lookup } : {}) });
    // The socket exists before DNS runs, so this deadline covers lookup + TCP (+ TLS for https).
    req.once('socket', (socket) => {
      const timer = setTimeout(() => req.destroy(new ConnectTimeoutError(`connect timed out after ${connectTimeoutMs} ms`)), connectTimeoutMs);
      const clear = () => clearTimeout(timer);
      socket.once(target.protocol === 'https:' ? 'secureConnect' : 'connect', clear);
      socket.once('close', clear);
      req.once('error', clear);
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}
