// A serving process follows the store's change feed: woken by `watchCommits` (another process's commit or
// this process's own), it reads the changes after the last sequence it saw and drops exactly the documents they
// make stale; after a gap (changes pruned before it read them) it drops everything. Dialect-free: it sees only
// the Store contract, so it works the same on SQLite and PostgreSQL. It is the only path from a commit to the
// render cache, the in-process scheduler's commits included.
import type { Store } from '../store/store.js';
import type { RenderCache } from './render-cache.js';

export type ChangeFeed = Pick<Store, 'changesSince' | 'latestChangeSeq' | 'watchCommits'>;

export interface FollowOptions {
  /** How often to check for other processes' commits (SQLite: PRAGMA data_version). Default 250 ms. */
  pollMs?: number;
  /** Changes read per query. */
  batch?: number;
  /** Called after each invalidation with the categories it covered (`null`: everything, after a gap). */
  onInvalidate?: (categories: string[] | null) => void;
  onError?: (error: unknown) => void;
}

export interface Follower {
  /** The last sequence applied. */
  seq(): number;
  /** Reads and applies every change committed so far; resolves when done (tests, and before answering after a wake). */
  catchUp(): Promise<void>;
  stop(): void;
}

export async function followChanges(feed: ChangeFeed, cache: Pick<RenderCache, 'invalidate' | 'invalidateAll'>, options: FollowOptions = {}): Promise<Follower> {
  const batch = options.batch ?? 1000;
  const pollMs = options.pollMs ?? 250;
  // Nothing is rendered yet: start from the newest change.
  let seq = await feed.latestChangeSeq();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const apply = async (): Promise<void> => {
    for (;;) {
      const { changes, latestSeq, gap } = await feed.changesSince(seq, batch);
      if (gap) {
        cache.invalidateAll();
        options.onInvalidate?.(null);
      } else if (changes.length > 0) {
        const categories = [...new Set(changes.flatMap((change) => change.categories))];
        cache.invalidate(categories);
        options.onInvalidate?.(categories);
      }
      seq = latestSeq;
      if (changes.length < batch) return;
    }
  };

  /** One read at a time; a wake during a read runs one more read after it, so no commit is missed. */
  const catchUp = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await apply().catch((error: unknown) => {
          options.onError?.(error);
          // No later commit may come to wake us: try again after one poll interval.
          if (!stopped) setTimeout(() => void catchUp(), pollMs).unref();
        });
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const unwatch = feed.watchCommits(() => void catchUp(), { pollMs });
  return {
    seq: () => seq,
    catchUp,
    stop() {
      stopped = true;
      unwatch();
    },
  };
}
