// One source run as one unit of work: upsert origins, then recompute the stories of every title key
// the run touched, so the result always equals clustering all stored origins from scratch.
// Written once as a unit (table-steps.ts): SQLite runs it synchronously, PostgreSQL awaits it.
import type { Article, CategoryRef, StoreRunResult } from '../types.js';
import type { DedupPolicy, MergedStory, StoreRunInput } from './store.js';
import { articleHash, sortChangedSlugs, storedTitleKey, storyHashes } from './row-hashes.js';
import { originRow, publishedAsSeen, type OriginRow, type StoredStory, type StorySave } from './stored-rows.js';
import { use, type OriginKey, type StoryMove, type Unit } from './table-steps.js';
import { successorFeedIds } from './feed-ids.js';

const originKey = (origin: OriginKey): string => `${origin.sourceKey}\n${origin.originId}`;

interface Upserted {
  /** Origins first seen in this run. */
  fresh: Set<string>;
  /** Origins written in this run, as parsed (body and search words in memory; the row has no body yet). */
  written: Map<string, Article>;
  /** Title keys whose stories must be recomputed (old and new key of every changed origin). */
  affectedKeys: Set<string>;
  updated: number;
  unchanged: number;
}

/** The run's origins keyed by the run's source, each (source, origin id) once. */
export function runOrigins(input: StoreRunInput): Article[] {
  const seen = new Set<string>();
  const origins: Article[] = [];
  for (const article of input.articles) {
    // The store keys origins by the run's source, whatever the article claims.
    const origin = article.sourceKey === input.sourceKey ? article : { ...article, sourceKey: input.sourceKey };
    const key = originKey(origin);
    // A feed listing one guid twice: the first occurrence (usually the newest) wins.
    if (seen.has(key)) continue;
    seen.add(key);
    origins.push(origin);
  }
  return origins;
}

/**
 * Records what the source filter dropped and returns the origins to store: those dropped before under the
 * same rules stay out (counted `unchanged`); a drop record under other rules is forgotten once its article passes.
 */
function* admitFiltered(input: StoreRunInput, origins: Article[], nowMs: number): Unit<{ admitted: Article[]; keptOut: number }> {
  const filter = input.filter;
  // A run without a filter (the seed folder, unfiltered sources) stores everything and reads no records.
  if (!filter) return { admitted: origins, keptOut: 0 };
  if (filter.fingerprint && filter.dropped.length > 0) {
    const seen = new Set<string>();
    const dropped = filter.dropped.filter((d) => !seen.has(d.originId) && seen.add(d.originId));
    yield* use((t) => t.filtered.recordMany(input.sourceKey, filter.fingerprint!, dropped, nowMs));
  }
  if (origins.length === 0) return { admitted: origins, keptOut: 0 };
  const recorded = yield* use((t) => t.filtered.findMany(origins));
  const fingerprint = filter.fingerprint;
  const admitted = origins.filter((_, index) => recorded[index] === null || recorded[index] !== fingerprint);
  const forget = origins.filter((_, index) => recorded[index] !== null && recorded[index] !== fingerprint);
  if (forget.length > 0) yield* use((t) => t.filtered.forgetMany(forget));
  return { admitted, keptOut: origins.length - admitted.length };
}

function* upsertOrigins(input: StoreRunInput, nowMs: number): Unit<Upserted> {
  const result: Upserted = { fresh: new Set(), written: new Map(), affectedKeys: new Set(), updated: 0, unchanged: 0 };
  const { admitted: origins, keptOut } = yield* admitFiltered(input, runOrigins(input), nowMs);
  result.unchanged += keptOut;
  // A pruned story stays gone while its sources keep listing it: a tombstone near an origin's stated time holds
  // it back, and for a new origin dated after now, one near now too (the time it is published as).
  const known = yield* use((t) => t.origins.findMany(origins));
  const checks = origins.map((origin) => ({ titleKey: storedTitleKey(origin), publishedMs: origin.published.getTime() }));
  const ahead = checks.flatMap((check, index) => (known[index] === null && check.publishedMs > nowMs ? [index] : []));
  const hits = yield* use((t) => t.tombstones.coverMany([...checks, ...ahead.map((index) => ({ titleKey: checks[index]!.titleKey, publishedMs: nowMs }))]));
  ahead.forEach((index, i) => {
    if (hits[checks.length + i]) hits[index] = true;
  });
  const live = origins.filter((_, index) => !hits[index]);
  const stored = known.filter((_, index) => !hits[index]);
  result.unchanged += origins.length - live.length;
  const rows: OriginRow[] = [];
  live.forEach((origin, index) => {
    const hash = articleHash(origin);
    const before = stored[index];
    if (before && before.contentHash === hash) {
      result.unchanged++;
      return;
    }
    rows.push(originRow(origin, hash, nowMs));
    result.written.set(originKey(origin), origin);
    result.affectedKeys.add(storedTitleKey(origin));
    if (before) {
      result.affectedKeys.add(before.titleKey);
      result.updated++;
    } else {
      result.fresh.add(originKey(origin));
    }
  });
  if (rows.length > 0) yield* use((t) => t.origins.saveMany(rows));
  return result;
}

interface Reconciled {
  added: number;
  merged: number;
  changedSlugs: Set<string>;
}

/**
 * Where each story that is gone went: the story now holding the origin its id came from (an earlier copy
 * arrived, so the story is now named after that one). A story whose origin is gone too went nowhere.
 */
function storyMoves(policy: DedupPolicy, gone: readonly StoredStory[], after: ReadonlyMap<string, { origins: Article[] }>): StoryMove[] {
  const holder = new Map<string, string>();
  for (const [id, { origins }] of after) for (const origin of origins) holder.set(policy.storyIdOf(origin), id);
  return gone.flatMap((stored) => {
    const to = holder.get(stored.id);
    return to !== undefined && to !== stored.id ? [{ from: stored.id, to }] : [];
  });
}

/** Recomputes the stories of the affected keys and writes the difference; returns the changes. */
function* reconcileStories(policy: DedupPolicy, upserted: Upserted, nowMs: number): Unit<Reconciled> {
  const changedSlugs = new Set<string>();
  if (upserted.affectedKeys.size === 0) return { added: 0, merged: 0, changedSlugs };
  // Sorted so the write order, and therefore the database file, does not depend on input order.
  const keys = [...upserted.affectedKeys].sort();
  const before = new Map<string, StoredStory>();
  for (const stored of yield* use((t) => t.stories.withTitleKeys(keys))) before.set(stored.id, stored);
  const after = new Map<string, { story: MergedStory; titleKey: string; origins: Article[] }>();
  // Origins whose row holds their own body.
  const bodyStored = new Set<string>();
  const firstSeen = new Map<string, number>();
  const originsByKey = yield* use((t) => t.origins.withTitleKeys(keys));
  keys.forEach((key, index) => {
    const origins = originsByKey[index]!.map((stored) => {
      const id = originKey(stored);
      if (stored.bodyStored) bodyStored.add(id);
      firstSeen.set(id, stored.firstSeenMs);
      // Stories are built from publication times as seen: a future date counts from its first sighting.
      return publishedAsSeen(upserted.written.get(id) ?? stored, stored.firstSeenMs);
    });
    for (const cluster of policy.cluster(origins)) {
      const story = policy.merge(cluster);
      after.set(story.id, { story, titleKey: key, origins: cluster });
    }
  });

  const touch = (slugs: Iterable<{ slug: string }>) => {
    for (const { slug } of slugs) changedSlugs.add(slug);
  };
  const gone = [...before.values()].filter((stored) => !after.has(stored.id));
  for (const stored of gone) {
    touch(stored.categories);
    changedSlugs.add('all');
  }
  const moves = storyMoves(policy, gone, after);
  if (gone.length > 0) {
    yield* use((t) => t.stories.removeMany(gone.map((stored) => stored.id)));
    if (moves.length > 0) yield* use((t) => t.moves.record(moves, [...after.keys()], nowMs));
  }

  // A story id may have lived under another title key before (its earliest origin was retitled).
  const elsewhereIds = [...after.keys()].filter((id) => !before.has(id));
  const elsewhere = elsewhereIds.length > 0 ? yield* use((t) => t.stories.findMany(elsewhereIds)) : [];
  elsewhereIds.forEach((id, index) => {
    const stored = elsewhere[index];
    if (stored) before.set(id, stored);
  });

  const feedIds = successorFeedIds(policy, before, moves, after, (origin) => firstSeen.get(originKey(origin)) ?? nowMs);
  const saves: StorySave[] = [];
  const discovered: CategoryRef[] = [];
  const assignments: (OriginKey & { storyId: string })[] = [];
  const bodies: (OriginKey & { contentHtml: string; keep: boolean })[] = [];
  let added = 0;
  let merged = 0;
  for (const { story, titleKey, origins } of after.values()) {
    const stored = before.get(story.id);
    const hashes = storyHashes(story, titleKey);
    const feedId = feedIds.get(story.id)!;
    if (stored?.rowHash !== hashes.row || stored.feedId !== feedId) {
      const contentChanged = stored?.contentHash !== hashes.content;
      saves.push({ story, titleKey, updatedMs: contentChanged || !stored ? nowMs : stored.updatedMs, hashes, before: stored, feedId });
      discovered.push(...story.categories);
      touch(story.categories);
      if (stored) touch(stored.categories);
      changedSlugs.add('all');
    }
    for (const origin of origins) {
      assignments.push({ sourceKey: origin.sourceKey, originId: origin.originId, storyId: story.id });
      // One body per origin alone in its story (the story's); a merged story's origins keep their own.
      const shared = origins.length > 1;
      if (shared !== bodyStored.has(originKey(origin))) bodies.push({ sourceKey: origin.sourceKey, originId: origin.originId, contentHtml: origin.contentHtml, keep: shared });
    }

    // Counting: the first new origin of a story with no older origin created it; every other new one merged.
    const freshOrigins = origins.filter((origin) => upserted.fresh.has(originKey(origin)));
    if (freshOrigins.length === 0) continue;
    const createdHere = freshOrigins.length === origins.length;
    added += createdHere ? 1 : 0;
    merged += createdHere ? freshOrigins.length - 1 : freshOrigins.length;
  }
  if (saves.length > 0) yield* use((t) => t.stories.saveMany(saves));
  if (discovered.length > 0) yield* use((t) => t.categories.discoverMany(discovered));
  if (assignments.length > 0) yield* use((t) => t.origins.assignStories(assignments));
  if (bodies.length > 0) yield* use((t) => t.origins.keepBodies(bodies));
  return { added, merged, changedSlugs };
}

/** The body of `Store.storeRun`; the caller drives it inside one transaction. */
export function* storeRunUnit(policy: DedupPolicy, input: StoreRunInput, nowMs: number): Unit<StoreRunResult> {
  const upserted = yield* upsertOrigins(input, nowMs);
  const { added, merged, changedSlugs } = yield* reconcileStories(policy, upserted, nowMs);
  const changedCategories = sortChangedSlugs(changedSlugs);
  if (changedCategories.length > 0) yield* use((t) => t.categories.refresh(changedCategories, nowMs));
  const seedFiles = input.seedFiles ?? [];
  if (seedFiles.length > 0) yield* use((t) => t.seedFiles.recordMany(seedFiles));
  return { added, merged, updated: upserted.updated, unchanged: upserted.unchanged, changedCategories };
}
