// Change feed semantics shared by the backends: how a follower's position relates to what is kept.
import type { ChangeRecord, ChangesSince } from './store.js';

/**
 * Where to read from for a follower at `afterSeq`, given the pruned-through watermark and the newest
 * sequence: a gap when it is behind pruning, or ahead of the database (replaced, e.g. restored from a backup).
 */
export function changesPosition(afterSeq: number, watermark: number, newest: number): { from: number; gap: boolean } {
  const top = Math.max(newest, watermark);
  const gap = afterSeq < watermark || afterSeq > top;
  return { from: gap ? Math.max(afterSeq, watermark) : afterSeq, gap };
}

/** The answer for the changes read from `changesPosition(...).from`. */
export function changesAnswer(afterSeq: number, position: { gap: boolean }, changes: ChangeRecord[], top: number): ChangesSince {
  const last = changes.at(-1)?.seq;
  return { changes, latestSeq: last ?? (position.gap ? top : afterSeq), gap: position.gap };
}

/** A read or claim returns at least one change when there is one. */
export const changesLimit = (limit: number): number => Math.max(1, Math.floor(limit));

/** Slugs a declaration changed, as a change record lists them: `all` first when any. */
export const declaredChange = (slugs: readonly string[]): string[] => (slugs.length > 0 ? ['all', ...[...new Set(slugs)].filter((s) => s !== 'all').sort()] : []);
