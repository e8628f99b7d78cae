// Does full-text extraction hold the event loop? A 1 MB news page (just under the markup cap) extracted by
// Readability over linkedom, on the serving thread (`threads: 0`, as before) and in the extraction thread,
// alternately in one run, while a client keeps asking a real HTTP server in the same process for a small answer.
// Measured: the event loop's longest delay (perf_hooks, 1 ms resolution) and the slowest answer during the
// extraction, and how long the extraction took; and the same client for 2 s with no extraction (the machine's noise).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createExtractPool } from '../src/ingest/fulltext/extract-pool.js';
import { summaryRow, type BenchRow } from './stats.js';

type Mode = 'serving thread' | 'extraction thread' | 'no extraction';
const PAGE = readFileSync(new URL('../test/fixtures/fulltext/news-page.html', import.meta.url), 'utf8');
/** The test's large page: ~1 MB of markup, seconds of work. */
const largePage = PAGE.replaceAll('{{TITLE}}', 'large').replaceAll('{{LEAD}}', 'LEAD.').replace('</main>', `${'<div><p>related</p></div>'.repeat(40_000)}</main>`);

interface Sample {
  loopMaxMs: number;
  answerMaxMs: number;
  answers: number;
  extractMs: number;
}

async function sample(mode: Mode, base: string): Promise<Sample> {
  const pool = createExtractPool({ threads: mode === 'serving thread' ? 0 : 1 });
  // The idle phase: the same client for 2 s with nothing extracted, the machine's own noise.
  const work = mode === 'no extraction' ? () => new Promise((resolve) => setTimeout(resolve, 2_000)) : () => pool.extract(largePage, 'https://bench.example/large', {});
  // A small page first: the thread (or the DOM libraries) started, so only the large page is measured.
  await pool.extract(PAGE, 'https://bench.example/warm', {});
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let done = false;
  const answers: number[] = [];
  const client = (async () => {
    while (!done) {
      const start = performance.now();
      await new Promise<void>((resolve, reject) => void http.get(base, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject));
      answers.push(performance.now() - start);
    }
  })();
  loop.enable();
  // The histogram's first timer tick only starts its clock: let it tick before the extraction.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const before = answers.length;
  const start = performance.now();
  await work();
  const extractMs = performance.now() - start;
  const answered = answers.length - before;
  done = true;
  // The timer a blocked loop could not fire fires now: its delay is the block's length.
  await new Promise((resolve) => setTimeout(resolve, 10));
  loop.disable();
  await client;
  await pool.close();
  // The answer in flight when the extraction ended counts for its wait (on the serving thread: all of it).
  return { loopMaxMs: loop.max / 1e6, answerMaxMs: Math.max(...answers), answers: answered, extractMs };
}

export async function benchFullTextEventLoop(options: { runs: number; log: (line: string) => void }): Promise<BenchRow[]> {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const samples: Record<Mode, Sample[]> = { 'no extraction': [], 'serving thread': [], 'extraction thread': [] };
  try {
    for (let run = 0; run < options.runs; run++) {
      // Alternating which goes first, so a drift of the machine's load does not favour one.
      const order: Mode[] = ['no extraction', ...(run % 2 ? ['extraction thread', 'serving thread'] as const : ['serving thread', 'extraction thread'] as const)];
      for (const mode of order) {
        const s = await sample(mode, base);
        samples[mode].push(s);
        options.log(`  ${mode}: loop max ${s.loopMaxMs.toFixed(0)} ms, slowest answer ${s.answerMaxMs.toFixed(0)} ms, ${s.answers} answers, extraction ${s.extractMs.toFixed(0)} ms`);
      }
    }
  } finally {
    server.close();
  }
  const kb = Math.round(largePage.length / 1024);
  const idle = samples['no extraction'];
  return [
    summaryRow('full text bench, 2 s with no extraction (the machine\'s own noise): event-loop max delay', idle.map((s) => s.loopMaxMs), 'ms'),
    ...(['serving thread', 'extraction thread'] as const).flatMap((mode) => {
    const of = (pick: (s: Sample) => number) => samples[mode].map(pick);
    return [
      summaryRow(`full text, ${kb} KB page, ${mode}: event-loop max delay during extraction`, of((s) => s.loopMaxMs), 'ms'),
      summaryRow(`full text, ${kb} KB page, ${mode}: slowest HTTP answer during extraction`, of((s) => s.answerMaxMs), 'ms'),
      summaryRow(`full text, ${kb} KB page, ${mode}: HTTP answers during extraction`, of((s) => s.answers), 'answers'),
      summaryRow(`full text, ${kb} KB page, ${mode}: extraction time`, of((s) => s.extractMs), 'ms'),
    ];
    }),
  ];
}
