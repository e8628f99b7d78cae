// Parsing, normalizing and cleaning seed files: the pure per-file step (shared by the main thread and the
// workers) and a small worker_threads pool that runs it off the main thread during large imports.
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { SiteRules } from '../../config/schema.js';
import { describeError } from '../../errors.js';
import { workerEntry } from '../../worker-entry.js';
import type { Article } from '../../types.js';
import { futureDateNote, normalizeItem } from '../normalize.js';
import type { UrlRules } from '../clean/clean-urls.js';
import { parseSeedFile } from './parse-seed-file.js';

/** The source key of seed articles (re-exported by run-seed-folder.ts). */
export const SEED_SOURCE_KEY = 'seed';

export interface SeedTextFile {
  relPath: string;
  text: string;
  mtimeMs: number;
}

/** The plain data the per-file step needs (it crosses the thread boundary). */
export interface SeedParseConfig {
  timezone: string;
  rules?: SiteRules | undefined;
  urls?: UrlRules | undefined;
  /** When the scan read the files (ms): a file dated more than 10 minutes after it is named in a warning. */
  receivedAtMs?: number | undefined;
}

/**
 * One file's outcome. The article's categories are left empty: the caller resolves `itemCategories`
 * (plus the folder's own) with its resolver, which is a function and stays on the main thread.
 */
export type PreparedSeedFile =
  | { relPath: string; article: Article; itemCategories: string[]; recovered: string | null; error?: undefined }
  | { relPath: string; error: string; article?: undefined };

export function prepareSeedFile(file: SeedTextFile, config: SeedParseConfig): PreparedSeedFile {
  try {
    const mtime = new Date(file.mtimeMs);
    const parsed = parseSeedFile(file.text, { relPath: file.relPath, mtime, timezone: config.timezone });
    const normalized = normalizeItem(parsed.item, {
      sourceKey: SEED_SOURCE_KEY,
      documentUrl: null,
      fallbackId: file.relPath,
      fallbackDate: mtime,
      timezone: config.timezone,
      categories: [],
      rules: config.rules,
      urls: config.urls,
    });
    if (!normalized.article) throw new Error(normalized.warnings[0] ?? 'no article');
    // A seed file's identity is its path, never a guid or link it may carry.
    const article: Article = { ...normalized.article, originId: file.relPath, dateIsFallback: parsed.dateFromMtime || normalized.article.dateIsFallback };
    // A future date is read as written but not published as such: reported with the file, like an unreadable one.
    const future = config.receivedAtMs === undefined ? null : futureDateNote(article.published, new Date(config.receivedAtMs));
    const notes = [parsed.recovered, future].filter((note) => note !== null).join('; ') || null;
    return { relPath: file.relPath, article, itemCategories: [...(parsed.item.categories ?? [])], recovered: notes };
  } catch (error) {
    // Every listing of a rejected file (summary, log, index page, /api/sources) names it already.
    const message = describeError(error);
    return { relPath: file.relPath, error: message.startsWith(`${file.relPath}: `) ? message.slice(file.relPath.length + 2) : message };
  }
}

export function prepareSeedFiles(files: readonly SeedTextFile[], config: SeedParseConfig): PreparedSeedFile[] {
  return files.map((file) => prepareSeedFile(file, config));
}

/** Messages between the pool and seed-worker.ts. */
export interface SeedWorkerRequest {
  id: number;
  files: SeedTextFile[];
}
export type SeedWorkerReply = { id: number; results: PreparedSeedFile[] } | { id: number; error: string };

export interface SeedWorkerPool {
  readonly size: number;
  /** The files' outcomes in input order. Rejects when a worker crashes (the pool is then unusable). */
  prepare(files: readonly SeedTextFile[]): Promise<PreparedSeedFile[]>;
  /** Terminates every worker; pending work is rejected. */
  close(): Promise<void>;
}

const MAX_WORKERS = 4;
/** Files per message: small enough to balance the workers, large enough that messaging costs nothing. */
const CHUNK_FILES = 50;

/**
 * Workers for a large import with `seedFolder.workers: auto`: one per core up to 4, 0 on one core. The main
 * thread only reads, stores and indexes meanwhile (~0.85 ms of CPU per 12 KB article against ~2.5 ms for
 * parsing, cleaning and segmenting one), so on 2 cores a second worker still pays (bench/README.md).
 */
export function defaultSeedWorkerCount(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(cores, MAX_WORKERS);
}

/** `seedFolder.workers` as a number of threads. */
export function seedWorkerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? defaultSeedWorkerCount() : setting;
}

/**
 * The parent's flags are not passed on (`--import tsx` fails in a Node 20 worker), except `--cpu-prof…=`, so
 * profiling an import (`node --cpu-prof --cpu-prof-dir=DIR …`) writes one profile per seed worker too.
 */
const PROFILING_FLAGS = process.execArgv.filter((flag) => flag === '--cpu-prof' || /^--cpu-prof-(dir|interval)=/.test(flag));

/**
 * The heap of the ingest script's main thread (`--max-old-space-size=192 --max-semi-space-size=2`): without it a
 * worker's young generation grows to V8's default (tens of MB each), which the import's RSS budget cannot afford.
 */
const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 6 };

interface Task {
  /** Files in the task (their texts are posted, not kept). */
  count: number;
  resolve: (results: PreparedSeedFile[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Tasks posted and not yet answered, by id; the worker answers them in order. */
  pending: Map<number, Task>;
  queuedFiles: number;
}

export interface SeedWorkerPoolOptions {
  /** Workers; default defaultSeedWorkerCount(), at least 1. */
  size?: number;
  /** Heap limits per worker (a runaway file then fails the run instead of the machine); default WORKER_LIMITS. */
  resourceLimits?: ResourceLimits;
}

export function createSeedWorkerPool(config: SeedParseConfig, options: SeedWorkerPoolOptions = {}): SeedWorkerPool {
  const size = Math.max(1, options.size ?? (defaultSeedWorkerCount() || 1));
  const entry = workerEntry(import.meta.url, 'seed-worker');
  let nextId = 0;
  let failure: Error | null = null;
  let closed = false;

  const fail = (slot: Slot, error: Error): void => {
    if (closed) return;
    failure ??= error;
    for (const task of slot.pending.values()) task.reject(failure);
    slot.pending.clear();
    slot.queuedFiles = 0;
    // One crashed worker ends the pool: the run stops with the batches stored so far.
    for (const other of slots) {
      if (other === slot) continue;
      for (const task of other.pending.values()) task.reject(failure);
      other.pending.clear();
      void other.worker.terminate();
    }
  };

  const slots: Slot[] = Array.from({ length: size }, (_, index) => {
    const worker = new Worker(entry.source, { eval: entry.eval, workerData: { config }, execArgv: PROFILING_FLAGS, resourceLimits: options.resourceLimits ?? WORKER_LIMITS });
    const slot: Slot = { worker, pending: new Map(), queuedFiles: 0 };
    worker.on('message', (reply: SeedWorkerReply) => {
      const task = slot.pending.get(reply.id);
      if (!task) return;
      slot.pending.delete(reply.id);
      slot.queuedFiles -= task.count;
      if ('error' in reply) task.reject(new Error(`seed worker ${index} failed: ${reply.error}`));
      else task.resolve(reply.results);
    });
    worker.on('error', (error) => fail(slot, new Error(`seed worker ${index} crashed: ${describeError(error)}`, { cause: error })));
    worker.on('exit', (code) => fail(slot, new Error(`seed worker ${index} exited unexpectedly (code ${code})`)));
    return slot;
  });

  const submit = (files: SeedTextFile[]): Promise<PreparedSeedFile[]> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      if (closed) return reject(new Error('seed worker pool is closed'));
      // The least loaded worker; each one works through its own queue, so it keeps busy while the main
      // thread is storing and cannot hand out work.
      const slot = slots.reduce((best, s) => (s.queuedFiles < best.queuedFiles ? s : best));
      const id = nextId++;
      slot.pending.set(id, { count: files.length, resolve, reject });
      slot.queuedFiles += files.length;
      slot.worker.postMessage({ id, files } satisfies SeedWorkerRequest);
    });

  return {
    size,
    async prepare(files) {
      const chunks: Promise<PreparedSeedFile[]>[] = [];
      for (let start = 0; start < files.length; start += CHUNK_FILES) chunks.push(submit(files.slice(start, start + CHUNK_FILES)));
      // Keep every chunk's rejection handled even when an earlier one already failed the whole call.
      const settled = await Promise.allSettled(chunks);
      const rejected = settled.find((s) => s.status === 'rejected');
      if (rejected) throw rejected.reason;
      return settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error('seed worker pool is closed');
      for (const slot of slots) {
        for (const task of slot.pending.values()) task.reject(error);
        slot.pending.clear();
      }
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
