// One pass over the seed folder: only new or changed files are parsed; each batch is stored in one transaction
// together with the records of its files, so an interrupted import resumes where it stopped.
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { SEED_FOLDER_NAME, type SeedFolderConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { SeedFileRecord, Store } from '../store/store.js';
import type { Article } from '../types.js';
import type { CategoryResolver } from './categories.js';
import type { UrlRules } from './clean/clean-urls.js';
import { readCandidateText, scanSeedFolder, type SeedCandidate } from './seed/seed-folder.js';
import { createSeedWorkerPool, prepareSeedFiles, SEED_SOURCE_KEY, seedWorkerCount, type PreparedSeedFile, type SeedParseConfig, type SeedTextFile, type SeedWorkerPool } from './seed/seed-workers.js';

export { SEED_SOURCE_KEY };
export const SEED_SOURCE_NAME = SEED_FOLDER_NAME;
/** Files stored per transaction by `npm run ingest` (and the bench): the fewest commits for the throughput. */
export const BATCH_SIZE = 500;
/**
 * Files stored per transaction by a process that also serves (`npm start`, `--role worker`). Storing is synchronous
 * (better-sqlite3) and holds the thread: 500 files held it 0.3–0.8 s a batch here, 100 a fifth of that. Not the
 * default: with workers parsing, 100-file batches cost the main thread ~15 % more CPU an article in the bench.
 */
export const SERVING_BATCH_SIZE = 100;
/** Bytes of files read per batch, whatever their number: a batch's texts, parsed and cleaned, stay in memory together. */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** Below this many files to parse (the usual rescan), worker start-up would cost more than it saves. */
export const SEED_WORKER_THRESHOLD = 200;
/** A run stops after this many batches in a row failed to store (the database, not the files, is the problem). */
const MAX_FAILED_BATCHES = 2;

/**
 * Batches read and parsed ahead of the one being stored, when workers parse. One is enough to keep them busy (storing
 * a batch takes less time than parsing it) and each batch ahead holds its files' texts and parsed articles.
 */
const PREFETCH_BATCHES = 1;

/**
 * Files parsed on this thread between two turns of its event loop (~1.5 ms each for a 12 KB article). In `npm start`
 * the import shares the thread with the server: without the turns a first import of 5,000 files left every request,
 * /healthz included, waiting 35 s.
 */
const PARSE_SLICE = 16;

export interface SeedRunDeps {
  store: Store;
  logger: Logger;
  clock: () => Date;
  resolveCategories: CategoryResolver;
  nextRun: () => Date | null;
  onProgress?: ((stage: 'scan' | 'store', done: number, total: number) => void) | undefined;
  /** Configured tracking parameters and placeholder images. */
  urls?: UrlRules | undefined;
  /** True once the process is stopping: the import ends after the batch being stored (the rest stays for the next scan). */
  stopped?: () => boolean;
  /** Files stored per transaction: BATCH_SIZE unless the process serves too (SERVING_BATCH_SIZE). */
  batchFiles?: number | undefined;
}

export interface SeedRunSummary {
  folder: string;
  filesSeen: number;
  filesRead: number;
  unchanged: number;
  skipped: number;
  added: number;
  merged: number;
  updated: number;
  rejected: { relPath: string; error: string }[];
  /** Unchanged files rejected by an earlier scan (not read again until they change). */
  stillRejected: { relPath: string; error: string }[];
  /** Symlinks skipped (outside the folder, or `followSymlinks` off). */
  skippedSymlinks: { relPath: string; target: string }[];
  /** Files whose front matter was recovered line by line, and what was recovered. */
  recovered: { relPath: string; warning: string }[];
  changedCategories: string[];
  error: string | null;
}

export async function runSeedFolder(folder: SeedFolderConfig, deps: SeedRunDeps): Promise<SeedRunSummary> {
  const started = deps.clock();
  const root = path.resolve(folder.path);
  const summary: SeedRunSummary = { folder: root, filesSeen: 0, filesRead: 0, unchanged: 0, skipped: 0, added: 0, merged: 0, updated: 0, rejected: [], stillRejected: [], skippedSymlinks: [], recovered: [], changedCategories: [], error: null };
  const changed = new Set<string>();
  try {
    const known = await deps.store.listSeedFiles();
    // Texts are read batch by batch, so a first import of tens of thousands of files stays small in memory.
    const scan = await scanSeedFolder(root, known, {
      keepText: false, maxBytes: folder.maxFileBytes, followSymlinks: folder.followSymlinks,
      onProgress: (done, total) => deps.onProgress?.('scan', done, total),
    });
    Object.assign(summary, { filesSeen: scan.seen, filesRead: scan.candidates.length, unchanged: scan.unchanged, skipped: scan.skipped, stillRejected: scan.stillRejected });
    summary.rejected.push(...scan.unreadable, ...scan.tooLarge.map(({ relPath, error }) => ({ relPath, error: error! })));
    summary.skippedSymlinks = scan.symlinks.filter((link) => !link.followed).map(({ relPath, target }) => ({ relPath, target }));
    // Files whose mtime changed but whose bytes did not, and files over the cap: only their records move on.
    const recordsOnly = [...scan.touched, ...scan.tooLarge];
    if (recordsOnly.length > 0) await deps.store.storeRun({ sourceKey: SEED_SOURCE_KEY, articles: [], seedFiles: recordsOnly });
    await storeBatches(scan.candidates, folder, deps, summary, changed);
  } catch (error) {
    summary.error = describeError(error);
  }
  summary.changedCategories = [...changed];
  for (const { relPath, error } of summary.rejected) deps.logger.warn({ source: SEED_SOURCE_NAME, file: relPath, error }, 'seed file rejected');
  for (const { relPath, target } of summary.skippedSymlinks) {
    deps.logger.warn({ source: SEED_SOURCE_NAME, file: relPath, target }, folder.followSymlinks ? 'seed symlink skipped: its target is outside the folder' : 'seed symlink skipped (seedFolder.followSymlinks is off)');
  }
  for (const { relPath, warning } of summary.recovered) deps.logger.warn({ source: SEED_SOURCE_NAME, file: relPath, warning }, 'seed file recovered');
  await deps.store
    .recordFetchOutcome(
      { name: SEED_SOURCE_NAME, url: `file://${root}` },
      {
        at: started,
        ok: summary.error === null,
        httpStatus: null,
        error: summary.error ?? rejectedMessage(summary),
        added: summary.added,
        nextRun: deps.nextRun(),
      },
    )
    .catch((error) => deps.logger.error({ source: SEED_SOURCE_NAME, error: describeError(error) }, 'could not record seed run'));
  const log = { source: SEED_SOURCE_NAME, folder: root, seen: summary.filesSeen, read: summary.filesRead, added: summary.added, merged: summary.merged, updated: summary.updated, rejected: summary.rejected.length, recovered: summary.recovered.length, duration_ms: deps.clock().getTime() - started.getTime() };
  if (summary.error) deps.logger.error({ ...log, error: summary.error }, 'seed folder failed');
  else deps.logger.info(log, 'seed folder scanned');
  return summary;
}

interface LoadedBatch {
  /** The batch's files as read, without their texts (parsed already: only their records are left to store). */
  files: SeedCandidate[];
  prepared: PreparedSeedFile[];
  unreadable: { relPath: string; error: string }[];
}

/**
 * Reads, parses and stores the candidates batch by batch, each batch in its own transaction. With workers
 * the stages overlap: while batch N is stored, the workers parse N+1 and N+2 is being read.
 */
async function storeBatches(candidates: SeedCandidate[], folder: SeedFolderConfig, deps: SeedRunDeps, summary: SeedRunSummary, changed: Set<string>): Promise<void> {
  const config: SeedParseConfig = { timezone: folder.timezone, rules: folder.rules, urls: deps.urls, receivedAtMs: deps.clock().getTime() };
  // Worker threads parse, clean and segment while the main thread stores (`seedFolder.workers`).
  const workers = candidates.length >= SEED_WORKER_THRESHOLD ? seedWorkerCount(folder.workers) : 0;
  const pool = workers > 0 ? createSeedWorkerPool(config, { size: workers }) : null;
  const batches = intoBatches(candidates, deps.batchFiles);
  const ahead: Promise<LoadedBatch>[] = [];
  let launched = 0;
  let failedInARow = 0;
  let storedFiles = 0;
  try {
    for (let index = 0; index < batches.length; index++) {
      while (launched < batches.length && launched <= index + (pool ? PREFETCH_BATCHES : 0)) {
        const loading = loadBatch(batches[launched++]!, config, pool, folder.maxFileBytes);
        // Awaited in turn below; until then a failure must not count as unhandled.
        loading.catch(() => undefined);
        ahead.push(loading);
      }
      const loaded = await ahead.shift()!;
      const { articles, records } = assemble(loaded, folder, deps, summary);
      try {
        const result = await deps.store.storeRun({ sourceKey: SEED_SOURCE_KEY, articles, seedFiles: records });
        summary.added += result.added;
        summary.merged += result.merged;
        summary.updated += result.updated;
        result.changedCategories.forEach((slug) => changed.add(slug));
        failedInARow = 0;
      } catch (error) {
        // The batch's files stay unrecorded, so the next scan tries them again; later batches still go on,
        // unless the database itself keeps refusing (full disk, a held lock): then the run stops.
        if (++failedInARow >= MAX_FAILED_BATCHES) throw error;
        summary.error ??= describeError(error);
        for (const record of records) summary.rejected.push({ relPath: record.relPath, error: `not stored: ${describeError(error)}` });
      }
      storedFiles += batches[index]!.length;
      deps.onProgress?.('store', storedFiles, candidates.length);
      // Reading and storing are synchronous: let requests and signals in between batches (parsing on this thread
      // gives them turns of its own, PARSE_SLICE).
      await nextTurn();
      if (deps.stopped?.() && index + 1 < batches.length) {
        deps.logger.info({ source: SEED_SOURCE_NAME, stored: storedFiles, left: candidates.length - storedFiles }, 'seed import stopped: the process is stopping; the next scan goes on');
        summary.filesRead = storedFiles;
        break;
      }
    }
  } finally {
    await pool?.close();
  }
}

/** Consecutive batches of at most `maxFiles` files and BATCH_BYTES bytes (a larger file alone). */
export function intoBatches<T extends { size: number }>(files: T[], maxFiles = BATCH_SIZE): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + file.size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function loadBatch(batch: SeedCandidate[], config: SeedParseConfig, pool: SeedWorkerPool | null, maxBytes: number): Promise<LoadedBatch> {
  const { files, texts, unreadable } = await readTexts(batch, maxBytes);
  // Handed over, not kept: a batch waits in memory while the one before it is stored, with its parsed articles
  // but without its files' texts.
  const prepared = pool ? await pool.prepare(texts.splice(0)) : await prepareOnThisThread(texts.splice(0), config);
  return { files, prepared, unreadable };
}

/** Parses a slice of files at a time, giving the event loop a turn after each (see PARSE_SLICE). */
async function prepareOnThisThread(texts: SeedTextFile[], config: SeedParseConfig): Promise<PreparedSeedFile[]> {
  const prepared: PreparedSeedFile[] = [];
  for (let start = 0; start < texts.length; start += PARSE_SLICE) {
    prepared.push(...prepareSeedFiles(texts.slice(start, start + PARSE_SLICE), config));
    await nextTurn();
  }
  return prepared;
}

/** The batch's texts, and its files (without them) for their records; a file gone or unreadable since the scan is rejected by name. */
async function readTexts(batch: SeedCandidate[], maxBytes: number): Promise<{ files: SeedCandidate[]; texts: SeedTextFile[]; unreadable: { relPath: string; error: string }[] }> {
  const unreadable: { relPath: string; error: string }[] = [];
  const read = await Promise.all(
    batch.map((file) =>
      readCandidateText(file, maxBytes).catch((error: unknown) => {
        unreadable.push({ relPath: file.relPath, error: describeError(error) });
        return null;
      }),
    ),
  );
  const files: SeedCandidate[] = [];
  const texts: SeedTextFile[] = [];
  for (const file of read) {
    if (file === null) continue;
    files.push({ ...file, text: null });
    texts.push({ relPath: file.relPath, text: file.text, mtimeMs: file.mtimeMs });
  }
  return { files, texts, unreadable };
}

/** Articles with their categories resolved, and one record per parsed file (its error, if rejected). */
function assemble(loaded: LoadedBatch, folder: SeedFolderConfig, deps: SeedRunDeps, summary: SeedRunSummary): { articles: Article[]; records: SeedFileRecord[] } {
  summary.rejected.push(...loaded.unreadable);
  const articles: Article[] = [];
  const records: SeedFileRecord[] = [];
  loaded.files.forEach((file, i) => {
    const outcome = loaded.prepared[i]!;
    const record: SeedFileRecord = { relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, hash: file.hash, error: null };
    if (outcome.article) {
      if (outcome.recovered) {
        record.warning = outcome.recovered;
        summary.recovered.push({ relPath: file.relPath, warning: outcome.recovered });
      }
      articles.push({ ...outcome.article, categories: deps.resolveCategories([...outcome.itemCategories, ...folder.categories]) });
    } else {
      record.error = outcome.error;
      summary.rejected.push({ relPath: file.relPath, error: outcome.error });
    }
    records.push(record);
  });
  return { articles, records };
}

/** Every file rejected now or still rejected since an earlier scan, for the index page's source table. */
function rejectedMessage(summary: SeedRunSummary): string | null {
  const all = [...summary.rejected, ...summary.stillRejected];
  const count = all.length;
  if (count === 0) return null;
  const first = all[0]!;
  return `${count} file${count === 1 ? '' : 's'} rejected; first: ${first.relPath}: ${first.error}`;
}
