// Peak memory, each in a child process: the seed import, and the service serving a large store.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateSeedFolder, tempDir } from './generate.js';
import { STORE_CATEGORIES } from './store-scale.js';
import { median, memoryStatus, summaryRow, type BenchRow } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let compiled: string | undefined;

/**
 * The child runs as plain JavaScript, as the service does in production (`node dist/…`): under tsx a loader
 * thread with its own V8 heap would count in the child's RSS. esbuild (tsx's own compiler) bundles the
 * project's code beside node_modules; packages stay external. The worker entries (seed pool, search thread) are
 * bundled beside the child, where they are looked for (`./seed-worker.js` next to the module's URL).
 */
async function childScript(): Promise<string> {
  if (compiled) return compiled;
  const { build } = await import('esbuild');
  const outdir = path.join(HERE, '..', 'node_modules', '.cache', 'feed-bench');
  await build({
    entryPoints: {
      'memory-child': path.join(HERE, 'memory-child.ts'),
      'seed-worker': path.join(HERE, '..', 'src', 'ingest', 'seed', 'seed-worker.ts'),
      'search-worker': path.join(HERE, '..', 'src', 'store', 'sqlite', 'search-worker.ts'),
    },
    bundle: true, platform: 'node', format: 'esm', packages: 'external', outdir, logLevel: 'warning',
    // One URL for every bundled module: a file in outdir, so relative URLs (the worker entry) and createRequire
    // resolve as from dist/, and main.ts does not take itself for the entry script.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(path.join(outdir, 'bundled.js')).href) },
  });
  writeFileSync(path.join(outdir, 'package.json'), '{ "type": "module" }\n');
  return (compiled = path.join(outdir, 'memory-child.js'));
}

/**
 * The node flags of an npm script (`[exec] node --max-old-space-size=… dist/main.js` → the flags), so the children
 * run with the heap limits production runs with and the two cannot drift.
 */
export function scriptNodeFlags(script: 'start' | 'ingest'): string[] {
  const pkg = JSON.parse(readFileSync(path.join(HERE, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  // `exec node …` (the scripts exec node so a SIGTERM to npm's process reaches it): the same flags.
  const words = (pkg.scripts[script] ?? '').trim().split(/\s+/).filter((word, i) => !(i === 0 && word === 'exec'));
  if (words[0] !== 'node') throw new Error(`package.json script "${script}" does not start with node`);
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('-')) break;
    flags.push(word);
  }
  return flags;
}

async function startChild(args: string[]): Promise<{ child: ChildProcess; firstLine: Promise<Record<string, unknown>> }> {
  const flags = scriptNodeFlags(args[0] === 'serve' ? 'start' : 'ingest');
  const child = spawn(process.execPath, [...flags, await childScript(), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as Record<string, unknown>));
    child.once('exit', (code) => reject(new Error(`memory child ${args[0]} exited with ${code}`)));
  });
  return { child, firstLine };
}

async function runChild(args: string[]): Promise<Record<string, unknown>> {
  const { child, firstLine } = await startChild(args);
  const result = await firstLine;
  await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  return result;
}

export async function benchImportMemory(seedRoot: string, runs = 3, workers: number | 'auto' = 'auto'): Promise<BenchRow[]> {
  const work = tempDir('mem');
  const peaks: number[] = [];
  for (let run = 0; run < runs; run++) {
    const db = path.join(work, `import-${run}.db`);
    const result = await runChild(['import', seedRoot, db, String(workers)]);
    if (result.error) throw new Error(`import child failed: ${String(result.error)}`);
    peaks.push(result.hwmMB as number);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  }
  const baseline = (await runChild(['baseline'])).hwmMB as number;
  return [
    summaryRow(`peak RSS during the seed import (child, VmHWM; seedFolder.workers: ${workers})`, peaks, 'MB', {
      target: '≤ 250',
      met: median(peaks) <= 250,
      note: `node + modules alone: ${baseline.toFixed(0)} MB; node flags of the ingest script: ${scriptNodeFlags('ingest').join(' ') || 'none'}`,
    }),
  ];
}

/** Starts the service on `dbFile`, requests every format of several categories, then reads its memory. */
export async function benchServeMemory(dbFile: string, label: string, runs = 3): Promise<BenchRow[]> {
  const hwm: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { child, firstLine } = await startChild(['serve', dbFile]);
    try {
      const { port } = (await firstLine) as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const paths = ['/', '/feeds.opml', '/feeds/all.atom', '/feeds/all.rss', '/feeds/all.json'];
      for (let c = 0; c < STORE_CATEGORIES; c += 5) {
        for (const format of ['atom', 'rss', 'json']) paths.push(`/feeds/category-${String(c).padStart(2, '0')}.${format}`);
      }
      for (const p of paths) {
        const response = await fetch(`${base}${p}`);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${p}: HTTP ${response.status}`);
      }
      const status = memoryStatus(child.pid!);
      hwm.push(status.hwmMB);
      rss.push(status.rssMB);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }
  return [
    summaryRow(`serving process with ${label} stories: peak RSS after ${2 + 5 + 30} requests (VmHWM)`, hwm, 'MB', {
      target: '≤ 150',
      met: median(hwm) <= 150,
      note: `node flags of the start script: ${scriptNodeFlags('start').join(' ') || 'none'}`,
    }),
    summaryRow(`serving process with ${label} stories: RSS then (VmRSS)`, rss, 'MB'),
  ];
}

/** Stories in the store of the `?limit=1000` row: more than one render takes, ~10 KB each (the generator's mean). */
const LIMIT_STORIES = 1_100;

/**
 * Four parallel one-off renders (`/feeds/all.{rss,atom,json,rss}?limit=1000`, three rounds) of a store of
 * seed articles: the serving process's peak RSS, and its RSS once started, before any request.
 */
export async function benchLimitRenderMemory(runs = 3): Promise<BenchRow[]> {
  const work = tempDir('mem-limit');
  const seed = generateSeedFolder(path.join(work, 'seed'), { files: LIMIT_STORIES, duplicateShare: 0 });
  const db = path.join(work, 'limit.db');
  const imported = await runChild(['import', seed.root, db]);
  if (imported.error) throw new Error(`import child failed: ${String(imported.error)}`);
  const hwm: number[] = [];
  const started: number[] = [];
  const walls: number[] = [];
  let bodyBytes = 0;
  for (let run = 0; run < runs; run++) {
    const { child, firstLine } = await startChild(['serve', db]);
    try {
      const { port } = (await firstLine) as { port: number };
      started.push(memoryStatus(child.pid!).rssMB);
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        const sizes = await Promise.all(['rss', 'atom', 'json', 'rss'].map(async (format) => {
          const response = await fetch(`http://127.0.0.1:${port}/feeds/all.${format}?limit=1000`);
          const body = await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`?limit=1000 ${format}: HTTP ${response.status}`);
          return body.byteLength;
        }));
        walls.push(performance.now() - start);
        bodyBytes = Math.max(bodyBytes, ...sizes);
      }
      hwm.push(memoryStatus(child.pid!).hwmMB);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    }
  }
  return [
    summaryRow(`serving process, 3 rounds of 4 parallel ?limit=1000 renders (${LIMIT_STORIES} seed stories): peak RSS (VmHWM)`, hwm, 'MB', {
      target: '≤ 150',
      met: median(hwm) <= 150,
      note: `largest body ${(bodyBytes / 1e6).toFixed(1)} MB; node flags of the start script: ${scriptNodeFlags('start').join(' ') || 'none'}`,
    }),
    summaryRow('the same processes once started, before any request (VmRSS)', started, 'MB'),
    summaryRow('wall time of a round of 4 parallel ?limit=1000 renders', walls, 'ms'),
  ];
}
