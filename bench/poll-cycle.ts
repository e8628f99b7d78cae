// Benchmark: one poll cycle of many sources against a local server, through the real fetch → parse →
// normalize → store path and the scheduler's limiter. First every feed changed, then every feed 304.
// The server counts concurrent requests per Host header, so the per-host limit is checked from outside.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { SourceConfig } from '../src/config/schema.js';
import { createCategoryResolver } from '../src/ingest/categories.js';
import { createDedupPolicy } from '../src/ingest/dedup.js';
import { runFeedSource, type FeedRunDeps } from '../src/ingest/run-feed-source.js';
import { createLimiter } from '../src/scheduler/limiter.js';
import { nextRunTime } from '../src/scheduler/next-run.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import type { BenchRow } from './stats.js';


const HOSTS = 50;
// Consecutive sources share a host (sources/50 per host), so the per-host limit, not luck, keeps it at 2.
let perHost = 20;
const hostOf = (i: number) => `host-${Math.floor(i / perHost) % HOSTS}.bench.test`;

function feedXml(feed: number, items: number): string {
  const base = Date.UTC(2024, 4, 1, 6, 0, 0);
  let xml = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed ${feed}</title><link>http://${hostOf(feed)}/</link>`;
  for (let j = 0; j < items; j++) {
    xml +=
      `<item><title>Feed ${feed} story ${j}: markets, weather and sport</title><link>http://${hostOf(feed)}/f${feed}/s${j}</link>` +
      `<guid>f${feed}-s${j}</guid><pubDate>${new Date(base - j * 3_600_000).toUTCString()}</pubDate>` +
      `<description><![CDATA[<p>Story ${j} of feed ${feed}. <a href="/more/${j}">More</a> <img src="/img/${j}.png"></p><p>${'Lorem ipsum dolor sit amet. '.repeat(8)}</p>]]></description></item>`;
  }
  return xml + '</channel></rss>';
}

/** Local server: `/feed/<i>` answers feed i (ETag "v1", 304 on a match); tracks concurrency per Host. */
export async function startBenchServer(sources: number, items: number, latencyMs: number) {
  perHost = Math.max(1, Math.ceil(sources / HOSTS));
  const bodies = Array.from({ length: sources }, (_, i) => Buffer.from(feedXml(i, items)));
  const inFlight = new Map<string, number>();
  let maxPerHost = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const now = (inFlight.get(host) ?? 0) + 1;
    inFlight.set(host, now);
    maxPerHost = Math.max(maxPerHost, now);
    res.once('close', () => inFlight.set(host, (inFlight.get(host) ?? 1) - 1));
    const body = bodies[Number(req.url?.split('/')[2])];
    // A little time to first byte, as from a real host, so overlapping requests would be seen.
    setTimeout(() => {
      if (!body) return void res.writeHead(404).end();
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"v1"' }).end(body);
    }, latencyMs);
  });
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 1024, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stats: () => ({ maxPerHost, requests }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export const benchLookup = ((hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
  if (!hostname.endsWith('.bench.test')) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }));
  if (opts.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

/** The bench's sources: `bench-<i>` on 50 host names, consecutive ones sharing a host. */
export function benchSources(count: number, port: number): SourceConfig[] {
  perHost = Math.max(1, Math.ceil(count / HOSTS));
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-${i}`,
    url: `http://${hostOf(i)}:${port}/feed/${i}`,
    categories: [`cat-${i % 10}`],
    enabled: true,
    allowPrivateNetworks: true,
  }));
}

export async function benchPollCycle(
  options: Partial<{ sources: number; items: number; /** server time to first byte, default 5 ms */ latencyMs: number }> = {},
): Promise<{ rows: BenchRow[] }> {
  const count = options.sources ?? 1000;
  const items = options.items ?? 20;
  const server = await startBenchServer(count, items, options.latencyMs ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'bench-poll-'));
  const store = await openSqliteStore(join(dir, 'bench.db'), createDedupPolicy(12 * 3600e3));
  try {
    const sources = benchSources(count, server.port);
    const deps: FeedRunDeps = {
      store,
      logger: pino({ level: 'silent' }),
      clock: () => new Date(),
      resolveCategories: createCategoryResolver([]),
      fetchOptions: { timeoutMs: 30_000, maxBytes: 10 * 1024 * 1024, userAgent: 'feed-aggregator-bench/0.1', lookup: benchLookup },
      nextRun: (outcome) => nextRunTime({ now: new Date(), cronNext: new Date(Date.now() + 15 * 60_000), ...outcome }),
    };
    const cycle = async () => {
      const limiter = createLimiter(8, 2);
      const started = performance.now();
      const summaries = await Promise.all(sources.map((source) => limiter.run(new URL(source.url).hostname, () => runFeedSource(source, deps))));
      return { seconds: (performance.now() - started) / 1000, summaries };
    };
    const changed = await cycle();
    const unchanged = await cycle();
    const failed = [...changed.summaries, ...unchanged.summaries].filter((s) => !s.ok);
    if (failed.length > 0) throw new Error(`${failed.length} source runs failed, first: ${failed[0]?.error}`);
    const added = changed.summaries.reduce((sum, s) => sum + (s.result?.added ?? 0), 0);
    const notModified = unchanged.summaries.filter((s) => s.notModified).length;
    const { maxPerHost } = server.stats();
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return {
      rows: [
        { name: `poll cycle, ${count} feeds changed (${items} items each)`, value: round(changed.seconds), unit: 's', target: '≤ 10 s', met: changed.seconds <= 10 },
        { name: `poll cycle, ${count} feeds unchanged (304)`, value: round(unchanged.seconds), unit: 's', target: '≤ 2 s', met: unchanged.seconds <= 2 },
        { name: 'poll cycle, max concurrent requests per host', value: maxPerHost, unit: 'connections', target: '≤ 2', met: maxPerHost <= 2 },
        { name: 'poll cycle, articles added in the changed cycle', value: added, unit: 'articles', target: `= ${count * items}`, met: added === count * items },
        { name: 'poll cycle, 304 answers in the unchanged cycle', value: notModified, unit: 'sources', target: `= ${count}`, met: notModified === count },
      ],
    };
  } finally {
    await store.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = (await benchPollCycle({ sources: Number(process.argv[2] ?? 1000), items: Number(process.argv[3] ?? 20) })).rows;
  console.table(rows);
}
