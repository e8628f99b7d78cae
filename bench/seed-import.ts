// Seed folder at scale: first import into a fresh store (against sanitizing the same bodies alone, in the
// same run), rescan of the unchanged folder, and one changed file among them.
import { appendFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import sanitizeHtml from 'sanitize-html';
import type { SeedFolderConfig } from '../src/config/schema.js';
import { createCategoryResolver } from '../src/ingest/categories.js';
import { sanitizeOptions } from '../src/ingest/clean/clean-html.js';
import { createDedupPolicy } from '../src/ingest/dedup.js';
import { splitFrontMatter } from '../src/ingest/seed/front-matter.js';
import { runSeedFolder, type SeedRunSummary } from '../src/ingest/run-seed-folder.js';
import { seedWorkerCount } from '../src/ingest/seed/seed-workers.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { generateSeedFolder, tempDir, type GeneratedSeedFolder } from './generate.js';
import { collect, cpuTimes, summaryRow, type BenchResult } from './stats.js';

export interface SeedImportOptions {
  files: number;
  runs?: number;
  /** seedFolder.workers for the import (default `auto`: one per core; the config's default is 0). */
  workers?: number | 'auto';
  /** Label of the folder's shape in the rows ('articles' or 'short posts'). */
  shape?: string;
  /** Keep the generated folder (the memory benchmark reuses it). */
  folder?: GeneratedSeedFolder;
}

const logger = pino({ level: 'silent' });
const DAY_MS = 86_400_000;

export function seedConfig(root: string, workers: number | 'auto' = 'auto'): SeedFolderConfig {
  return { path: root, schedule: '*/5 * * * *', categories: [], timezone: 'UTC', workers, maxFileBytes: 2 * 1024 * 1024, followSymlinks: false };
}

export async function openBenchStore(file: string): Promise<Store> {
  return openSqliteStore(file, createDedupPolicy(0.5 * DAY_MS));
}

export function runSeed(store: Store, root: string, workers: number | 'auto' = 'auto'): Promise<SeedRunSummary> {
  return runSeedFolder(seedConfig(root, workers), {
    store,
    logger,
    clock: () => new Date(),
    resolveCategories: createCategoryResolver([]),
    nextRun: () => null,
  });
}

/** The baseline: sanitize-html with the allow-list alone over every body, timed. */
function sanitizeAll(bodies: readonly string[]): number {
  const start = performance.now();
  for (const body of bodies) sanitizeHtml(body, sanitizeOptions);
  return performance.now() - start;
}

export async function benchSeedImport(options: SeedImportOptions): Promise<BenchResult & { folder: GeneratedSeedFolder }> {
  const runs = options.runs ?? 3;
  const work = tempDir('seed');
  const folder = options.folder ?? generateSeedFolder(path.join(work, 'seed'), { files: options.files });
  const files = folder.articleFiles.length;
  // Bodies as the importer sees them (after the front matter); reading them is not part of the baseline.
  const bodies = folder.articleFiles.map((file) => splitFrontMatter(readFileSync(file, 'utf8')).body);

  const rate: number[] = [];
  const ratio: number[] = [];
  const sanitizeMs: number[] = [];
  const importMs: number[] = [];
  const cpuAll: number[] = [];
  const cpuMain: number[] = [];
  const rescan: number[] = [];
  const oneChanged: number[] = [];
  const dbBytes: number[] = [];
  let stories = 0;
  for (let run = 0; run < runs; run++) {
    // Baseline and import alternate within the run so both see the same machine state.
    collect();
    const baseline = sanitizeAll(bodies);
    collect();
    const dbFile = path.join(work, `import-${run}.db`);
    const store = await openBenchStore(dbFile);
    const start = performance.now();
    const cpuStart = cpuTimes();
    const summary = await runSeed(store, folder.root, options.workers ?? 'auto');
    const cpuEnd = cpuTimes();
    const elapsed = performance.now() - start;
    if (summary.error || summary.filesRead !== files) throw new Error(`import failed: ${summary.error ?? `${summary.filesRead}/${files} files read`}`);
    // Indexed when it returns: the last file's title words find it at once (no queue to drain).
    const lastTitle = /^title: ['"](.*)['"]$/m.exec(readFileSync(folder.articleFiles.at(-1)!, 'utf8'))![1]!;
    const found = await store.searchStories(`"${lastTitle.replace(/["'_“”:?/]/g, ' ').trim()}"`, 5);
    if (found.total === 0) throw new Error(`search right after the import found nothing for ${lastTitle}`);
    stories = summary.added;
    sanitizeMs.push(baseline / files);
    importMs.push(elapsed / files);
    cpuAll.push((cpuEnd.processMs - cpuStart.processMs) / files);
    cpuMain.push((cpuEnd.threadMs - cpuStart.threadMs) / files);
    rate.push((files / elapsed) * 1000);
    ratio.push(elapsed / baseline);

    // Rescan: nothing changed, nothing read.
    const rescanStart = performance.now();
    const again = await runSeed(store, folder.root);
    rescan.push(performance.now() - rescanStart);
    if (again.filesRead !== 0 || again.unchanged !== files) throw new Error(`rescan read ${again.filesRead} files`);

    // One file edited: the scan finds it and stores it; the run's end is when it is ingested.
    const target = folder.articleFiles[(run * 7919) % files]!;
    appendFileSync(target, `\n<p>edited in run ${run} ${Date.now()}</p>\n`);
    const changeStart = performance.now();
    const changed = await runSeed(store, folder.root);
    oneChanged.push(performance.now() - changeStart);
    if (changed.filesRead !== 1 || changed.updated + changed.added + changed.merged < 1) {
      throw new Error(`changed file not ingested: read ${changed.filesRead}, updated ${changed.updated}`);
    }
    await store.close();
    dbBytes.push(statSync(dbFile).size + walSize(dbFile));
    rmSync(dbFile, { force: true });
    rmSync(`${dbFile}-wal`, { force: true });
    rmSync(`${dbFile}-shm`, { force: true });
  }

  const k = (n: number) => `${(n / 1000).toFixed(0)}k`;
  const cpus = availableParallelism();
  const shape = options.shape ?? 'files';
  const target = shape === 'short posts' ? 2000 : 1500;
  const setting = options.workers ?? 'auto';
  const workers = seedWorkerCount(setting);
  const how = `workers: ${setting === 'auto' ? `auto = ${workers}` : setting}, search indexed when it returns`;
  return {
    folder,
    rows: [
      summaryRow(`seed import, ${k(files)} ${shape} (${(folder.bytes / files / 1024).toFixed(1)} KB avg; ${how}): rate`, rate, 'articles/s', {
        target: `≥ ${target}`,
        met: median(rate) >= target,
      }),
      summaryRow(`seed import, ${shape}: cost per article`, importMs, 'ms'),
      // CPU time barely depends on the machine's load: what the import would cost on free cores.
      summaryRow(`seed import, ${shape}: CPU time per article, all threads`, cpuAll, 'ms'),
      summaryRow(`seed import, ${shape}: CPU time per article, main thread (reads, stores, indexes)`, cpuMain, 'ms'),
      summaryRow(`seed import, ${shape}: rate bound on ${cpus} free cores, from the CPU times (per article at least all threads' ÷ ${cpus}, the main thread's, the workers' ÷ ${workers})`,
        cpuAll.map((all, i) => 1000 / Math.max(all / cpus, cpuMain[i]!, workers > 0 ? (all - cpuMain[i]!) / workers : 0)), 'articles/s'),
      summaryRow(`sanitize-html alone, same bodies (${shape}): cost per article`, sanitizeMs, 'ms'),
      summaryRow(`seed import ÷ sanitize alone, ${shape} (same run)`, ratio, '×', { target: '≤ 3', met: median(ratio) <= 3 }),
      summaryRow(`rescan of ${k(files)} unchanged files`, rescan, 'ms', { target: '≤ 1000', met: median(rescan) <= 1000 }),
      summaryRow(`one changed file among ${k(files)}: ingested after`, oneChanged, 'ms', { target: '≤ 1000', met: median(oneChanged) <= 1000 }),
      summaryRow(`database size per stored story (${stories} stories from ${k(files)} files)`, dbBytes.map((b) => b / stories / 1024), 'KB'),
    ],
  };
}

function walSize(file: string): number {
  try {
    return statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

function median(values: readonly number[]): number {
  return summaryRow('', values, '').value;
}
