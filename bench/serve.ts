// Serving benchmark: our service as a real process (fast path, warm render cache) against nginx serving the
// same bytes as static files (gzip precompressed, gzip_static on), side by side on 127.0.0.1, both loaded by
// the same `wrk -t2 -c50 --latency` (bench/load.ts): full gzip responses, and 304s to If-None-Match, each side
// in two halves (ours, nginx, nginx, ours), with the CPU time each side's processes spent per request. Two
// pairings: ours with `server.workers: 1` against nginx `worker_processes 1`, and `server.workers: 2`
// (node:cluster) against 2.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDedupPolicy, titleKey } from '../src/ingest/dedup.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import type { Article } from '../src/types.js';
import { cpuBetween, treeCpu, wrk, type WrkResult } from './load.js';
import { freePort, request, startService, waitFor, type ServiceProcess } from './service-process.js';
import type { BenchRow } from './stats.js';



const CATEGORY = { slug: 'bench', name: 'Bench' };
const TARGET_RATIO = 0.5;

function benchArticles(count: number): Article[] {
  return Array.from({ length: count }, (_, i) => {
    const title = `为实体经济提质增效 深圳速度背后的金融科技力量 ${i}`;
    const para = `<p>金融科技力量 ${i}：港口“智慧”升级背后的绿色金融。Markets moved on item ${i}; investors weighed the outlook.</p>`;
    return {
      sourceKey: 'source:Bench', originId: `bench-${i}`, title, titleKey: titleKey(title),
      link: `https://news.example.com/${i}`, guid: null,
      published: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000), updated: null, author: i % 2 ? '新浪财经' : null,
      categories: [CATEGORY], image: i % 3 ? null : `https://img.example.com/${i}.jpg`,
      contentHtml: para.repeat(8), summary: `金融科技力量 ${i}`,
    };
  });
}

async function startNginx(root: string, prefix: string, port: number, workers: number): Promise<ChildProcess> {
  const conf = `worker_processes ${workers};
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  types { application/atom+xml atom; }
  default_type application/octet-stream;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    gzip_static on;
    add_header Cache-Control "public, max-age=900";
    add_header Vary Accept-Encoding;
  }
}
`;
  const confPath = path.join(prefix, 'nginx.conf');
  await writeFile(confPath, conf);
  const child = spawn('nginx', ['-p', prefix, '-c', confPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', () => undefined);
  return child;
}

/** GET returning the raw body bytes (no decompression), for nginx to serve the very same bytes. */
function fetchBytes(url: string, headers: Record<string, string>): Promise<{ body: Buffer; etag: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve({ body: Buffer.concat(chunks), etag: String(res.headers.etag) }) : reject(new Error(`${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

export const FEED_PATH = `/feeds/${CATEGORY.slug}.atom`;

/** Ours on the bench database with `server.workers: workers`; `nodeFlags` go to node (e.g. `--cpu-prof`). */
export function startBenchService(dir: string, database: string, workers: number, nodeFlags: string[] = []): Promise<ServiceProcess> {
  return startService(path.join(dir, `aggregator-${workers}.yaml`), {
    server: { workers }, storage: { database }, seedFolder: { path: path.join(dir, 'seed'), schedule: '0 0 1 1 *' },
    categories: [CATEGORY], feeds: { title: 'Bench', items: 50 }, sources: [], log: { level: 'warn' },
  }, FEED_PATH, nodeFlags);
}

/** A temporary folder with the 50-story bench database (and an empty seed folder). */
export async function prepareBenchStore(dir: string): Promise<string> {
  await mkdir(path.join(dir, 'seed'));
  const database = path.join(dir, 'bench.db');
  const store = await openSqliteStore(database, createDedupPolicy(12 * 3_600_000));
  await store.declareCategories([CATEGORY]);
  await store.storeRun({ sourceKey: 'source:Bench', articles: benchArticles(50) });
  await store.close();
  return database;
}

interface Loaded extends WrkResult {
  /** CPU seconds the server's processes spent during the run. */
  cpu: number;
  /** The largest share of that CPU spent by one process other than the first (a cluster or nginx worker). */
  busiestWorker: number;
}

async function loaded(url: string, pid: number, seconds: number, headers: Record<string, string>): Promise<Loaded> {
  const before = treeCpu(pid);
  const result = await wrk(url, seconds, headers);
  const { total, byProcess } = cpuBetween(before, treeCpu(pid));
  const workers = [...byProcess].filter(([id]) => id !== pid).map(([, spent]) => spent);
  return { ...result, cpu: total, busiestWorker: workers.length > 0 ? Math.max(...workers) / total : 1 };
}

/** Requests/s over both segments, the worse p99, CPU µs per request answered (the server's and wrk's). */
function combine(parts: Loaded[]) {
  const requests = parts.reduce((sum, part) => sum + part.requests, 0);
  const mean = (pick: (part: Loaded) => number): number => parts.reduce((sum, part) => sum + pick(part), 0) / parts.length;
  return {
    rps: mean((part) => part.rps),
    p99ms: Math.max(...parts.map((part) => part.p99ms)),
    cpuUs: (parts.reduce((sum, part) => sum + part.cpu, 0) / requests) * 1e6,
    wrkUs: (parts.reduce((sum, part) => sum + part.wrkCpu, 0) / requests) * 1e6,
    busiestWorker: mean((part) => part.busiestWorker),
    non2xx3xx: parts.reduce((sum, part) => sum + part.non2xx3xx, 0),
  };
}

/** One pairing: ours with `server.workers: workers` (a real process) against nginx with as many workers. */
async function pairing(dir: string, database: string, workers: number, seconds: number): Promise<BenchRow[]> {
  const service = await startBenchService(dir, database, workers);
  let nginx: ChildProcess | undefined;
  const prefix = path.join(dir, `nginx-${workers}`);
  try {
    const ours = service.base;
    const feedPath = FEED_PATH;
    const gzipBody = (await fetchBytes(`${ours}${feedPath}`, { 'Accept-Encoding': 'gzip' })).body;
    const identity = (await fetchBytes(`${ours}${feedPath}`, {})).body;
    const root = path.join(prefix, 'root');
    await mkdir(path.join(root, 'feeds'), { recursive: true });
    await writeFile(path.join(root, `${feedPath}`), identity);
    await writeFile(path.join(root, `${feedPath}.gz`), gzipBody);
    const port = await freePort();
    nginx = await startNginx(root, prefix, port, workers);
    const theirs = `http://127.0.0.1:${port}`;
    await waitFor(`${theirs}${feedPath}`);

    const gzip = { 'Accept-Encoding': 'gzip' };
    const rows: BenchRow[] = [];
    const sides = { ours: { base: ours, pid: service.pid }, nginx: { base: theirs, pid: nginx.pid! } };
    for (const kind of ['full', '304'] as const) {
      const headers: Record<'ours' | 'nginx', Record<string, string>> = {} as never;
      for (const [who, { base }] of Object.entries(sides) as [keyof typeof sides, (typeof sides)['ours']][]) {
        const url = `${base}${feedPath}`;
        const first = await request(url, gzip);
        if (first.status !== 200 || first.headers['content-encoding'] !== 'gzip') throw new Error(`${who}: expected a gzip 200, got ${first.status}`);
        if (Number(first.headers['content-length']) !== gzipBody.length) throw new Error(`${who}: ${first.headers['content-length']} bytes, not the ${gzipBody.length} of ours`);
        headers[who] = kind === 'full' ? gzip : { ...gzip, 'If-None-Match': String(first.headers['etag']) };
        if (kind === '304' && (await request(url, headers[who])).status !== 304) throw new Error(`${who}: no 304 for its own ETag`);
      }
      // Half the time each in the order ours, nginx, nginx, ours: a drift in the machine's other load
      // during the run weighs on both sides alike.
      const segments: Record<'ours' | 'nginx', Loaded[]> = { ours: [], nginx: [] };
      for (const who of ['ours', 'nginx', 'nginx', 'ours'] as const) {
        segments[who].push(await loaded(`${sides[who].base}${feedPath}`, sides[who].pid, Math.max(1, Math.round(seconds / 2)), headers[who]));
      }
      const results = { ours: combine(segments.ours), nginx: combine(segments.nginx) };
      const ratio = results.ours.rps / results.nginx.rps;
      const label = `${kind === 'full' ? 'full gzip responses' : '304 Not Modified'}, ${workers} worker${workers > 1 ? 's' : ''}`;
      rows.push(
        { name: `serve ${label}: ours`, value: Math.round(results.ours.rps), unit: 'req/s' },
        { name: `serve ${label}: nginx`, value: Math.round(results.nginx.rps), unit: 'req/s' },
        { name: `serve ${label}: ours/nginx`, value: Number(ratio.toFixed(2)), unit: '×', target: `≥ ${TARGET_RATIO}`, met: ratio >= TARGET_RATIO },
        { name: `serve ${label}: ours p99`, value: Number(results.ours.p99ms.toFixed(2)), unit: 'ms' },
        { name: `serve ${label}: nginx p99`, value: Number(results.nginx.p99ms.toFixed(2)), unit: 'ms' },
        { name: `serve ${label}: ours CPU per request`, value: Number(results.ours.cpuUs.toFixed(1)), unit: 'µs' },
        { name: `serve ${label}: nginx CPU per request`, value: Number(results.nginx.cpuUs.toFixed(1)), unit: 'µs' },
        { name: `serve ${label}: wrk CPU per request (loading ours / nginx)`, value: Number(results.ours.wrkUs.toFixed(1)), unit: `µs / ${results.nginx.wrkUs.toFixed(1)} µs` },
      );
      // With workers, wrk's 50 kept-alive connections stay with the worker that accepted them: the split decides.
      if (workers > 1) rows.push(
        { name: `serve ${label}: busiest worker's share of the CPU (ours / nginx)`, value: Math.round(results.ours.busiestWorker * 100), unit: `% / ${Math.round(results.nginx.busiestWorker * 100)} %` },
      );
      for (const who of ['ours', 'nginx'] as const) {
        if (results[who].non2xx3xx > 0) rows.push({ name: `serve ${label}: ${who} errors`, value: results[who].non2xx3xx, unit: 'responses', target: '0', met: false });
      }
    }
    if (workers === 1) rows.push({ name: 'serve feed size (identity / gzip)', value: identity.length, unit: `bytes / ${gzipBody.length} gzip` });
    return rows;
  } finally {
    nginx?.kill('SIGTERM');
    await service.stop();
  }
}

export async function benchServe(options: { seconds?: number; workers?: number[] } = {}): Promise<{ rows: BenchRow[] }> {
  const seconds = options.seconds ?? 10;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-serve-'));
  // nginx workers started by root run as nobody: let them read the files.
  await chmod(dir, 0o755);
  try {
    const database = await prepareBenchStore(dir);
    const rows: BenchRow[] = [];
    for (const workers of options.workers ?? [1, 2]) rows.push(...(await pairing(dir, database, workers, seconds)));
    return { rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 10);
  benchServe({ seconds }).then(
    ({ rows }) => {
      for (const r of rows) console.log(`${r.name.padEnd(44)} ${String(r.value).padStart(10)} ${r.unit}${r.target ? `  (target ${r.target}: ${r.met ? 'met' : 'NOT met'})` : ''}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
