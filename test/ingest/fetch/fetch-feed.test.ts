import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../../../src/errors.js';
import { decodeFeedBytes } from '../../../src/ingest/fetch/decode-bytes.js';
import { fetchFeed, HttpStatusError, type FetchOptions } from '../../../src/ingest/fetch/fetch-feed.js';
import { isPrivateAddress } from '../../../src/ingest/fetch/network-guard.js';
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js';

const rss = readFileSync(new URL('../../fixtures/feeds/rss2.xml', import.meta.url));
const CAP = 64 * 1024;
const ETAG = '"rss-v7"';
const LAST_MODIFIED = 'Wed, 01 May 2024 06:00:00 GMT';
const seen: http.IncomingHttpHeaders[] = [];

// One server for every case, routed by path; each handler is the behaviour of a misbehaving host.
const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
  '/rss2.xml': (req, res) => {
    if (req.headers['if-none-match'] === ETAG || req.headers['if-modified-since'] === LAST_MODIFIED) {
      res.writeHead(304, { etag: ETAG, 'last-modified': LAST_MODIFIED }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: ETAG, 'last-modified': LAST_MODIFIED }).end(rss);
  },
  '/gbk.xml': (_req, res) => {
    const xml = '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>财经新闻</title><item><title>深圳速度</title><link>/a/1</link></item></channel></rss>';
    res.writeHead(200, { 'content-type': 'text/xml' }).end(iconv.encode(xml, 'gbk'));
  },
  '/gzip.xml': (_req, res) => void res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(rss)),
  '/br.xml': (_req, res) => void res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync(rss)),
  '/raw-deflate.xml': (_req, res) => void res.writeHead(200, { 'content-encoding': 'deflate' }).end(zlib.deflateRawSync(rss)),
  '/bomb.xml': (_req, res) => {
    // ~20 KB on the wire, 50 MB inflated.
    res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x61), { level: 9 }));
  },
  '/big-declared.xml': (_req, res) => void res.writeHead(200, { 'content-length': String(CAP * 4) }).end(Buffer.alloc(CAP * 4, 0x61)),
  '/big-chunked.xml': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < 40 && res.write(chunk)) sent++;
      if (sent < 40) res.once('drain', pump);
      else res.end();
    };
    pump();
  },
  '/404.xml': (_req, res) => void res.writeHead(404).end('gone'),
  '/500.xml': (_req, res) => void res.writeHead(500).end('boom'),
  '/hang.xml': (_req, res) => void res.writeHead(200, { 'content-type': 'text/xml' }).write('<rss>'),
  '/drip.xml': (req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    const timer = setInterval(() => res.write('<!-- . -->'), 20);
    req.socket.once('close', () => clearInterval(timer));
  },
  '/reset.xml': (req, res) => {
    res.writeHead(200, { 'content-length': '5000' });
    res.write(rss.subarray(0, 200), () => setTimeout(() => req.socket.destroy(), 20));
  },
  '/loop-a': (_req, res) => void res.writeHead(302, { location: '/loop-b' }).end(),
  '/loop-b': (_req, res) => void res.writeHead(302, { location: '/loop-a' }).end(),
  '/moved': (_req, res) => void res.writeHead(301, { location: '/rss2.xml' }).end(),
  '/temporary': (_req, res) => void res.writeHead(307, { location: '/rss2.xml' }).end(),
  '/moved-then-temporary': (_req, res) => void res.writeHead(308, { location: '/temporary' }).end(),
};
routes['/limited'] = (_req, res) => void res.writeHead(429, { 'retry-after': '120' }).end();
routes['/unavailable'] = (_req, res) =>
  void res.writeHead(503, { date: 'Wed, 01 May 2024 06:00:00 GMT', 'retry-after': 'Wed, 01 May 2024 07:30:00 GMT' }).end();
routes['/unavailable-bare'] = (_req, res) => void res.writeHead(503).end();
routes['/cached'] = (_req, res) => void res.writeHead(200, { 'cache-control': 'public, max-age=3600', age: '600', etag: '"c1"' }).end(rss);
routes['/cached-304'] = (_req, res) => void res.writeHead(304, { 'cache-control': 'max-age=7200' }).end();
routes['/no-store'] = (_req, res) => void res.writeHead(200, { 'cache-control': 'no-store, max-age=3600' }).end(rss);
routes['/to-metadata'] = (req, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
routes['/to-metadata-v6'] = (req, res) => void res.writeHead(302, { location: 'http://[::ffff:0:169.254.169.254]/latest/meta-data/' }).end();
routes['/to-loopback'] = (req, res) => void res.writeHead(302, { location: `http://127.0.0.1:${port}/rss2.xml` }).end();
routes['/to-localhost'] = (req, res) => void res.writeHead(301, { location: `http://localhost:${port}/rss2.xml` }).end();
routes['/to-rebind'] = (req, res) => void res.writeHead(302, { location: `http://rebind.example.net:${port}/rss2.xml` }).end();
for (let i = 0; i < 8; i++) routes[`/hop${i}`] = (_req, res) => void res.writeHead(302, { location: `/hop${i + 1}` }).end();

let server: http.Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const handler = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const options = (extra: Partial<FetchOptions> = {}): FetchOptions => ({ timeoutMs: 2000, maxBytes: CAP, userAgent: 'feed-aggregator-test/1', ...extra });

async function fetchError(url: string, extra: Partial<FetchOptions> = {}): Promise<FetchError> {
  const error = await fetchFeed(url, options(extra)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FetchError);
  return error as FetchError;
}

describe('fetchFeed: success paths', () => {
  it('fetches a feed with validators and sends feed Accept, Accept-Encoding and User-Agent', async () => {
    const result = await fetchFeed(`${base}/rss2.xml`, options());
    expect(result).toMatchObject({ kind: 'ok', status: 200, url: `${base}/rss2.xml`, etag: ETAG, lastModified: LAST_MODIFIED, permanentRedirect: null });
    if (result.kind !== 'ok') throw new Error('unreachable');
    expect(result.body.equals(rss)).toBe(true);
    expect(result.contentType).toBe('application/rss+xml; charset=utf-8');
    const headers = seen.at(-1)!;
    expect(headers['user-agent']).toBe('feed-aggregator-test/1');
    expect(headers.accept).toContain('application/rss+xml');
    expect(headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('sends If-None-Match / If-Modified-Since and returns not-modified on 304', async () => {
    const byEtag = await fetchFeed(`${base}/rss2.xml`, options({ etag: ETAG }));
    expect(byEtag).toEqual({ kind: 'not-modified', status: 304, url: `${base}/rss2.xml`, etag: ETAG, lastModified: LAST_MODIFIED, maxAgeMs: null });
    expect(seen.at(-1)!['if-none-match']).toBe(ETAG);
    const byDate = await fetchFeed(`${base}/rss2.xml`, options({ lastModified: LAST_MODIFIED }));
    expect(byDate.kind).toBe('not-modified');
    expect(seen.at(-1)!['if-modified-since']).toBe(LAST_MODIFIED);
  });

  it.each(['/gzip.xml', '/br.xml', '/raw-deflate.xml'])('decompresses %s', async (path) => {
    const result = await fetchFeed(`${base}${path}`, options());
    expect(result.kind === 'ok' && result.body.equals(rss)).toBe(true);
  });

  it('connects through the injected lookup', async () => {
    const asked: string[] = [];
    const lookup = ((hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      asked.push(hostname);
      if (opts.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    const result = await fetchFeed(`http://feeds.harbour.test:${port}/rss2.xml`, options({ lookup }));
    expect(result.kind).toBe('ok');
    expect(asked).toContain('feeds.harbour.test');
    expect(seen.at(-1)!.host).toBe(`feeds.harbour.test:${port}`);
  });

  it('reports a permanent redirect and the final URL', async () => {
    const result = await fetchFeed(`${base}/moved`, options());
    expect(result).toMatchObject({ kind: 'ok', url: `${base}/rss2.xml`, permanentRedirect: `${base}/rss2.xml` });
  });

  it('does not report a temporary redirect as a move; a 308 before it moves only to its target', async () => {
    expect(await fetchFeed(`${base}/temporary`, options())).toMatchObject({ url: `${base}/rss2.xml`, permanentRedirect: null });
    expect(await fetchFeed(`${base}/moved-then-temporary`, options())).toMatchObject({ url: `${base}/rss2.xml`, permanentRedirect: `${base}/temporary` });
  });

  it('fetches, decodes and parses a GBK feed end to end', async () => {
    const result = await fetchFeed(`${base}/gbk.xml`, options());
    if (result.kind !== 'ok') throw new Error('expected a body');
    const decoded = decodeFeedBytes(result.body, result.contentType);
    const doc = await parseFeed(decoded.text, result.url);
    expect(doc.title).toBe('财经新闻');
    expect(doc.items[0]).toMatchObject({ title: '深圳速度', link: `${base}/a/1` });
  });
});

describe('fetchFeed: failures', () => {
  it('turns HTTP 404 and 500 into FetchError with the status', async () => {
    const notFound = await fetchError(`${base}/404.xml`);
    expect(notFound.status).toBe(404);
    expect(notFound.message).toBe(`${base}/404.xml: HTTP 404 Not Found`);
    const serverError = await fetchError(`${base}/500.xml`);
    expect(serverError.status).toBe(500);
    expect(serverError.message).toBe(`${base}/500.xml: HTTP 500 Internal Server Error`);
  });

  it('times out a response that never ends', async () => {
    // The message names the timeout that fired; how fast is the benchmark's business, not a test's.
    const error = await fetchError(`${base}/hang.xml`, { timeoutMs: 300 });
    expect(error.message).toBe(`${base}/hang.xml: timed out after 300 ms`);
  });

  it('times out a slow drip of bytes (the timeout covers the whole request)', async () => {
    const error = await fetchError(`${base}/drip.xml`, { timeoutMs: 300, maxBytes: 10 * 1024 * 1024 });
    expect(error.message).toBe(`${base}/drip.xml: timed out after 300 ms`);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await fetchError(`${base}/hang.xml`, { signal: controller.signal });
    expect(error.message).toBe(`${base}/hang.xml: aborted`);
  });

  it('reports connection refused on a closed port', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await fetchError(`http://127.0.0.1:${closedPort}/feed.xml`);
    expect(error.message).toBe(`http://127.0.0.1:${closedPort}/feed.xml: connection refused`);
    expect(error.status).toBeNull();
  });

  it('reports a connection reset in the middle of the body', async () => {
    const error = await fetchError(`${base}/reset.xml`);
    expect(error.message).toBe(`${base}/reset.xml: connection lost while reading the body (connection reset by peer)`);
    expect(error.status).toBe(200);
  });

  it('refuses a body whose Content-Length is over the cap', async () => {
    const error = await fetchError(`${base}/big-declared.xml`);
    expect(error.message).toBe(`${base}/big-declared.xml: response larger than ${CAP} bytes`);
  });

  it('stops reading a chunked body once it passes the cap', async () => {
    const error = await fetchError(`${base}/big-chunked.xml`);
    expect(error.message).toBe(`${base}/big-chunked.xml: response larger than ${CAP} bytes`);
  });

  it('stops a gzip bomb at the cap after decompression', async () => {
    const error = await fetchError(`${base}/bomb.xml`);
    expect(error.message).toBe(`${base}/bomb.xml: response larger than ${CAP} bytes (after gzip decompression)`);
  });

  it('detects a redirect loop', async () => {
    const error = await fetchError(`${base}/loop-a`);
    expect(error.message).toBe(`${base}/loop-a: redirect loop: ${base}/loop-b → ${base}/loop-a`);
  });

  it('follows at most maxRedirects redirects', async () => {
    const error = await fetchError(`${base}/hop0`, { maxRedirects: 3 });
    expect(error.message).toBe(`${base}/hop0: too many redirects (more than 3)`);
    // Exactly at the limit still works: hop5 → … → hop8 is 3 redirects, then a 404 from the last hop.
    const atLimit = await fetchError(`${base}/hop5`, { maxRedirects: 3 });
    expect(atLimit.message).toBe(`${base}/hop8: HTTP 404 Not Found`);
  });

  it('rejects URLs that are not http(s)', async () => {
    const error = await fetchError('file:///etc/passwd');
    expect(error.message).toBe('file:///etc/passwd: unsupported protocol file:');
  });
});

// Every name resolves to the loopback test server; `feeds.example.com` plays a public host through the
// address policy, since no public address can reach a server on this machine.
const toLoopback = ((hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (opts.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;
const publicStandIn = (address: string, hostname: string) => hostname !== 'feeds.example.com' && isPrivateAddress(address);

describe('fetchFeed: network safety', () => {
  it('refuses a public name that resolves to a loopback address (checked at connect time)', async () => {
    const error = await fetchError(`http://feeds.example.com:${port}/rss2.xml`, { lookup: toLoopback, allowPrivateNetworks: false });
    expect(error.message).toBe(`http://feeds.example.com:${port}/rss2.xml: refused: feeds.example.com resolves to private address 127.0.0.1`);
    expect(error.status).toBeNull();
  });

  it('refuses redirects from a public host into 127.0.0.1, localhost, or a name rebinding to loopback', async () => {
    const guarded = { lookup: toLoopback, allowPrivateNetworks: false, addressPolicy: publicStandIn };
    // The stand-in itself is reachable under this policy.
    expect((await fetchFeed(`http://feeds.example.com:${port}/rss2.xml`, options(guarded))).kind).toBe('ok');
    const before = seen.length;
    const literal = await fetchError(`http://feeds.example.com:${port}/to-loopback`, guarded);
    expect(literal.message).toBe(`http://127.0.0.1:${port}/rss2.xml: refused: 127.0.0.1 resolves to private address 127.0.0.1`);
    expect(seen.length).toBe(before + 1); // the private target was never requested
    const named = await fetchError(`http://feeds.example.com:${port}/to-localhost`, guarded);
    expect(named.message).toBe(`http://localhost:${port}/rss2.xml: refused: localhost resolves to private address 127.0.0.1`);
    const rebind = await fetchError(`http://feeds.example.com:${port}/to-rebind`, guarded);
    expect(rebind.message).toContain('refused: rebind.example.net resolves to private address 127.0.0.1');
  });

  it('allows private addresses when allowPrivateNetworks is not false (the default)', async () => {
    expect((await fetchFeed(`http://feeds.example.com:${port}/to-loopback`, options({ lookup: toLoopback }))).kind).toBe('ok');
  });

  it('refuses link-local and metadata addresses even when private networks are allowed, also after a redirect', async () => {
    for (const allowPrivateNetworks of [true, undefined]) {
      const before = seen.length;
      const literal = await fetchError(`${base}/to-metadata`, { allowPrivateNetworks });
      expect(literal.message).toBe('http://169.254.169.254/latest/meta-data/: refused: 169.254.169.254 resolves to link-local or metadata address 169.254.169.254');
      const mapped = await fetchError(`${base}/to-metadata-v6`, { allowPrivateNetworks });
      expect(mapped.message).toContain('resolves to link-local or metadata address');
      expect(seen.length).toBe(before + 2); // only the redirecting server was asked
    }
    const toMetadata = ((_h: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options.all) callback(null, [{ address: '169.254.169.254', family: 4 }]);
      else callback(null, '169.254.169.254', 4);
    }) as unknown as LookupFunction;
    const named = await fetchError('http://metadata.google.internal/computeMetadata/v1/', { lookup: toMetadata, allowPrivateNetworks: true });
    expect(named.message).toContain('refused: metadata.google.internal resolves to link-local or metadata address 169.254.169.254');
  });
});

describe('fetchFeed: connect timeout', () => {
  it('gives up on a connect (here: a DNS answer) that never comes, well before the total timeout', async () => {
    const never = (() => undefined) as unknown as LookupFunction;
    // The connect timeout's message, not the total timeout's (5000 ms): it fired first.
    const error = await fetchError(`http://slow-dns.example.com:${port}/rss2.xml`, { lookup: never, connectTimeoutMs: 150, timeoutMs: 5000 });
    expect(error.message).toBe(`http://slow-dns.example.com:${port}/rss2.xml: connect timed out after 150 ms`);
  });

  it('does not cut a connected response that is merely slow', async () => {
    const error = await fetchError(`${base}/drip.xml`, { connectTimeoutMs: 50, timeoutMs: 300, maxBytes: 10 * 1024 * 1024 });
    expect(error.message).toBe(`${base}/drip.xml: timed out after 300 ms`);
  });
});

describe('fetchFeed: what the server asks for', () => {
  it('carries Retry-After seconds on a 429', async () => {
    const error = await fetchError(`${base}/limited`);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000 });
    expect(error.message).toBe(`${base}/limited: HTTP 429 Too Many Requests; retry after 120 s`);
  });

  it('reads a Retry-After date against the response Date header on a 503', async () => {
    expect(await fetchError(`${base}/unavailable`)).toMatchObject({ status: 503, retryAfterMs: 90 * 60_000 });
    expect(await fetchError(`${base}/unavailable-bare`)).toMatchObject({ status: 503, retryAfterMs: null });
  });

  it('returns Cache-Control max-age minus Age on 200 and 304; none for no-store', async () => {
    expect(await fetchFeed(`${base}/cached`, options())).toMatchObject({ kind: 'ok', maxAgeMs: 3000 * 1000 });
    expect(await fetchFeed(`${base}/cached-304`, options())).toMatchObject({ kind: 'not-modified', maxAgeMs: 7200 * 1000 });
    expect(await fetchFeed(`${base}/no-store`, options())).toMatchObject({ kind: 'ok', maxAgeMs: null });
    expect(await fetchFeed(`${base}/rss2.xml`, options())).toMatchObject({ kind: 'ok', maxAgeMs: null });
  });
});
