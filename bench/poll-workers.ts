// Benchmark: one poll cycle of N changed sources by worker processes sharing one database through leased
// runs: SQLite with 1 worker (as today) and 2, PostgreSQL with 1 and with 2 workers, side by side, in turn
// per round, each on a new database. Each worker is a real process running the scheduler's start-up pass of a
// `--role worker` (what is due, leased); the clock starts when every worker is ready and stops when the last
// one finished. The server counts requests, so every source fetched exactly once per cycle is checked from outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import { startBenchServer } from './poll-cycle.js';
import { summaryRow, type BenchRow } from './stats.js';

const CHILD = path.resolve('bench/poll-worker-child.ts');

interface Variant {
  name: string;
  workers: number;
  database: () => Promise<string>;
}

/** Starts `workers` child processes on `database`, waits until all are ready, then times one pass. */
async function cycle(database: string, workers: number, count: number, port: number): Promise<{ seconds: number; ran: number; added: number; failed: number }> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<{ ran: number; added: number; failed: number }>[] = [];
  for (let i = 0; i < workers; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, database, String(count), String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    let output = '';
    ready.push(new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready\n')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited ${code} before ready`)));
    }));
    done.push(new Promise((resolve, reject) => {
      child.once('exit', (code) => {
        const last = output.trim().split('\n').at(-1) ?? '';
        if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as { ran: number; added: number; failed: number });
        else reject(new Error(`worker exited ${code}: ${output.slice(-500)}`));
      });
    }));
  }
  await Promise.all(ready);
  const started = performance.now();
  for (const child of children) child.stdin!.write('go\n');
  const results = await Promise.all(done);
  const seconds = (performance.now() - started) / 1000;
  const sum = (key: 'ran' | 'added' | 'failed') => results.reduce((total, result) => total + result[key], 0);
  return { seconds, ran: sum('ran'), added: sum('added'), failed: sum('failed') };
}

export async function benchPollWorkers(options: { sources?: number; items?: number; runs?: number; log?: (line: string) => void } = {}): Promise<{ rows: BenchRow[] }> {
  const count = options.sources ?? 1000;
  const items = options.items ?? 20;
  const runs = options.runs ?? 3;
  const server = await startBenchServer(count, items, 5);
  const cluster = await startPostgresCluster();
  const admin = new pg.Pool({ connectionString: cluster.url, max: 1 });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-workers-'));
  let databases = 0;
  const newPostgres = async () => {
    const name = `bench_${++databases}`;
    await admin.query(`CREATE DATABASE ${name}`);
    return cluster.url.replace(/\/postgres$/, `/${name}`);
  };
  const newSqlite = async () => path.join(dir, `bench-${++databases}.db`);
  const variants: Variant[] = [
    { name: 'SQLite, 1 worker', workers: 1, database: newSqlite },
    { name: 'SQLite, 2 workers', workers: 2, database: newSqlite },
    { name: 'PostgreSQL, 1 worker', workers: 1, database: newPostgres },
    { name: 'PostgreSQL, 2 workers', workers: 2, database: newPostgres },
  ];
  const seconds = new Map(variants.map((variant) => [variant.name, [] as number[]]));
  const problems: string[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      for (const variant of variants) {
        const before = server.stats().requests;
        const result = await cycle(await variant.database(), variant.workers, count, server.port);
        const requests = server.stats().requests - before;
        if (requests !== count || result.ran !== count || result.added !== count * items || result.failed > 0) {
          problems.push(`${variant.name}, run ${run + 1}: ${requests} requests, ${result.ran} runs, ${result.added} added, ${result.failed} failed`);
        }
        seconds.get(variant.name)!.push(result.seconds);
        options.log?.(`  round ${run + 1}, ${variant.name}: ${result.seconds.toFixed(2)} s, ${requests} requests, ${result.added} articles`);
      }
    }
  } finally {
    await admin.end();
    cluster.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const of = (name: string) => seconds.get(name)!;
  const ratio = (a: string, b: string) => of(a).map((value, i) => round(value / of(b)[i]!));
  const rows: BenchRow[] = variants.map((variant) => summaryRow(`poll cycle, ${count} feeds changed, ${variant.name}`, of(variant.name).map(round), 's'));
  const speedup = ratio('PostgreSQL, 1 worker', 'PostgreSQL, 2 workers');
  rows.push(summaryRow('poll cycle on PostgreSQL: 1 worker ÷ 2 workers (per round)', speedup, '×', { note: 'above 1: two workers are faster' }));
  rows.push(summaryRow('poll cycle on SQLite: 1 worker ÷ 2 workers (per round)', ratio('SQLite, 1 worker', 'SQLite, 2 workers'), '×', { note: 'SQLite writes one at a time; fetching and parsing run in both processes' }));
  rows.push(summaryRow('poll cycle: PostgreSQL 1 worker ÷ SQLite 1 worker (per round)', ratio('PostgreSQL, 1 worker', 'SQLite, 1 worker'), '×'));
  rows.push(summaryRow('poll cycle: PostgreSQL 2 workers ÷ SQLite 1 worker (per round)', ratio('PostgreSQL, 2 workers', 'SQLite, 1 worker'), '×', { note: 'below 1: PostgreSQL with two workers beats SQLite as today' }));
  rows.push({ name: 'poll cycle with workers: every source fetched exactly once, every article stored', value: problems.length, unit: 'problems', target: '= 0', met: problems.length === 0, note: problems.join('; ') || undefined });
  return { rows };
}
