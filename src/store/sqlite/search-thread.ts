// SQLite search off the event loop: one worker thread per process (search-worker.ts) with its own read-only
// connection to the database file, fed one search at a time from a bounded queue. A search costs ~20 ms
// of CPU at 100k stories; run by better-sqlite3 on the serving thread it held /healthz and every feed
// request behind it. Beyond the queue's bound a search is refused (BusyError: 503), a search running
// past its timeout has its thread replaced, and a thread that dies is logged and started again.
import { Worker } from 'node:worker_threads';
import { BusyError, QueryError, StoreError, describeError } from '../../errors.js';
import { workerEntry } from '../../worker-entry.js';
import type { SearchPage, SearchResult } from '../store.js';
import type { StoreLog } from '../store-log.js';
import type { SearchPlan } from './search-query.js';

/** Searches waiting for the thread (the running one aside) before more are refused. */
export const SEARCH_QUEUE_LIMIT = 32;
/** A search running longer than this is answered 503 and its thread replaced (normal: tens of ms). */
export const SEARCH_TIMEOUT_MS = 10_000;

/**
 * The thread's heap: a small young generation, as the start script gives the main thread (the default one
 * costs ~20 MB of RSS for nothing a search needs), and an old generation a runaway result cannot grow past.
 */
export const SEARCH_THREAD_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

export interface SearchThreadOptions {
  queueLimit?: number;
  timeoutMs?: number;
  /** The thread's connection waits this long for a lock (a checkpoint) before failing the search. */
  busyTimeoutMs?: number;
  log?: StoreLog;
}

/** Messages between the thread and search-worker.ts. */
export interface SearchWorkerData {
  file: string;
  busyTimeoutMs: number;
}
export interface SearchRequest {
  id: number;
  plan: SearchPlan;
  limit: number;
  nowMs: number;
  page?: SearchPage | undefined;
}
export type SearchReply = { id: number; result: SearchResult } | { id: number; error: { query: boolean; message: string } };
/** The thread's first message: its connection is open (the timeout counts from here, not from start-up). */
export const SEARCH_THREAD_READY = 'ready';

export interface SearchThread {
  search(plan: SearchPlan, limit: number, nowMs: number, page?: SearchPage): Promise<SearchResult>;
  /** Threads started so far (1 after the first search; each restart adds one). */
  readonly started: number;
  /** The running thread's id, null before the first search and after a death until the next one. */
  readonly threadId: number | null;
  /** Refuses what waits, ends the thread. */
  close(): Promise<void>;
}

interface Job extends Omit<SearchRequest, 'id'> {
  resolve(result: SearchResult): void;
  reject(error: Error): void;
}

export function createSearchThread(file: string, options: SearchThreadOptions = {}): SearchThread {
  const queueLimit = options.queueLimit ?? SEARCH_QUEUE_LIMIT;
  const timeoutMs = options.timeoutMs ?? SEARCH_TIMEOUT_MS;
  const workerData: SearchWorkerData = { file, busyTimeoutMs: options.busyTimeoutMs ?? 5000 };
  const entry = workerEntry(import.meta.url, 'search-worker');
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let ready = false;
  let running: { id: number; job: Job; timer: NodeJS.Timeout } | null = null;
  let nextId = 0;
  let started = 0;
  let closed = false;

  const failed = (message: string) => new StoreError(`searching stories failed: ${message}`);

  // Ends the running search with `error` and forgets the thread (replaced at the next dispatch).
  function drop(thread: Worker, error: Error): void {
    if (thread !== worker) return;
    worker = null;
    ready = false;
    thread.unref();
    if (running) {
      clearTimeout(running.timer);
      running.job.reject(error);
      running = null;
    }
  }

  function start(): Worker {
    const thread = new Worker(entry.source, { eval: entry.eval, workerData, execArgv: [], resourceLimits: SEARCH_THREAD_LIMITS });
    started += 1;
    thread.on('message', (reply: SearchReply | typeof SEARCH_THREAD_READY) => {
      if (thread !== worker) return;
      if (reply === SEARCH_THREAD_READY) {
        ready = true;
        return dispatch();
      }
      if (!running || reply.id !== running.id) return;
      const { job, timer } = running;
      clearTimeout(timer);
      running = null;
      thread.unref();
      if ('result' in reply) job.resolve(reply.result);
      else job.reject(reply.error.query ? new QueryError(reply.error.message) : failed(reply.error.message));
      dispatch();
    });
    const died = (why: string): void => {
      if (thread !== worker || closed) return;
      options.log?.error({ file, why }, 'search thread died: a new one starts with the next search');
      const error = failed(`the search thread ${why}`);
      // Dead before its connection opened: it would again, so what waits fails now (no restart loop).
      if (!ready) for (const job of queue.splice(0)) job.reject(error);
      drop(thread, error);
      dispatch();
    };
    thread.on('error', (error) => died(`crashed: ${describeError(error)}`));
    thread.on('exit', (code) => died(`exited (code ${code})`));
    return thread;
  }

  function timedOut(thread: Worker): void {
    options.log?.warn({ file, timeoutMs }, 'a search ran past its timeout: its thread is replaced');
    drop(thread, new BusyError(`search took longer than ${timeoutMs} ms`));
    // A thread inside SQLite ends once the statement returns; it no longer holds the process open.
    void thread.terminate();
    dispatch();
  }

  function dispatch(): void {
    if (closed || running || queue.length === 0) return;
    if (!worker) {
      worker = start();
      // Held open while it works (a pending search keeps the process alive), not while idle.
      worker.ref();
    }
    if (!ready) return;
    const thread = worker;
    thread.ref();
    const job = queue.shift()!;
    const id = nextId++;
    running = { id, job, timer: setTimeout(() => timedOut(thread), timeoutMs) };
    thread.postMessage({ id, plan: job.plan, limit: job.limit, nowMs: job.nowMs, page: job.page } satisfies SearchRequest);
  }

  return {
    get started() {
      return started;
    },
    get threadId() {
      return worker?.threadId ?? null;
    },
    search(plan, limit, nowMs, page) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(failed('the store is closed'));
        // While a thread starts, the first search queued is the one it will run, not one waiting.
        const starting = worker !== null && !ready;
        const waiting = running ? queue.length : starting ? queue.length - 1 : 0;
        if ((running || starting) && waiting >= queueLimit) return reject(new BusyError(`${waiting} searches are waiting already`));
        queue.push({ plan, limit, nowMs, page, resolve, reject });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = failed('the store is closed');
      for (const job of queue.splice(0)) job.reject(error);
      const thread = worker;
      if (thread) {
        drop(thread, error);
        await thread.terminate();
      }
    },
  };
}
