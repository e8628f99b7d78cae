// The types of the coordination part of the store contract (store.ts): the change feed every process
// follows, and the leased runs and refresh requests workers share. Kept apart so store.ts stays the contract.

/** One committed unit of work that changed what is published. */
export interface ChangeRecord {
  /** Monotonic, in commit order; gaps are allowed. */
  seq: number;
  /** Category slugs whose published content changed, `all` first (as StoreRunResult reports them). */
  categories: string[];
  at: Date;
}

/**
 * What the slice completing the word-index rebuild appends to the change feed: `all` alone, which drops every
 * saved search from render caches (the index they were rendered from was partial) and nothing else.
 */
export const SEARCH_INDEX_CHANGE = 'all';

export interface ChangesSince {
  changes: ChangeRecord[];
  /** The newest sequence this answer covers: the follower's next `afterSeq`. */
  latestSeq: number;
  /**
   * True when changes after `afterSeq` were pruned before this follower read them: it must treat
   * every category as changed (re-render everything) instead of missing a change.
   */
  gap: boolean;
}

/**
 * When a claimed run may start: `due` when its next run time has come (cron); `not-backed-off` unless its
 * last run failed or the source asked to wait (<ttl>, max-age) and its next run is still ahead (start-up);
 * `always` regardless (refresh, ingest).
 */
export type RunDue = 'due' | 'not-backed-off' | 'always';

export interface RunClaim {
  /** The source's name (`seed folder` for the seed folder). */
  name: string;
  /** The host whose politeness slots the run takes (`fetch.perHost` across every process); null for none. */
  host: string | null;
  /** Live leases allowed on `host` at once, across every process. */
  perHost: number;
  /** Who claims: unique per process (host name, pid, random). */
  owner: string;
  /** How long the lease lives unless renewed: fetch timeout + margin. */
  leaseMs: number;
  due: RunDue;
}

export interface RefreshRequest {
  id: number;
  /** The source asked for; null for every source and the seed folder. */
  source: string | null;
  requestedAt: Date;
  finishedAt: Date | null;
  /** The names run once finished; null before, and when the worker knew no such source. */
  refreshed: string[] | null;
}

export interface RunLease {
  name: string;
  owner: string;
  expiresAt: Date;
  expired: boolean;
}

export type ClaimResult =
  | { claimed: true; expiresAt: Date }
  | { claimed: false; reason: 'held' | 'not-due' | 'host-busy' };
