// Change-feed latency: the service runs (workers: 1) on a temporary SQLite database with a seed folder; 20 times,
// a seed file is added and `cli.ts ingest` runs as a separate process; we time from that process's exit to the
// first response of /feeds/all.rss carrying a new ETag (fresh request every 10 ms). Target: ≤ 1 s max.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { request, scriptArgs, startService } from './service-process.js';
import { summaryRow, type BenchRow } from './stats.js';

const run = promisify(execFile);
const POLL_MS = 10;
const TARGET_MS = 1000;

function seedArticle(i: number): string {
  const date = new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toUTCString();
  return `---\ntitle: 'Change feed story ${i}'\ncategories:\n - 金融\ndate: ${date}\n---\n<p>Story ${i}: committed by another process.</p>\n`;
}

export async function benchChangeLatency(options: { commits?: number } = {}): Promise<{ rows: BenchRow[] }> {
  const commits = options.commits ?? 20;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-change-'));
  const seed = path.join(dir, 'seed');
  await mkdir(seed);
  await writeFile(path.join(seed, 'story-0.md'), seedArticle(0));
  const configFile = path.join(dir, 'aggregator.yaml');
  const service = await startService(configFile, {
    server: { workers: 1 }, storage: { database: path.join(dir, 'aggregator.db') },
    seedFolder: { path: seed, schedule: '0 0 1 1 *' }, sources: [], log: { level: 'warn' },
  }, '/feeds/all.rss');
  try {
    const url = `${service.base}/feeds/all.rss`;
    const latencies: number[] = [];
    for (let i = 1; i <= commits; i++) {
      const before = (await request(url)).headers.etag;
      await writeFile(path.join(seed, `story-${i}.md`), seedArticle(i));
      await run(process.execPath, scriptArgs('ingest', ['--config', configFile]), { timeout: 60_000 });
      const exited = performance.now();
      for (;;) {
        const answer = await request(url);
        if (answer.status === 200 && answer.headers.etag !== before) break;
        if (performance.now() - exited > 10_000) throw new Error(`commit ${i}: no new ETag within 10 s`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      latencies.push(performance.now() - exited);
    }
    const max = Math.max(...latencies);
    return {
      rows: [summaryRow(`commit by another process → new ETag served (${commits} commits)`, latencies.map((ms) => Number(ms.toFixed(1))), 'ms', {
        target: `max ≤ ${TARGET_MS} ms`, met: max <= TARGET_MS, note: 'figure: median; spread: min–max',
      })],
    };
  } finally {
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchChangeLatency({ commits: Number(process.argv[2] ?? 20) }).then(
    ({ rows }) => {
      for (const r of rows) console.log(`${r.name}: median ${r.value} ${r.unit}, min ${r.min}, max ${r.max}  (target ${r.target}: ${r.met ? 'met' : 'NOT met'})`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
