// Peak memory, each in a child process: the seed import, and the service serving a large store.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from './generate.js';
import { STORE_CATEGORIES } from './store-scale.js';
import { median, memoryStatus, summaryRow, type BenchRow } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let compiled: string | undefined;

/**
 * The child runs as plain JavaScript, as the service does in production (`node dist/…`): under tsx a loader
 * thread with its own V8 heap would count in the child's RSS. esbuild (tsx's own compiler) bundles the
 * project's code into one file beside node_modules; packages stay external.
 */
async function childScript(): Promise<string> {
  if (compiled) return compiled;
  const { build } = await import('esbuild');
  const outfile = path.join(HERE, '..', 'node_modules', '.cache', 'feed-bench', 'memory-child.mjs');
  await build({ entryPoints: [path.join(HERE, 'memory-child.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning',
    // main.ts starts the service when it is the entry script; bundled, it would think it is.
    define: { 'import.meta.url': JSON.stringify('file:///bundled/memory-child') } });
  return (compiled = outfile);
}

async function startChild(args: string[]): Promise<{ child: ChildProcess; firstLine: Promise<Record<string, unknown>> }> {
  const child = spawn(process.execPath, [await childScript(), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

export async function benchImportMemory(seedRoot: string, runs = 3): Promise<BenchRow[]> {
  const work = tempDir('mem');
  const peaks: number[] = [];
  for (let run = 0; run < runs; run++) {
    const db = path.join(work, `import-${run}.db`);
    const result = await runChild(['import', seedRoot, db]);
    if (result.error) throw new Error(`import child failed: ${String(result.error)}`);
    peaks.push(result.hwmMB as number);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  }
  const baseline = (await runChild(['baseline'])).hwmMB as number;
  return [
    summaryRow('peak RSS during the seed import (child, VmHWM)', peaks, 'MB', {
      target: '≤ 250',
      met: median(peaks) <= 250,
      note: `node + modules alone: ${baseline.toFixed(0)} MB`,
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
    summaryRow(`serving process with ${label} stories: peak RSS after ${2 + 5 + 30} requests (VmHWM)`, hwm, 'MB', { target: '≤ 150', met: median(hwm) <= 150 }),
    summaryRow(`serving process with ${label} stories: RSS then (VmRSS)`, rss, 'MB'),
  ];
}
