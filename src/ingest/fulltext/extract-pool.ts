// Full-text extraction off the serving thread. Readability over a linkedom DOM is synchronous and costs ~5 s of
// a loaded core per MiB of markup: on the main thread it held every HTTP answer of a `--role all` process behind
// it. Here pages go to a worker thread (piscina) with its own bounded heap, one page per thread at a time, from a
// bounded queue; a page past its timeout has its thread terminated (piscina starts another for the next page),
// and a page that exhausts the thread's heap kills only that thread. Each error names the page; the caller keeps
// the feed's summary (fetch-full-text.ts).
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { Piscina } from 'piscina';
import { describeError } from '../../errors.js';
import { extractArticle, loadDom, PageTooLargeError, type ExtractRule } from './extract-article.js';
import type { ExtractReply, ExtractStarted, ExtractTask } from './extract-worker.js';

/** Pages extracted at once per process (each thread holds one page's DOM: ~40 MB of heap per MiB of markup). */
export const EXTRACT_THREADS = 1;
/** Pages waiting for a thread before more are refused (fetch.concurrency sources each wait for one page at most). */
export const EXTRACT_QUEUE_LIMIT = 16;
/** A page whose extraction runs longer than this (from its start, not its wait) fails; normal: < 5 s per MiB. */
export const EXTRACT_TIMEOUT_MS = 30_000;
/**
 * A thread's heap: the 1 MiB markup cap makes a ~42 MB DOM, so 128 MB leaves Readability room; beyond it the
 * thread dies (ERR_WORKER_OUT_OF_MEMORY), not the process. A small young generation, as the start script's.
 */
export const EXTRACT_THREAD_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 8 };
/** An idle thread exits after this, giving its memory back (most runs extract nothing). */
const IDLE_MS = 30_000;

/** Extraction of a page failed in its thread: timeout, out of memory, full queue, a crash. Names the page. */
export class ExtractError extends Error {
  override name = 'ExtractError';
  constructor(readonly pageUrl: string, message: string, options?: { cause?: unknown }) {
    super(`${pageUrl}: ${message}`, options);
  }
}

export type ExtractFn = (html: string, pageUrl: string, rule: ExtractRule) => Promise<string | null>;

export interface ExtractPoolOptions {
  /** 0: on the calling thread, as before (the bench's baseline). */
  threads?: number;
  queueLimit?: number;
  timeoutMs?: number;
  resourceLimits?: typeof EXTRACT_THREAD_LIMITS;
  /** Where a thread that dies between pages is reported (a page's own failure goes to its caller). */
  log?: { error(obj: object, msg: string): void } | undefined;
}

export interface ExtractPool {
  extract: ExtractFn;
  /** Pages being extracted now (started in their thread; not those waiting): what a test or a metric watches. */
  readonly running: number;
  /** Pages waiting for a thread. */
  readonly waiting: number;
  /** Threads started so far (a timed-out or crashed thread is replaced by a new one). */
  readonly threadsStarted: number;
  close(): Promise<void>;
}

export function createExtractPool(options: ExtractPoolOptions = {}): ExtractPool {
  const threads = options.threads ?? EXTRACT_THREADS;
  const queueLimit = options.queueLimit ?? EXTRACT_QUEUE_LIMIT;
  const timeoutMs = options.timeoutMs ?? EXTRACT_TIMEOUT_MS;
  const limit = pLimit(Math.max(1, threads));
  let running = 0;
  let threadsStarted = 0;
  let nextId = 0;
  let pool: Piscina<ExtractTask, ExtractReply> | undefined;
  let starting: Promise<Piscina<ExtractTask, ExtractReply>> | undefined;
  /** What to do when a page's thread says it started it: count it, start its timeout. */
  const onStart = new Map<number, () => void>();

  /** Pages handed to the pool and not settled: what a thread that dies starting fails (piscina would keep them). */
  const inPool = new Set<AbortController>();
  const startedPool = async (): Promise<Piscina<ExtractTask, ExtractReply>> => {
    const made = await startPool(threads, options.resourceLimits ?? EXTRACT_THREAD_LIMITS);
    made.on('workerCreate', () => void threadsStarted++);
    made.on('message', (message: Partial<ExtractStarted>) => void onStart.get(message.extractionStarted ?? -1)?.());
    // A thread that dies between pages, or while starting (then piscina starts no other and its pages would wait
    // forever): logged, what waits fails, and the next page starts a new pool. Unheard, the 'error' would stop the process.
    made.on('error', (error: unknown) => {
      options.log?.error({ error: describeError(error) }, 'full-text extraction thread died; another starts with the next page');
      if (pool !== made) return;
      pool = undefined;
      for (const stop of inPool) stop.abort(error);
      void made.destroy();
    });
    return made;
  };

  const inThread = async (task: Omit<ExtractTask, 'id'>): Promise<ExtractReply> => {
    // One pool however many pages arrive while piscina loads (the import is the first page's).
    const threadPool = pool ?? (await (starting ??= startedPool().then((made) => (pool = made)).finally(() => (starting = undefined))));
    const id = nextId++;
    const stop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let started = false;
    // Counted from the page's start in its thread: waiting for a thread, or its start-up, is not the page's fault.
    onStart.set(id, () => {
      started = true;
      running++;
      timer = setTimeout(() => stop.abort(), timeoutMs);
    });
    inPool.add(stop);
    try {
      return await threadPool.run({ ...task, id }, { signal: stop.signal });
    } catch (error) {
      // Aborted for a thread's death rather than the timeout: that death is the reason.
      throw stop.signal.reason instanceof Error && stop.signal.reason.name !== 'AbortError' ? stop.signal.reason : error;
    } finally {
      inPool.delete(stop);
      onStart.delete(id);
      clearTimeout(timer);
      if (started) running--;
    }
  };
  const inline = async (task: Omit<ExtractTask, 'id'>): Promise<ExtractReply> => {
    await loadDom(); // as a thread does before it starts a page
    running++;
    try {
      return { html: await extractArticle(task.html, task.pageUrl, task.rule) };
    } finally {
      running--;
    }
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return limit.pendingCount;
    },
    get threadsStarted() {
      return threadsStarted;
    },
    async extract(html, pageUrl, rule) {
      if (limit.activeCount >= limit.concurrency && limit.pendingCount >= queueLimit) throw new ExtractError(pageUrl, `extraction refused: ${limit.pendingCount} pages are waiting already; summary kept`);
      const reply = await limit(async () => {
        try {
          return await (threads > 0 ? inThread : inline)({ html, pageUrl, rule });
        } catch (error) {
          if (error instanceof PageTooLargeError) throw error;
          const why = (error as Error)?.name === 'AbortError' ? `extraction took longer than ${timeoutMs} ms (its thread was stopped)` : `extraction failed: ${describeError(error)}`;
          throw new ExtractError(pageUrl, why, { cause: error });
        }
      });
      if ('tooLarge' in reply) throw new PageTooLargeError(reply.tooLarge);
      return reply.html;
    },
    async close() {
      limit.clearQueue();
      await starting?.catch(() => undefined);
      await pool?.destroy();
      pool = undefined;
    },
  };
}

/** Built, the worker is the .js beside this file; under tsx (tests, bench), a shim that loads the .ts through tsx. */
async function startPool(threads: number, resourceLimits: typeof EXTRACT_THREAD_LIMITS): Promise<Piscina<ExtractTask, ExtractReply>> {
  // Loaded with the first page, not at startup: most configs have no fullText source.
  const { Piscina } = await import('piscina');
  const entry = import.meta.url.endsWith('.ts') ? './extract-worker-source.mjs' : './extract-worker.js';
  return new Piscina<ExtractTask, ExtractReply>({
    filename: fileURLToPath(new URL(entry, import.meta.url)),
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: IDLE_MS,
    resourceLimits,
    // Not the parent's flags: the start script's 192 MB heap is the main thread's.
    execArgv: [],
  });
}

let shared: ExtractPool | undefined;
/** The process's pool, started with the first page (most configs have no fullText source). */
export function sharedExtractPool(log?: ExtractPoolOptions['log']): ExtractPool {
  shared ??= createExtractPool({ log });
  return shared;
}
