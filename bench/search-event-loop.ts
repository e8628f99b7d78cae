// Does a search hold the event loop? A real service process on a store of N synthetic stories, searched by a
// few concurrent clients while another polls /healthz; the service's own event-loop delay (its /metrics:
// prom-client's monitorEventLoopDelay, 10 ms sampling, reset at each scrape) and the /healthz latency, with
// searches on the serving thread (`storage.searchThread: false`) and in the search thread, alternately in one
// run. An idle phase (no searches) first gives the machine's own noise.
import http from 'node:http';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDedupPolicy } from '../src/ingest/dedup.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import { tempDir } from './generate.js';
import { startService, type ServiceProcess } from './service-process.js';
import { buildStore, type BuiltStore } from './store-scale.js';
import { median, summaryRow, type BenchRow } from './stats.js';

type Mode = 'serving thread' | 'search thread';

interface Phase {
  loopMaxMs: number;
  loopP99Ms: number;
  healthz: number[];
  searches: number;
  busy: number;
}

/** GET on a fresh connection, body read; the status and the time it took. */
function timedGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - start }));
    }).on('error', reject);
  });
}

/** The service's event-loop delay since the previous scrape (the scrape resets prom-client's histogram). */
async function eventLoopDelay(base: string): Promise<{ maxMs: number; p99Ms: number }> {
  const text = await new Promise<string>((resolve, reject) => {
    http.get(`${base}/metrics`, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => void (body += chunk.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const gauge = (name: string): number => Number(new RegExp(`^aggregator_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
  return { maxMs: gauge('max'), p99Ms: gauge('p99') };
}

/** Queries of the synthetic stories: a word in every story, a common Chinese character, one story's number. */
const query = (i: number, stories: number): string => [`story`, '的', `story ${(i * 7919) % stories}`][i % 3]!;

async function phase(base: string, seconds: number, searchClients: number, stories: number): Promise<Phase> {
  await eventLoopDelay(base);
  const end = performance.now() + seconds * 1000;
  const healthz: number[] = [];
  let searches = 0;
  let busy = 0;
  let n = 0;
  const polling = (async () => {
    while (performance.now() < end) {
      const { status, ms } = await timedGet(`${base}/healthz`);
      if (status !== 200) throw new Error(`/healthz answered ${status}`);
      healthz.push(ms);
    }
  })();
  const clients = Array.from({ length: searchClients }, async () => {
    while (performance.now() < end) {
      const i = n++;
      // Each search as from another address: the per-client rate limit is not what is measured.
      const from = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      const { status } = await timedGet(`${base}/feeds/search.json?q=${encodeURIComponent(query(i, stories))}`, { 'x-forwarded-for': from });
      if (status === 200) searches += 1;
      else if (status === 503) busy += 1;
      else throw new Error(`search answered ${status}`);
    }
  });
  await Promise.all([polling, ...clients]);
  const delay = await eventLoopDelay(base);
  return { loopMaxMs: delay.maxMs, loopP99Ms: delay.p99Ms, healthz: healthz.sort((a, b) => a - b), searches, busy };
}

/**
 * The store alone, in this process: 120 searches by 4 concurrent callers, and the event loop's delay (1 ms
 * sampling) meanwhile. On the serving thread the loop does not turn at all until the last search returns
 * (the histogram stays empty): the whole batch is one block, reported as its duration.
 */
async function storeLevel(file: string, stories: number, searchThread: boolean): Promise<{ blockMs: number; p99Ms: number; totalMs: number }> {
  const store = await openSqliteStore(file, createDedupPolicy(12 * 3_600_000), { searchThread });
  try {
    for (let i = 0; i < 6; i++) await store.searchStories(query(i, stories), 20);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const start = performance.now();
    let turns = 0;
    const ticking = setInterval(() => void (turns += 1), 1);
    await Promise.all([0, 1, 2, 3].map(async (c) => {
      for (let i = c; i < 120; i += 4) await store.searchStories(query(i, stories), 20);
    }));
    const totalMs = performance.now() - start;
    clearInterval(ticking);
    delay.disable();
    return turns === 0 ? { blockMs: totalMs, p99Ms: totalMs, totalMs } : { blockMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6, totalMs };
  } finally {
    await store.close();
  }
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

export async function benchSearchEventLoop(options: {
  stories: number; runs?: number; seconds?: number; clients?: number; store?: BuiltStore; log?: (line: string) => void;
}): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const runs = options.runs ?? 3;
  const seconds = options.seconds ?? 8;
  const clients = options.clients ?? 4;
  const work = tempDir('search-loop');
  const store = options.store?.articles === options.stories ? options.store : await buildStore(path.join(work, 'store.db'), options.stories);
  const results: Record<Mode, { idle: Phase[]; busy: Phase[] }> = { 'serving thread': { idle: [], busy: [] }, 'search thread': { idle: [], busy: [] } };
  for (let run = 0; run < runs; run++) {
    const modes: Mode[] = run % 2 === 0 ? ['serving thread', 'search thread'] : ['search thread', 'serving thread'];
    for (const mode of modes) {
      const config = { sources: [], storage: { database: store.file, searchThread: mode === 'search thread' }, server: { trustProxy: true }, log: { level: 'warn' } };
      const service: ServiceProcess = await startService(path.join(work, `config-${run}-${mode.replace(' ', '-')}.yaml`), config, '/readyz');
      try {
        for (let i = 0; i < 6; i++) await timedGet(`${service.base}/feeds/search.json?q=${encodeURIComponent(query(i, options.stories))}`, { 'x-forwarded-for': `10.255.0.${i}` });
        const idle = await phase(service.base, seconds / 2, 0, options.stories);
        const busy = await phase(service.base, seconds, clients, options.stories);
        results[mode].idle.push(idle);
        results[mode].busy.push(busy);
        log(`  run ${run + 1}, ${mode}: idle loop max ${idle.loopMaxMs.toFixed(1)} ms; searching: loop max ${busy.loopMaxMs.toFixed(1)} ms, p99 ${busy.loopP99Ms.toFixed(1)} ms, /healthz p50 ${pct(busy.healthz, 0.5).toFixed(1)} ms p99 ${pct(busy.healthz, 0.99).toFixed(1)} ms, ${busy.searches} searches, ${busy.busy} × 503`);
      } finally {
        await service.stop();
      }
    }
  }
  const direct: Record<Mode, Array<{ blockMs: number; p99Ms: number; totalMs: number }>> = { 'serving thread': [], 'search thread': [] };
  for (let run = 0; run < runs; run++) {
    for (const mode of run % 2 === 0 ? (['serving thread', 'search thread'] as const) : (['search thread', 'serving thread'] as const)) {
      const result = await storeLevel(store.file, options.stories, mode === 'search thread');
      direct[mode].push(result);
      log(`  run ${run + 1}, store alone, ${mode}: longest block ${result.blockMs.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, 120 searches in ${result.totalMs.toFixed(0)} ms`);
    }
  }
  const k = options.stories >= 1e6 ? `${options.stories / 1e6}M` : `${options.stories / 1000}k`;
  const rows: BenchRow[] = [];
  for (const mode of ['serving thread', 'search thread'] as const) {
    rows.push(summaryRow(`store alone, 4 callers × 30 searches (${k} stories), searches on the ${mode}: longest event-loop block`, direct[mode].map((r) => r.blockMs), 'ms',
      { target: '≤ a few ms', note: '1 ms sampling included; on the serving thread the loop does not turn until the last search returns' }));
  }
  for (const mode of ['serving thread', 'search thread'] as const) {
    const { idle, busy } = results[mode];
    const at = `${k} stories, ${clients} search clients, searches on the ${mode}`;
    rows.push(summaryRow(`event-loop delay max while searching (${at})`, busy.map((p) => p.loopMaxMs), 'ms',
      { note: `10 ms sampling included; idle, same process: ${median(idle.map((p) => p.loopMaxMs)).toFixed(1)} ms` }));
    rows.push(summaryRow(`event-loop delay p99 while searching (${at})`, busy.map((p) => p.loopP99Ms), 'ms'));
    rows.push(summaryRow(`/healthz p50 while searching (${at})`, busy.map((p) => pct(p.healthz, 0.5)), 'ms'));
    rows.push(summaryRow(`/healthz p99 while searching (${at})`, busy.map((p) => pct(p.healthz, 0.99)), 'ms'));
    rows.push(summaryRow(`/healthz max while searching (${at})`, busy.map((p) => p.healthz.at(-1)!), 'ms'));
    rows.push(summaryRow(`searches answered per second (${at})`, busy.map((p) => p.searches / seconds), '/s',
      { note: `503 answers: ${busy.map((p) => p.busy).join(', ')}` }));
  }
  return rows;
}
