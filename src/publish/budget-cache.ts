// Memoized renders bounded in bytes (lru-cache: least recently used entries go once the settled ones
// exceed the budget), grouped by category so a change drops a group at once. A render that settles
// to null (unknown category) or fails leaves nothing behind, so no request can grow the cache by
// asking for names that do not exist; concurrent misses of one key share one render.
import { LRUCache } from 'lru-cache';

export interface BudgetCacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
  evictions: number;
}

export interface BudgetCache<V> {
  /** The value for (group, variant), rendering it on a miss. */
  get(group: string, variant: string, render: () => Promise<V | null>): Promise<V | null>;
  /** The settled value, if any (synchronous; counts as a use). */
  peek(group: string, variant: string): V | undefined;
  dropGroup(group: string): void;
  clear(): void;
  stats(): BudgetCacheStats;
}

interface Settled<V> {
  group: string;
  value: V;
}

interface Pending<V> {
  group: string;
  promise: Promise<V | null>;
}

// Length-prefixed so no group name can pose as another group's variant.
const keyOf = (group: string, variant: string): string => `${group.length}:${group}|${variant}`;

export function createBudgetCache<V extends object>(budgetBytes: number, sizeOf: (value: V) => number): BudgetCache<V> {
  let evictions = 0;
  const settled = new LRUCache<string, Settled<V>>({
    maxSize: budgetBytes,
    sizeCalculation: (entry) => Math.max(1, sizeOf(entry.value)),
    dispose: (_entry, _key, reason) => {
      if (reason === 'evict') evictions += 1;
    },
  });
  // Renders in flight: as many as requests in flight at most, and gone when they settle.
  const pending = new Map<string, Pending<V>>();

  return {
    get(group, variant, render) {
      const key = keyOf(group, variant);
      const hit = settled.get(key);
      if (hit) return Promise.resolve(hit.value);
      const inFlight = pending.get(key);
      if (inFlight) return inFlight.promise;
      const entry: Pending<V> = { group, promise: undefined as never };
      entry.promise = render().then(
        (value) => {
          // Kept only when no invalidation dropped it meanwhile; one over the whole budget is not kept.
          if (pending.get(key) === entry) {
            pending.delete(key);
            if (value !== null) settled.set(key, { group, value });
          }
          return value;
        },
        (error: unknown) => {
          if (pending.get(key) === entry) pending.delete(key);
          throw error;
        },
      );
      pending.set(key, entry);
      return entry.promise;
    },
    peek(group, variant) {
      return settled.get(keyOf(group, variant))?.value;
    },
    dropGroup(group) {
      for (const [key, entry] of pending) if (entry.group === group) pending.delete(key);
      const stale = [...settled.entries()].filter(([, entry]) => entry.group === group).map(([key]) => key);
      for (const key of stale) settled.delete(key);
    },
    clear() {
      pending.clear();
      settled.clear();
    },
    stats() {
      return { entries: settled.size, bytes: settled.calculatedSize, budgetBytes, evictions };
    },
  };
}
