// `npm run bench [-- --only NAME[,NAME]] [--size small|full] [--files N] [--runs N] [--seed-workers N|auto] [--stores DIR]`: runs the benchmarks and
// prints one table (also written to bench-results.md).
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { GeneratedSeedFolder } from './generate.js';
import type { BuiltStore } from './store-scale.js';
import { benchDedupQuality } from './dedup-quality.js';
import { benchPollCycle } from './poll-cycle.js';
import { benchServe } from './serve.js';
import { benchSoak } from './soak.js';
import type { BenchRow } from './stats.js';


const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    size: { type: 'string', default: 'full' },
    files: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string', default: 'bench-results.md' },
    keep: { type: 'boolean', default: false },
    stores: { type: 'string' },
    'seed-workers': { type: 'string', default: 'auto' },
  },
});
const size = values.size === 'small' ? 'small' : 'full';
const files = Number(values.files ?? (size === 'small' ? 5_000 : 20_000));
const largeStore = size === 'small' ? 100_000 : 1_000_000;
const runs = Number(values.runs ?? 3);
const seedWorkers = values['seed-workers'] === 'auto' ? 'auto' : Number(values['seed-workers']);
const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
const wanted = (name: string): boolean => !only || only.has(name);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Section {
  name: string;
  rows: BenchRow[];
}
const sections: Section[] = [];
let seedFolder: GeneratedSeedFolder | undefined;
let builtStore: BuiltStore | undefined;

async function section(name: string, work: () => Promise<BenchRow[]>): Promise<void> {
  log(`[${name}] running…`);
  const start = performance.now();
  try {
    sections.push({ name, rows: await work() });
  } catch (error) {
    log(`[${name}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sections.push({ name, rows: [{ name: `${name}: FAILED (${error instanceof Error ? error.message : String(error)})`, value: NaN, unit: '', met: false }] });
  }
  log(`[${name}] done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

if (wanted('seed-import') || wanted('memory') || wanted('postgres')) {
  const { benchSeedImport } = await import('./seed-import.js');
  const { generateSeedFolder, tempDir } = await import('./generate.js');
  log(`generating ${files} seed files…`);
  seedFolder = generateSeedFolder(path.join(tempDir('seed-src'), 'seed'), { files });
  if (wanted('seed-import')) {
    await section('seed-import', async () => (await benchSeedImport({ files, runs, folder: seedFolder, workers: seedWorkers, shape: 'files' })).rows);
    log(`generating ${files} short posts…`);
    const shortPosts = generateSeedFolder(path.join(tempDir('seed-short'), 'seed'), { files, short: true });
    await section('seed-import-short', async () => (await benchSeedImport({ files, runs, folder: shortPosts, workers: seedWorkers, shape: 'short posts' })).rows);
  }
}
if (wanted('postgres')) {
  const { benchPostgres } = await import('./postgres.js');
  await section('postgres', async () => (await benchPostgres({ folder: seedFolder!, runs, large: largeStore, log })).rows);
}
if (wanted('store-scale') || wanted('memory')) {
  const { benchStoreScale, buildStore } = await import('./store-scale.js');
  if (wanted('store-scale')) {
    await section('store-scale', async () => {
      const result = await benchStoreScale({ large: largeStore, rounds: Math.max(runs, 5), log });
      builtStore = result.largeStore;
      return result.rows;
    });
  }
  if (wanted('memory') && !builtStore) {
    const { tempDir } = await import('./generate.js');
    log(`building a ${largeStore}-story store for the serving memory row…`);
    builtStore = await buildStore(path.join(tempDir('store'), 'large.db'), largeStore);
  }
}
if (wanted('search-latency')) {
  const { benchSearchLatency } = await import('./search-latency.js');
  await section('search-latency', () => benchSearchLatency({ large: largeStore, log, ...(builtStore ? { largeStore: builtStore } : {}), ...(values.stores ? { storesDir: path.resolve(values.stores) } : {}) }));
}
if (only?.has('postgres-idle')) {
  const { benchPostgresIdle } = await import('./postgres-idle.js');
  await section('postgres-idle', () => benchPostgresIdle({ stories: largeStore, rounds: runs * 2, log, ...(values.stores ? { storesDir: path.resolve(values.stores) } : {}) }));
}
if (wanted('search-event-loop')) {
  const { benchSearchEventLoop } = await import('./search-event-loop.js');
  await section('search-event-loop', () => benchSearchEventLoop({ stories: largeStore, runs, log, ...(builtStore ? { store: builtStore } : {}) }));
}
if (wanted('fulltext-event-loop')) {
  const { benchFullTextEventLoop } = await import('./fulltext-event-loop.js');
  await section('fulltext-event-loop', () => benchFullTextEventLoop({ runs, log }));
}
if (wanted('limit-read-memory')) {
  const { benchLimitReadMemory } = await import('./limit-read-memory.js');
  await section('limit-read-memory', () => benchLimitReadMemory({ runs, log }));
}
if (wanted('memory')) {
  const { benchImportMemory, benchLimitRenderMemory, benchServeMemory } = await import('./memory.js');
  await section('memory', async () => [
    ...(await benchLimitRenderMemory(runs)),
    ...(await benchImportMemory(seedFolder!.root, runs, seedWorkers)),
    ...(await benchServeMemory(builtStore!.file, largeStore >= 1e6 ? `${largeStore / 1e6}M` : `${largeStore / 1000}k`, runs)),
  ]);
}
if (wanted('poll-cycle')) await section('poll-cycle', async () => (await benchPollCycle({ sources: size === 'small' ? 200 : 1000, items: 20 })).rows);
if (wanted('poll-workers')) {
  const { benchPollWorkers } = await import('./poll-workers.js');
  await section('poll-workers', async () => (await benchPollWorkers({ sources: size === 'small' ? 200 : 1000, items: 20, runs, log })).rows);
}
if (wanted('dedup-quality')) await section('dedup-quality', async () => (await benchDedupQuality()).rows);
if (wanted('search-quality')) {
  const { benchSearchQuality } = await import('./search-quality.js');
  await section('search-quality', async () => {
    const report = await benchSearchQuality();
    for (const q of report.perQuery) {
      if (Math.min(q.words.recall, q.words.mrr, q.postgres.recall, q.postgres.mrr, q.trigram.recall, q.trigram.mrr) < 1) {
        log(`  ${q.query}: word index recall ${q.words.recall.toFixed(2)} RR ${q.words.mrr.toFixed(2)}; on PostgreSQL recall ${q.postgres.recall.toFixed(2)} RR ${q.postgres.mrr.toFixed(2)}; trigram recall ${q.trigram.recall.toFixed(2)} RR ${q.trigram.mrr.toFixed(2)}`);
      }
    }
    return report.rows;
  });
}
if (wanted('serve')) await section('serve', async () => (await benchServe({ seconds: size === 'small' ? 5 : 10 })).rows);
if (wanted('change-latency')) {
  const { benchChangeLatency } = await import('./change-latency.js');
  await section('change-latency', async () => (await benchChangeLatency({ commits: 20 })).rows);
}
if (wanted('soak')) await section('soak', async () => (await benchSoak({ seconds: size === 'small' ? 15 : 60 })).rows);

const table = renderTable(sections);
const header = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
  `Command: \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (size ${size}: ${files} seed files, ${largeStore} stories; ${runs} runs per row unless noted).`,
  '',
].join('\n');
process.stdout.write(`\n${header}\n${table}\n`);
writeFileSync(values.out!, `${header}\n${table}\n`);
if (!values.keep) (await import('./generate.js')).removeTempDirs();
else log('temporary folders kept (--keep): /tmp/feed-bench-*');
const missed = sections.flatMap((s) => s.rows).filter((r) => r.met === false);
log(missed.length ? `${missed.length} target(s) missed` : 'every target met');

function fmt(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : abs >= 1 ? value.toFixed(2) : value.toFixed(3);
}

function renderTable(all: Section[]): string {
  const lines = ['| benchmark | figure (median) | spread (min–max) | runs | target | met |', '|---|---|---|---|---|---|'];
  for (const { rows } of all) {
    for (const row of rows) {
      const spread = row.min !== undefined && row.max !== undefined ? `${fmt(row.min)}–${fmt(row.max)}` : '';
      const met = row.met === undefined ? '' : row.met ? 'yes' : '**no**';
      const name = row.note ? `${row.name} (${row.note})` : row.name;
      lines.push(`| ${name} | ${fmt(row.value)} ${row.unit} | ${spread} | ${row.runs ?? ''} | ${row.target ?? ''} | ${met} |`);
    }
  }
  return lines.join('\n');
}
