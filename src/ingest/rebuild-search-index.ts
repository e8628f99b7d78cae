// The one-time rebuild of the word index for stories stored before it existed (migration 8): slice by
// slice, a turn of the event loop between slices so requests are served, progress in the log.
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/** Stories per slice: segmenting costs ~1.5 ms for an 11.7 KB article, so a slice holds the loop ~75 ms. */
const REBUILD_SLICE = 50;
const PROGRESS_EVERY_MS = 2000;
/** Pause before looking again when another process's slice holds every remaining story. */
const OTHER_PROCESS_WAIT_MS = 50;

/**
 * Indexes every story still waiting for the word index; resolves with how many it indexed. `stopped`
 * ends it early between slices (the service stopping); the rest is indexed at the next start.
 */
export async function completeSearchRebuild(store: Store, logger: Logger, stopped: () => boolean = () => false, slice = REBUILD_SLICE): Promise<number> {
  const start = performance.now();
  let lastLog = start;
  let indexed = 0;
  while (!stopped()) {
    const step = await store.rebuildSearchIndex(slice);
    indexed += step.indexed;
    if (step.remaining === 0) break;
    if (performance.now() - lastLog >= PROGRESS_EVERY_MS || indexed === step.indexed) {
      lastLog = performance.now();
      logger.info({ indexed, remaining: step.remaining }, 'rebuilding the search index');
    }
    // Nothing indexed yet something remains: another process holds the rest (PostgreSQL); wait for its slice.
    await new Promise((resolve) => (step.indexed === 0 ? setTimeout(resolve, OTHER_PROCESS_WAIT_MS) : setImmediate(resolve)));
  }
  if (indexed > 0) logger.info({ indexed, duration_ms: Math.round(performance.now() - start) }, 'search index rebuilt');
  return indexed;
}
