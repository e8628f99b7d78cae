// Serving benchmark: our server (fast path, warm render cache) against nginx serving the same bytes
// as static files (gzip precompressed, gzip_static on), side by side on 127.0.0.1, both loaded by
// `wrk -t2 -c50 --latency`: full gzip responses, and 304s to If-None-Match. One nginx worker, as our
// server is one process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { createDedupPolicy, titleKey } from '../src/ingest/dedup.js';
import { createRenderCache } from '../src/publish/render-cache.js';
import { createApp } from '../src/server/create-app.js';
import { createRequestHandler } from '../src/server/fast-path.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import type { Article } from '../src/types.js';
import type { BenchRow } from './stats.js';

const run = promisify(execFile);


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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function request(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject);
  });
}

async function waitFor(url: string, tries = 50): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      await request(url, {});
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

interface WrkResult {
  rps: number;
  p99ms: number;
  non2xx3xx: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

export function parseWrk(output: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const non = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  return { rps, p99ms: p99 ? Number(p99[1]) * UNIT_MS[p99[2]!]! : NaN, non2xx3xx: non };
}

async function wrk(url: string, seconds: number, headers: Record<string, string>): Promise<WrkResult> {
  const args = ['-t2', '-c50', `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const { stdout } = await run('wrk', args, { timeout: (seconds + 30) * 1000 });
  return parseWrk(stdout);
}

async function startNginx(root: string, prefix: string, port: number): Promise<ChildProcess> {
  const conf = `worker_processes 1;
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

export async function benchServe(options: { seconds?: number } = {}): Promise<{ rows: BenchRow[] }> {
  const seconds = options.seconds ?? 10;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-serve-'));
  // nginx workers started by root run as nobody: let them read the files.
  await chmod(dir, 0o755);
  const store = await openSqliteStore(':memory:', createDedupPolicy(12 * 3_600_000));
  await store.declareCategories([CATEGORY]);
  await store.storeRun({ sourceKey: 'source:Bench', articles: benchArticles(50) });

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ours = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cache = createRenderCache({ store, site: { baseUrl: ours, title: 'Bench' }, items: 50 });
  const app = createApp({ store, cache, config: { server: { host: '127.0.0.1', port: 0, baseUrl: ours }, feeds: { title: 'Bench', items: 50 } } });
  server.on('request', createRequestHandler(app, cache));

  let nginx: ChildProcess | undefined;
  try {
    const rendered = (await cache.getFeed(CATEGORY.slug, 'atom'))!;
    const root = path.join(dir, 'root');
    await mkdir(path.join(root, 'feeds'), { recursive: true });
    await writeFile(path.join(root, 'feeds', 'bench.atom'), rendered.body);
    await writeFile(path.join(root, 'feeds', 'bench.atom.gz'), rendered.gzip!);
    const port = await freePort();
    nginx = await startNginx(root, dir, port);
    const theirs = `http://127.0.0.1:${port}`;
    await waitFor(`${theirs}/feeds/bench.atom`);

    const gzip = { 'Accept-Encoding': 'gzip' };
    const rows: BenchRow[] = [];
    for (const kind of ['full', '304'] as const) {
      const results: Record<'ours' | 'nginx', WrkResult> = {} as never;
      for (const [who, base] of [['ours', ours], ['nginx', theirs]] as const) {
        const url = `${base}/feeds/bench.atom`;
        const first = await request(url, gzip);
        if (first.status !== 200 || first.headers['content-encoding'] !== 'gzip') throw new Error(`${who}: expected a gzip 200, got ${first.status}`);
        const headers = kind === 'full' ? gzip : { ...gzip, 'If-None-Match': String(first.headers['etag']) };
        if (kind === '304' && (await request(url, headers)).status !== 304) throw new Error(`${who}: no 304 for its own ETag`);
        results[who] = await wrk(url, seconds, headers);
      }
      const ratio = results.ours.rps / results.nginx.rps;
      const label = kind === 'full' ? 'full gzip responses' : '304 Not Modified';
      rows.push(
        { name: `serve ${label}: ours`, value: Math.round(results.ours.rps), unit: 'req/s' },
        { name: `serve ${label}: nginx`, value: Math.round(results.nginx.rps), unit: 'req/s' },
        { name: `serve ${label}: ours/nginx`, value: Number(ratio.toFixed(2)), unit: '×', target: `≥ ${TARGET_RATIO}`, met: ratio >= TARGET_RATIO },
        { name: `serve ${label}: ours p99`, value: Number(results.ours.p99ms.toFixed(2)), unit: 'ms' },
        { name: `serve ${label}: nginx p99`, value: Number(results.nginx.p99ms.toFixed(2)), unit: 'ms' },
      );
      for (const who of ['ours', 'nginx'] as const) {
        if (results[who].non2xx3xx > 0) rows.push({ name: `serve ${label}: ${who} errors`, value: results[who].non2xx3xx, unit: 'responses', target: '0', met: false });
      }
    }
    rows.push({ name: 'serve feed size (identity / gzip)', value: rendered.body.length, unit: `bytes / ${rendered.gzip!.length} gzip` });
    return { rows };
  } finally {
    nginx?.kill('SIGTERM');
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
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
