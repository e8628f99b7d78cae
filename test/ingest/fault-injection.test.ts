// A fault-injecting HTTP server drives runFeedSource against a real SQLite store. Each case first ingests a
// good feed from the source, then breaks it one way, and checks what is recorded, that a healthy source in
// the same run still ingests, and that the stories stored before the failure are still listed.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { isPrivateAddress } from '../../src/ingest/fetch/network-guard.js';
import { runFeedSource, type FeedRunDeps } from '../../src/ingest/run-feed-source.js';
import { nextRunTime } from '../../src/scheduler/next-run.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../../src/store/store.js';

const NOW = new Date('2024-05-01T06:00:00Z');
const CRON_NEXT = new Date(NOW.getTime() + 15 * 60_000);
const after = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const CAP = 256 * 1024;
// The total fetch timeout: short, since the drip test waits for it, yet long enough that a healthy answer on a
// loaded machine (other test files running on both cores) never trips it.
const TIMEOUT = 2_000;

type Mode = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const modes = new Map<string, Mode>();
let steadyRuns = 0;
let server: http.Server;
let port: number;
let store: Store;
let dir: string;

const rssOf = (name: string, items: string[]) =>
  `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${name}</title><link>http://${name}.example/</link>` +
  items.map((title, i) => `<item><title>${title}</title><link>http://${name}.example/${i}</link><guid>${name}-${title}</guid><pubDate>Wed, 01 May 2024 0${i}:00:00 GMT</pubDate><description>&lt;p&gt;${title} body&lt;/p&gt;</description></item>`).join('') +
  '</channel></rss>';
const goodFeed = (name: string): Mode => (req, res) => {
  if (req.headers['if-none-match'] === `"${name}-v1"`) return void res.writeHead(304, { etag: `"${name}-v1"` }).end();
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: `"${name}-v1"` }).end(rssOf(name, [`${name} first`, `${name} second`]));
};

beforeAll(async () => {
  modes.set('steady', (_req, res) => {
    steadyRuns++;
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssOf('steady', Array.from({ length: steadyRuns }, (_, i) => `steady news ${i + 1}`)));
  });
  server = http.createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.split('/')[2] ?? '';
    const mode = modes.get(name);
    if (mode) mode(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), 'fault-injection-'));
  store = await openSqliteStore(join(dir, 'store.db'), createDedupPolicy(12 * 3600e3), { clock: () => NOW });
});
afterAll(async () => {
  await store.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

// Every name resolves to the loopback server; `feeds.example.com` plays a public host, since no public
// address reaches a server on this machine. Every other private answer is refused as usual.
const lookup = ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (opts.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

const deps = (): FeedRunDeps => ({
  store,
  logger: pino({ level: 'silent' }),
  clock: () => NOW,
  resolveCategories: createCategoryResolver([]),
  fetchOptions: {
    timeoutMs: TIMEOUT,
    maxBytes: CAP,
    userAgent: 'fault-injection-test/1',
    lookup,
    addressPolicy: (address, hostname) => hostname !== 'feeds.example.com' && isPrivateAddress(address),
  },
  nextRun: (outcome) => nextRunTime({ now: NOW, cronNext: CRON_NEXT, ...outcome }),
});

const source = (name: string, host = '127.0.0.1'): SourceConfig => ({ name, url: `http://${host}:${port}/s/${name}`, categories: [name], enabled: true });
const steady = () => source('steady');

/** Ingests `name` while it is healthy, breaks it with `fault`, runs it `times` times beside the steady source. */
async function breakSource(name: string, fault: Mode, options: { times?: number; host?: string } = {}) {
  const src = source(name, options.host);
  modes.set(name, goodFeed(name));
  const first = await runFeedSource(src, deps());
  expect(first).toMatchObject({ ok: true, error: null });
  expect(first.result?.added).toBe(2);
  modes.set(name, fault);
  let summary;
  for (let i = 0; i < (options.times ?? 1); i++) {
    const steadyBefore = (await store.getSourceState('steady'))?.addedTotal ?? 0;
    const [broken, healthy] = await Promise.all([runFeedSource(src, deps()), runFeedSource(steady(), deps())]);
    summary = broken;
    expect(healthy).toMatchObject({ ok: true, error: null });
    expect(healthy.result?.added).toBe(1);
    expect((await store.getSourceState('steady'))?.addedTotal).toBe(steadyBefore + 1);
  }
  const titles = (await store.listCategoryStories(name, 50)).map((story) => story.title).sort();
  expect(titles).toEqual(expect.arrayContaining([`${name} first`, `${name} second`]));
  return { summary: summary!, state: (await store.getSourceState(name))! };
}

const url = (name: string, host = '127.0.0.1') => `http://${host}:${port}/s/${name}`;

describe('fault injection: each broken source is recorded, skipped, and loses nothing', () => {
  it('slow drip of bytes: the total timeout holds', async () => {
    // The recorded error names the total timeout: that, not a stopwatch, shows it cut the drip.
    const { summary, state } = await breakSource('drip', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const timer = setInterval(() => res.write(' '), 25);
      req.socket.once('close', () => clearInterval(timer));
    });
    expect(summary.ok).toBe(false);
    expect(state).toMatchObject({ lastError: `${url('drip')}: timed out after ${TIMEOUT} ms`, httpStatus: null, consecutiveFailures: 1, nextRun: CRON_NEXT, etag: '"drip-v1"' });
  });

  it('endless body: stops at the byte cap', async () => {
    const { state } = await breakSource('endless', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      req.socket.once('close', () => res.destroy());
    });
    expect(state).toMatchObject({ lastError: `${url('endless')}: response larger than ${CAP} bytes`, httpStatus: 200, consecutiveFailures: 1, nextRun: CRON_NEXT });
  });

  it('gzip bomb: stops at the cap after decompression', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61), { level: 9 });
    const { state } = await breakSource('bomb', (_req, res) => void res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/rss+xml' }).end(bomb));
    expect(bomb.length).toBeLessThan(CAP);
    expect(state).toMatchObject({ lastError: `${url('bomb')}: response larger than ${CAP} bytes (after gzip decompression)`, httpStatus: 200, consecutiveFailures: 1 });
  });

  it('redirect loop', async () => {
    const { state } = await breakSource('loop', (req, res) => {
      const next = req.url?.endsWith('/b') ? '/s/loop' : '/s/loop/b';
      res.writeHead(302, { location: next }).end();
    });
    expect(state).toMatchObject({ lastError: `${url('loop')}: redirect loop: ${url('loop')}/b → ${url('loop')}`, httpStatus: 302, consecutiveFailures: 1 });
  });

  it('redirect from a public name to 127.0.0.1 is refused before the private address is requested', async () => {
    let privateHits = 0;
    modes.set('intranet', (_req, res) => {
      privateHits++;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rssOf('intranet', ['secret']));
    });
    const { state } = await breakSource('public', (_req, res) => void res.writeHead(302, { location: url('intranet') }).end(), { host: 'feeds.example.com' });
    expect(state).toMatchObject({ lastError: `${url('intranet')}: refused: 127.0.0.1 resolves to private address 127.0.0.1`, httpStatus: null, consecutiveFailures: 1 });
    expect(privateHits).toBe(0);
    // The same redirect is followed for a source that opts in.
    const optedIn = await runFeedSource({ ...source('public', 'feeds.example.com'), name: 'public-opted-in', categories: ['opted'], allowPrivateNetworks: true }, deps());
    expect(optedIn.ok).toBe(true);
    expect(privateHits).toBe(1);
  });

  it('a public name resolving to a private address (DNS rebinding) is refused at connect time', async () => {
    const rebinding = { ...source('rebinding', 'rebind.example.net') };
    const summary = await runFeedSource(rebinding, deps());
    expect(summary.error).toBe(`${url('rebinding', 'rebind.example.net')}: refused: rebind.example.net resolves to private address 127.0.0.1`);
  });

  it('429 with Retry-After: the next run waits as asked', async () => {
    const { state } = await breakSource('limited', (_req, res) => void res.writeHead(429, { 'retry-after': '7200' }).end('slow down'));
    expect(state).toMatchObject({ lastError: `${url('limited')}: HTTP 429 Too Many Requests; retry after 7200 s`, httpStatus: 429, consecutiveFailures: 1, nextRun: after(120) });
  });

  it('503 again and again: exponential backoff, then one success resets it', async () => {
    const { state } = await breakSource('flaky', (_req, res) => void res.writeHead(503).end(), { times: 3 });
    // 5 min, 10 min, 20 min: the third failure waits past the cron time.
    expect(state).toMatchObject({ lastError: `${url('flaky')}: HTTP 503 Service Unavailable`, httpStatus: 503, consecutiveFailures: 3, nextRun: after(20) });
    modes.set('flaky', goodFeed('flaky'));
    await runFeedSource(source('flaky'), deps());
    expect(await store.getSourceState('flaky')).toMatchObject({ lastError: null, httpStatus: 304, consecutiveFailures: 0, nextRun: CRON_NEXT });
  });

  it('304 Not Modified: success, validators kept, Cache-Control max-age honoured', async () => {
    // The handler only records what it was sent; the test asserts on it (an expect in a handler would
    // turn a failure into a timeout).
    const validators: (string | undefined)[] = [];
    const { summary, state } = await breakSource('unchanged', (req, res) => {
      validators.push(req.headers['if-none-match']);
      res.writeHead(304, { etag: '"unchanged-v1"', 'cache-control': 'max-age=3600' }).end();
    });
    expect(validators).toEqual(['"unchanged-v1"']);
    expect(summary).toMatchObject({ ok: true, notModified: true });
    expect(state).toMatchObject({ lastError: null, httpStatus: 304, consecutiveFailures: 0, etag: '"unchanged-v1"', nextRun: after(60), addedLastRun: 0, addedTotal: 2 });
  });

  it('304 without validators: the stored ETag stays, so the next poll is conditional too', async () => {
    const validators: (string | undefined)[] = [];
    const { state } = await breakSource('bare304', (req, res) => {
      validators.push(req.headers['if-none-match']);
      res.writeHead(304).end();
    });
    expect(validators).toEqual(['"bare304-v1"']);
    expect(state).toMatchObject({ httpStatus: 304, consecutiveFailures: 0, etag: '"bare304-v1"' });
  });

  it('wrong charset label: UTF-8 bytes labelled ISO-8859-1 still read correctly', async () => {
    const { state } = await breakSource('mislabelled', (_req, res) => {
      const body = Buffer.from(rssOf('mislabelled', ['Crème brûlée à Zürich']).replace('utf-8', 'ISO-8859-1'));
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=iso-8859-1' }).end(body);
    });
    expect(state).toMatchObject({ httpStatus: 200, consecutiveFailures: 0, addedLastRun: 1 });
    expect(state.lastError).toContain('bytes are valid UTF-8');
    const titles = (await store.listCategoryStories('mislabelled', 10)).map((story) => story.title);
    expect(titles).toContain('Crème brûlée à Zürich');
  });

  it('a GBK feed with no label at all decodes with the per-source encoding override', async () => {
    modes.set('gbk', (_req, res) => void res.writeHead(200, { 'content-type': 'text/xml' }).end(iconv.encode(rssOf('gbk', ['深圳速度']).replace(' encoding="utf-8"', ''), 'gbk')));
    const summary = await runFeedSource({ ...source('gbk'), encoding: 'gbk' }, deps());
    expect(summary.ok).toBe(true);
    expect((await store.listCategoryStories('gbk', 10)).map((story) => story.title)).toEqual(['深圳速度']);
  });

  it('HTML page advertising several feeds instead of the feed: the error names them all (one is followed: feed-discovery.test.ts)', async () => {
    const page = `<!DOCTYPE html><html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" href="/blog/feed.xml"><link rel="alternate" type="application/atom+xml" href="/blog/atom.xml"></head><body>hi</body></html>`;
    const { state } = await breakSource('page', (_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    expect(state).toMatchObject({ httpStatus: 200, consecutiveFailures: 1 });
    expect(state.lastError).toBe(`${url('page')}: not a feed (HTML page); it advertises http://127.0.0.1:${port}/blog/feed.xml, http://127.0.0.1:${port}/blog/atom.xml`);
  });

  it('connection reset in the middle of the body', async () => {
    const { state } = await breakSource('reset', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': '10000' });
      res.write(rssOf('reset', ['partial']).slice(0, 150), () => setTimeout(() => req.socket.resetAndDestroy(), 20));
    });
    expect(state).toMatchObject({ httpStatus: 200, consecutiveFailures: 1, nextRun: CRON_NEXT });
    expect(state.lastError).toBe(`${url('reset')}: connection lost while reading the body (connection reset by peer)`);
  });
});
