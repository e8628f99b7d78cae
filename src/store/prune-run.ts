// `Store.pruneStories` as one unit of work (table-steps.ts), the same on every backend: stories published
// before `olderThan`, and those past the newest `maxItemsPerCategory` of any category, are deleted with
// their origins; each leaves a tombstone (its title key and publication time, and the stated time of any
// origin dated after it was first seen). A story over the limit
// in one category leaves all of them.
import type { PruneOptions, PruneResult } from './store.js';
import { sortChangedSlugs } from './row-hashes.js';
import { use, type Unit } from './table-steps.js';

/** The dedup window used when the policy does not name one (DESIGN §4 default). */
export const DEFAULT_TOMBSTONE_WINDOW_MS = 12 * 3_600_000;

export function* pruneUnit(options: PruneOptions, nowMs: number): Unit<PruneResult> {
  const ids = new Set<string>();
  const olderThan = options.olderThan;
  if (olderThan) for (const id of yield* use((t) => t.stories.publishedBefore(olderThan.getTime()))) ids.add(id);
  const limit = options.maxItemsPerCategory;
  if (limit !== undefined && Number.isFinite(limit) && limit >= 0) {
    for (const id of yield* use((t) => t.stories.pastCategoryLimit(Math.floor(limit)))) ids.add(id);
  }
  if (ids.size === 0) return { pruned: 0, changedCategories: [] };
  // Sorted so the writes, and the database file, do not depend on query order.
  const doomed = yield* use((t) => t.stories.describe([...ids].sort()));
  const doomedIds = doomed.map((story) => story.id);
  // An origin dated after it was first seen was published (and pruned) as of that sighting, but its source
  // keeps listing it with the stated date: that date is buried too, or the origin would come back as new.
  const ahead = yield* use((t) => t.origins.statedAheadOf(doomedIds));
  const statedTimes = ahead.map((origin) => ({ id: origin.storyId, titleKey: origin.titleKey, publishedMs: origin.publishedMs, categories: [] }));
  yield* use((t) => t.tombstones.buryMany([...doomed, ...statedTimes], nowMs));
  yield* use((t) => t.origins.dropForStories(doomedIds));
  yield* use((t) => t.stories.removeMany(doomedIds));
  const changed = new Set<string>();
  for (const story of doomed) {
    changed.add('all');
    for (const ref of story.categories) changed.add(ref.slug);
  }
  const changedCategories = sortChangedSlugs(changed);
  if (changedCategories.length > 0) yield* use((t) => t.categories.refresh(changedCategories, nowMs));
  return { pruned: doomed.length, changedCategories };
}

const DAY_MS = 86_400_000;

/** The prune to run now for the `retention` config section; null when retention is off. */
export function retentionPruneOptions(
  retention: { maxAgeDays?: number | undefined; maxItemsPerCategory?: number | undefined } | undefined,
  now: Date,
): PruneOptions | null {
  if (!retention || (retention.maxAgeDays === undefined && retention.maxItemsPerCategory === undefined)) return null;
  return {
    olderThan: retention.maxAgeDays === undefined ? undefined : new Date(now.getTime() - retention.maxAgeDays * DAY_MS),
    maxItemsPerCategory: retention.maxItemsPerCategory,
  };
}
