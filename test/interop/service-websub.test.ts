// The running service (main.ts startService) with `websub.hub` configured: feeds name the hub, an
// ingest that changes categories pings a local hub with their feed URLs, and the fast path serves
// 304s and compressed bytes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startService, type RunningService } from '../../src/main.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';

let feeds: FixtureServer;
let service: RunningService;
let base: string;
const pings: URLSearchParams[] = [];
let hubUrl: string;
const hub = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    pings.push(new URLSearchParams(Buffer.concat(chunks).toString()));
    res.writeHead(204).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
  const dir = await mkdtemp(path.join(tmpdir(), 'websub-'));
  feeds = await startFixtureServer({
    '/finance.rss': serve(await readFile(path.resolve('test/fixtures/e2e/finance.rss')), 'application/rss+xml'),
  });
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    categories: [{ name: '金融', slug: 'finance' }, { name: '港口', query: '港口' }],
    sources: [{ name: 'Port wire', url: feeds.url('/finance.rss'), categories: ['金融'], schedule: '*/10 * * * *' }],
    websub: { hub: hubUrl },
  });
  service = await startService(config, pino({ level: 'silent' }));
  await service.firstIngest;
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await service?.stop();
  await feeds?.close();
  await new Promise((resolve) => hub.close(resolve));
});

describe('WebSub in the running service', () => {
  it('pings the hub with the changed categories’ feed URLs after the first ingest', async () => {
    await expect.poll(() => pings.length, { timeout: 5000 }).toBeGreaterThan(0);
    expect(pings[0]!.get('hub.mode')).toBe('publish');
    const urls = pings[0]!.getAll('hub.url');
    expect(urls).toContain('http://feeds.example.net/feeds/finance.atom');
    expect(urls).toContain('http://feeds.example.net/feeds/all.rss');
    expect(urls).toContain(`http://feeds.example.net/feeds/${encodeURIComponent('港口')}.json`);
  });

  it('names the hub in every format, with ttl from the source schedule', async () => {
    const rss = await (await fetch(`${base}/feeds/finance.rss`)).text();
    expect(rss).toContain(`<atom:link href="${hubUrl}" rel="hub"/>`);
    expect(rss).toContain('<ttl>10</ttl>');
    expect(await (await fetch(`${base}/feeds/finance.atom`)).text()).toContain(`<link rel="hub" href="${hubUrl}"/>`);
    expect(JSON.parse(await (await fetch(`${base}/feeds/finance.json`)).text()).hubs).toEqual([{ type: 'WebSub', url: hubUrl }]);
  });

  it('serves cached feeds with 304s and brotli through the fast path', async () => {
    const first = await fetch(`${base}/feeds/finance.atom`, { headers: { 'accept-encoding': 'br' } });
    expect(first.headers.get('content-encoding')).toBe('br');
    expect(first.headers.get('cache-control')).toBe('public, max-age=600');
    const again = await fetch(`${base}/feeds/finance.atom`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });
});
