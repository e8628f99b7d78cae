// Soak: 50 concurrent clients poll the feeds of a running service for N seconds (half with validators,
// half without) while every source keeps changing and is re-ingested in a loop. Reports errors (target 0),
// latency percentiles, throughput and RSS at start and end. Clients, fixture feeds and the service share
// this process, so RSS includes the clients (small) and latencies include client-side work.
import { mkdtempSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { configSchema } from '../src/config/schema.js';
import { startService } from '../src/main.js';
import type { BenchRow } from './stats.js';

const CLIENTS = 50;
const SOURCES = 20;
const CATEGORIES = ['finance', 'tech', 'sports', 'world', 'culture'];

/** Fixture feeds that gain a new item on every fetch, so every ingest run changes the store. */
async function changingFeeds(): Promise<{ server: Server; url: (i: number) => string }> {
  const fetches = new Map<number, number>();
  const server = createServer((req, res) => {
    const i = Number(/\/feed\/(\d+)\.rss/.exec(req.url ?? '')?.[1] ?? -1);
    const n = (fetches.get(i) ?? 0) + 1;
    fetches.set(i, n);
    const items = Array.from({ length: 20 }, (_, k) => {
      const id = n * 20 - k;
      const date = new Date(Date.UTC(2025, 0, 1) + id * 60_000 + i * 7_000).toUTCString();
      return `<item><title>Source ${i} story ${id} about markets</title><link>https://news.example.org/${i}/${id}</link><guid>s${i}-${id}</guid><pubDate>${date}</pubDate><description>&lt;p&gt;${'Body text of the story. '.repeat(30)}&lt;/p&gt;</description></item>`;
    }).join('');
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Source ${i}</title><link>https://news.example.org/</link><description>d</description>${items}</channel></rss>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: (i) => `http://127.0.0.1:${port}/feed/${i}.rss` };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function get(agent: Agent, port: number, pathname: string, etag: string | undefined): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, agent, headers: etag ? { 'if-none-match': etag } : {} }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function benchSoak(options: { seconds?: number; ingestPauseMs?: number } = {}): Promise<{ rows: BenchRow[] }> {
  const seconds = options.seconds ?? 60;
  // Between ingest passes; every pass fetches all sources, each of which has changed. 0: back to back.
  const pauseMs = options.ingestPauseMs ?? 2_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'feed-bench-soak-'));
  const feeds = await changingFeeds();
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'soak.db') },
    sources: Array.from({ length: SOURCES }, (_, i) => ({ name: `Source ${i}`, url: feeds.url(i), categories: [CATEGORIES[i % CATEGORIES.length]!] })),
  });
  const service = await startService(config, pino({ level: 'silent' }), { env: {} });
  await service.firstIngest;
  const port = (service.server.address() as AddressInfo).port;
  const paths = [...CATEGORIES, 'all'].flatMap((slug) => ['rss', 'atom', 'json'].map((format) => `/feeds/${slug}.${format}`));
  global.gc?.();
  const rssStart = process.memoryUsage().rss;

  const deadline = performance.now() + seconds * 1000;
  let ingestRuns = 0;
  const ingest = (async () => {
    while (performance.now() < deadline) {
      await service.scheduler.refresh();
      ingestRuns++;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(pauseMs, deadline - performance.now()))));
    }
  })();

  const latencies: number[] = [];
  let errors = 0;
  let notModified = 0;
  const errorSamples: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const client = async (index: number) => {
    const withValidators = index % 2 === 0;
    const etags = new Map<string, string>();
    let k = index;
    while (performance.now() < deadline) {
      const pathname = paths[k++ % paths.length]!;
      const started = performance.now();
      try {
        const { status, etag } = await get(agent, port, pathname, withValidators ? etags.get(pathname) : undefined);
        latencies.push(performance.now() - started);
        if (status === 304) notModified++;
        else if (status !== 200) throw new Error(`HTTP ${status} for ${pathname}`);
        if (etag && withValidators) etags.set(pathname, etag);
      } catch (error) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  await ingest;
  const rssEnd = process.memoryUsage().rss;
  agent.destroy();
  await service.stop();
  await new Promise<void>((resolve) => feeds.server.close(() => resolve()));
  if (errorSamples.length) process.stderr.write(`[soak] errors, first ones: ${errorSamples.join('; ')}\n`);

  latencies.sort((a, b) => a - b);
  const mb = (bytes: number) => bytes / 2 ** 20;
  const p99 = percentile(latencies, 99);
  return {
    rows: [
      { name: `soak: errors (${CLIENTS} clients, ${seconds} s, ingest passes over ${SOURCES} changing sources)`, value: errors, unit: 'errors', target: '0', met: errors === 0 },
      { name: 'soak: requests served', value: latencies.length, unit: 'requests', note: `${(latencies.length / seconds).toFixed(0)}/s, ${((notModified / Math.max(1, latencies.length)) * 100).toFixed(0)}% 304` },
      { name: 'soak: latency p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'soak: latency p99', value: p99, unit: 'ms', target: '< 250 ms', met: p99 < 250 },
      { name: 'soak: ingest passes over all sources during the soak', value: ingestRuns, unit: 'passes', note: `${pauseMs} ms pause between passes` },
      { name: 'soak: RSS at start', value: mb(rssStart), unit: 'MiB' },
      { name: 'soak: RSS at end', value: mb(rssEnd), unit: 'MiB', note: `growth ${(mb(rssEnd) - mb(rssStart)).toFixed(0)} MiB` },
    ],
  };
}
