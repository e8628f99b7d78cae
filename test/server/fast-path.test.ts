// Polling at the cost of a static file: cached bytes, precompressed forms, validators, 304s without
// rendering, and the fast path answering exactly as the express routes do.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, describe, it, expect } from 'vitest';
import { chooseCoding } from '../../src/server/conditional.js';
import { fixedFeedPolicy } from '../../src/publish/feed-policy.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { rawRequest, serveStore, type Served } from './serve.js';

const running: Served[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(policy = fixedFeedPolicy(10)) {
  const { store, setNow } = await openTestStore('2025-01-01T00:00:00Z');
  const articles = Array.from({ length: 30 }, (_, i) =>
    article(`Story ${i} 深圳 ${'long text '.repeat(20)}`, `2024-12-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00Z`, [i % 2 ? FINANCE : TECH]),
  );
  await store.storeRun({ sourceKey: 'source:Example', articles });
  const served = await serveStore(store, { policy });
  running.push(served);
  return { ...served, store, setNow };
}

describe('content coding', () => {
  it('prefers brotli, then gzip, honours q=0, and falls back to identity', () => {
    const both = { gzip: Buffer.from('g'), br: Buffer.from('b') };
    expect(chooseCoding('gzip, deflate, br', both)).toBe('br');
    expect(chooseCoding('gzip;q=1, br;q=0.5', both)).toBe('gzip');
    expect(chooseCoding('br;q=0, gzip', both)).toBe('gzip');
    expect(chooseCoding('*', both)).toBe('br');
    expect(chooseCoding('identity', both)).toBe('identity');
    expect(chooseCoding(undefined, both)).toBe('identity');
    expect(chooseCoding('br', { gzip: Buffer.from('g') })).toBe('identity');
  });

  it('serves the precompressed forms with their own ETags and Vary', async () => {
    const { base } = await start();
    const plain = await rawRequest(`${base}/feeds/all.atom`, { 'accept-encoding': 'identity' });
    const gz = await rawRequest(`${base}/feeds/all.atom`, { 'accept-encoding': 'gzip' });
    const br = await rawRequest(`${base}/feeds/all.atom`, { 'accept-encoding': 'gzip, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gunzipSync(gz.body)).toEqual(plain.body);
    expect(brotliDecompressSync(br.body)).toEqual(plain.body);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(gz.headers['content-length']).toBe(String(gz.body.length));
    for (const r of [plain, gz, br]) expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(new Set([plain, gz, br].map((r) => r.headers['etag'])).size).toBe(3);
  });
});

describe('conditional requests on the fast path', () => {
  it('answers 304 to any coding’s ETag and to If-Modified-Since, without rendering again', async () => {
    const { base, renders } = await start();
    const first = await rawRequest(`${base}/feeds/tech.rss`, { 'accept-encoding': 'gzip' });
    expect(first.status).toBe(200);
    expect(renders()).toBe(1);
    const etag = first.headers['etag']!;
    const lastModified = first.headers['last-modified']!;
    expect(lastModified).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
    expect(first.headers['cache-control']).toBe('public, max-age=600');

    const again = await rawRequest(`${base}/feeds/tech.rss`, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['etag']).toBe(etag);
    expect(again.headers['cache-control']).toBe('public, max-age=600');
    // A client that switched codings still holds the same content.
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': etag })).status).toBe(304);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': `W/${etag}` })).status).toBe(304);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': '"other"' })).status).toBe(200);
    // Lists, weak members and `*`.
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': `"other",${etag}` })).status).toBe(304);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': '"a", "b",, W/"c"' })).status).toBe(200);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': '*' })).status).toBe(304);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': etag.slice(0, -1) })).status).toBe(200);
    // The fast path's 304 carries the security headers of a cross-origin document too.
    expect(again.headers['x-content-type-options']).toBe('nosniff');
    expect(again.headers['access-control-allow-origin']).toBe('*');
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-modified-since': 'Tue, 31 Dec 2024 23:59:59 GMT' })).status).toBe(200);
    // If-None-Match wins over a matching date.
    expect((await rawRequest(`${base}/feeds/tech.rss`, { 'if-none-match': '"other"', 'if-modified-since': lastModified })).status).toBe(200);
    expect(renders()).toBe(1);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const { base } = await start();
    const get = await rawRequest(`${base}/feeds/${encodeURIComponent('金融')}.json`, { 'accept-encoding': 'br' });
    const head = await rawRequest(`${base}/feeds/${encodeURIComponent('金融')}.json`, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    for (const h of ['etag', 'content-length', 'content-type', 'content-encoding', 'last-modified', 'cache-control']) {
      expect(head.headers[h], h).toBe(get.headers[h]);
    }
  });

  it('answers the same bytes and headers from the fast path as from express (first, uncached request)', async () => {
    const { base } = await start();
    const viaExpress = await rawRequest(`${base}/feeds.opml`, { 'accept-encoding': 'gzip' });
    const viaFastPath = await rawRequest(`${base}/feeds.opml`, { 'accept-encoding': 'gzip' });
    expect(viaFastPath.body).toEqual(viaExpress.body);
    const pick = (h: Record<string, unknown>) => ({ ...h, date: undefined, connection: undefined, 'keep-alive': undefined });
    expect(pick(viaFastPath.headers)).toEqual(pick(viaExpress.headers));
  });

  it('renders the change after ingest invalidates, and keeps ?limit within its bound', async () => {
    const { base, store, cache, setNow } = await start();
    const before = await rawRequest(`${base}/feeds/tech.json`);
    setNow('2025-01-02T00:00:00Z');
    const result = await store.storeRun({ sourceKey: 'source:New', articles: [article('Fresh chips', '2025-01-01T23:00:00Z', [TECH])] });
    cache.invalidate(result.changedCategories);
    const after = await rawRequest(`${base}/feeds/tech.json`, { 'if-none-match': before.headers['etag']! });
    expect(after.status).toBe(200);
    expect(after.headers['last-modified']).toBe('Thu, 02 Jan 2025 00:00:00 GMT');
    expect(JSON.parse(after.body.toString()).items[0].title).toBe('Fresh chips');
    expect(JSON.parse((await rawRequest(`${base}/feeds/tech.json?limit=2`)).body.toString()).items).toHaveLength(2);
    expect((await rawRequest(`${base}/feeds/tech.json?limit=0`)).status).toBe(400);
    expect((await rawRequest(`${base}/feeds/tech.json?limit=abc`)).status).toBe(400);
  });

  it('passes everything else to express', async () => {
    const { base } = await start();
    expect((await rawRequest(`${base}/healthz`)).status).toBe(200);
    expect((await rawRequest(`${base}/feeds/nope.rss`)).status).toBe(404);
    expect((await rawRequest(`${base}/feeds/%E0%A4%A.rss`)).status).toBe(400);
    expect((await rawRequest(`${base}/feeds/all.rss`, {}, 'POST')).status).toBe(404);
  });
});
