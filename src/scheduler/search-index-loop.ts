// Background search indexing: ingest runs only queue stories for the full-text index (indexing costs more than
// the rest of an import); this loop indexes the queue slice by slice after each change.
import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import type { Store } from '../store/store.js';

/**
 * Stories per search-indexing transaction; each slice blocks the event loop while it runs. Measured on
 * 11.7 KB articles: ~4.5 ms a story, so 25 is ~110 ms a slice (200 held it for up to 1.5 s).
 */
const SEARCH_SLICE = 25;

/**
 * Indexes queued stories for search off the import's path: after each change, slice by slice with
 * a turn of the event loop between slices so requests are served. `drained` gets the count per drain.
 */
export function searchIndexLoop(store: Store, logger: Logger, drained: (indexed: number) => void) {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const drain = async (): Promise<void> => {
    const start = performance.now();
    let indexed = 0;
    do {
      again = false;
      for (let remaining = 1; remaining > 0 && !stopped; ) {
        const slice = await store.indexSearchBacklog(SEARCH_SLICE);
        indexed += slice.indexed;
        remaining = slice.remaining;
        if (remaining > 0) await new Promise(setImmediate);
      }
    } while (again && !stopped);
    if (indexed > 0) logger.info({ indexed, duration_ms: Math.round(performance.now() - start) }, 'search index updated');
    drained(indexed);
  };
  return {
    /** Starts a drain, or has the running one look again once it is done. */
    kick(): void {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = drain()
        .catch((error) => logger.warn({ error: describeError(error) }, 'search indexing failed; searches index on demand'))
        .finally(() => {
          running = null;
        });
    },
    async stop(): Promise<void> {
      stopped = true;
      await running;
    },
  };
}
