// Peak RSS of `?limit=1000` renders over long bodies: 1,100 stories of ~30 K characters each in an SQLite store, rendered by
// a child process under the start script's heap flags, reading as before (every listed story whole, then cut to
// the one-off text budget) and as now (the store cuts the listing: only the stories that fit are read), alternately.
// The `before` arm runs out of the 192 MB heap: that is its result (reported with the heap V8 held when it gave up),
// not the end of the bench run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptNodeFlags } from './memory.js';
import { syntheticArticles, tempDir } from './generate.js';
import { openBenchStore } from './seed-import.js';
import { summaryRow, type BenchRow } from './stats.js';

const STORIES = 1_100;
const BODY_REPEATS = 100; // the synthetic body (~300 characters) 100 times: ~30 KB a story, ~33 MB in all

type Mode = 'before' | 'after';
interface Sample {
  hwmMB: number;
  startedMB: number;
  bodyBytes: number;
  items: number;
}

/** A child that ran out of heap: the heap V8 held at its last full collection (MB), from the trace it prints on abort. */
interface OutOfMemory {
  heapMB: number;
}

/** Runs one child; its sample, or how it ran out of memory (any other failure ends the bench with its output). */
function runChild(child: string, mode: Mode, file: string): Sample | OutOfMemory {
  const run = spawnSync(process.execPath, [...scriptNodeFlags('start'), '--import', 'tsx', child, mode, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status === 0) return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Sample;
  if (!/heap out of memory/.test(run.stderr)) throw new Error(`limit-read child (${mode}) failed (${run.status ?? run.signal}): ${run.stderr.slice(-2000)}`);
  const collections = [...run.stderr.matchAll(/Mark-Compact(?: \(reduce\))? ([\d.]+) \(/g)].map((m) => Number(m[1]));
  return { heapMB: Math.max(0, ...collections) };
}

export async function benchLimitReadMemory(options: { runs: number; log: (line: string) => void }): Promise<BenchRow[]> {
  const file = path.join(tempDir('limit-read'), 'long-bodies.db');
  const store = await openBenchStore(file);
  let chars = 0;
  for (let from = 0; from < STORIES; from += 100) {
    const articles = syntheticArticles(from, 100, 5).map((a) => ({ ...a, contentHtml: a.contentHtml.repeat(BODY_REPEATS) }));
    chars += articles.reduce((sum, a) => sum + a.contentHtml.length, 0);
    await store.storeRun({ sourceKey: 'source:bench', articles });
  }
  await store.close();
  const kb = Math.round(chars / STORIES / 1024);
  const child = fileURLToPath(new URL('./limit-read-child.ts', import.meta.url));
  const samples: Record<Mode, Sample[]> = { before: [], after: [] };
  const outOfMemory: Record<Mode, OutOfMemory[]> = { before: [], after: [] };
  for (let run = 0; run < options.runs; run++) {
    for (const mode of (run % 2 ? ['after', 'before'] : ['before', 'after']) as Mode[]) {
      const sample = runChild(child, mode, file);
      if ('heapMB' in sample) {
        outOfMemory[mode].push(sample);
        options.log(`  ${mode}: out of memory at ${sample.heapMB.toFixed(0)} MB of heap (${scriptNodeFlags('start').join(' ')})`);
        continue;
      }
      samples[mode].push(sample);
      options.log(`  ${mode}: peak RSS ${sample.hwmMB.toFixed(0)} MB (started ${sample.startedMB.toFixed(0)} MB), ${sample.items} items, largest body ${(sample.bodyBytes / 1e6).toFixed(1)} MB`);
    }
  }
  const label = { before: 'every listed story read whole, then cut (before)', after: 'the store cuts the listing (now)' };
  const name = (mode: Mode) => `3 rounds of 4 parallel ?limit=1000 renders, ${STORIES} stories of ${kb} K characters, ${label[mode]}`;
  return (['before', 'after'] as const).flatMap((mode) => [
    ...(outOfMemory[mode].length === 0 ? [] : [
      summaryRow(`${name(mode)}: ran out of memory, heap at the abort`, outOfMemory[mode].map((o) => o.heapMB), 'MB', {
        note: `${outOfMemory[mode].length} of ${options.runs} runs aborted (JavaScript heap out of memory); flags ${scriptNodeFlags('start').join(' ')}, under tsx`,
      }),
    ]),
    ...(samples[mode].length === 0 ? [] : [
      summaryRow(`${name(mode)}: peak RSS (VmHWM)`, samples[mode].map((s) => s.hwmMB), 'MB', {
        note: `${samples[mode][0]!.items} items, body ${(samples[mode][0]!.bodyBytes / 1e6).toFixed(1)} MB; flags ${scriptNodeFlags('start').join(' ')}, under tsx`,
      }),
      summaryRow(`the same child once its store is open (${mode})`, samples[mode].map((s) => s.startedMB), 'MB'),
    ]),
  ]);
}
