// One source run as one unit of work: upsert origins, then recompute the stories of every title key
// the run touched, so the result always equals clustering all stored origins from scratch.
import type { Article, StoreRunResult } from '../types.js';
import type { DedupPolicy, MergedStory, StoreRunInput } from './store.js';
import type { CategoriesTable } from './sqlite/categories-table.js';
import { articleHash, storedTitleKey, type OriginsTable } from './sqlite/origins-table.js';
import type { SeedFilesTable } from './sqlite/seed-files-table.js';
import type { Tombstones } from './sqlite/retention.js';
import { storyHashes, type StoredStory, type StoriesTable } from './sqlite/stories-table.js';

export interface StoreTables {
  origins: OriginsTable;
  stories: StoriesTable;
  categories: CategoriesTable;
  seedFiles: SeedFilesTable;
  /** Pruned stories: an origin they cover is not stored again (retention.ts). */
  tombstones?: Tombstones;
}

const originKey = (origin: Pick<Article, 'sourceKey' | 'originId'>): string => `${origin.sourceKey}\n${origin.originId}`;

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

function upsertOrigins(tables: StoreTables, input: StoreRunInput, nowMs: number): Upserted {
  const result: Upserted = { fresh: new Set(), written: new Map(), affectedKeys: new Set(), updated: 0, unchanged: 0 };
  const seen = new Set<string>();
  for (const article of input.articles) {
    // The store keys origins by the run's source, whatever the article claims.
    const origin = article.sourceKey === input.sourceKey ? article : { ...article, sourceKey: input.sourceKey };
    const key = originKey(origin);
    // A feed listing one guid twice: the first occurrence (usually the newest) wins.
    if (seen.has(key)) continue;
    seen.add(key);
    // A pruned story stays gone while its sources keep listing it.
    if (tables.tombstones?.covers(storedTitleKey(origin), origin.published.getTime())) {
      result.unchanged++;
      continue;
    }
    const hash = articleHash(origin);
    const stored = tables.origins.find(origin.sourceKey, origin.originId);
    if (stored && stored.contentHash === hash) {
      result.unchanged++;
      continue;
    }
    tables.origins.save(origin, hash, nowMs);
    result.written.set(key, origin);
    result.affectedKeys.add(storedTitleKey(origin));
    if (stored) {
      result.affectedKeys.add(stored.titleKey);
      result.updated++;
    } else {
      result.fresh.add(key);
    }
  }
  return result;
}

/** Recomputes the stories of the affected keys and writes the difference; returns the changes. */
function reconcileStories(
  tables: StoreTables,
  policy: DedupPolicy,
  upserted: Upserted,
  nowMs: number,
): { added: number; merged: number; changedSlugs: Set<string> } {
  const before = new Map<string, StoredStory>();
  const after = new Map<string, { story: MergedStory; titleKey: string; origins: Article[] }>();
  // Origins whose row holds their own body.
  const bodyStored = new Set<string>();
  // Sorted so the write order, and therefore the database file, does not depend on input order.
  for (const key of [...upserted.affectedKeys].sort()) {
    for (const stored of tables.stories.withTitleKey(key)) before.set(stored.id, stored);
    const origins = tables.origins.withTitleKey(key).map((stored) => {
      const id = originKey(stored);
      if (stored.bodyStored) bodyStored.add(id);
      return upserted.written.get(id) ?? stored;
    });
    for (const cluster of policy.cluster(origins)) {
      const story = policy.merge(cluster);
      after.set(story.id, { story, titleKey: key, origins: cluster });
    }
  }

  const changedSlugs = new Set<string>();
  const touch = (slugs: Iterable<{ slug: string }>) => {
    for (const { slug } of slugs) changedSlugs.add(slug);
  };
  for (const [id, stored] of before) {
    if (after.has(id)) continue;
    tables.stories.remove(id);
    touch(stored.categories);
    changedSlugs.add('all');
  }

  let added = 0;
  let merged = 0;
  for (const { story, titleKey, origins } of after.values()) {
    // A story id may have lived under another title key before (its earliest origin was retitled).
    const stored = before.get(story.id) ?? tables.stories.find(story.id);
    const hashes = storyHashes(story, titleKey);
    if (stored?.rowHash !== hashes.row) {
      const contentChanged = stored?.contentHash !== hashes.content;
      tables.stories.save(story, titleKey, contentChanged || !stored ? nowMs : stored.updatedMs, hashes, stored ?? undefined);
      for (const ref of story.categories) tables.categories.discover(ref);
      touch(story.categories);
      if (stored) touch(stored.categories);
      changedSlugs.add('all');
    }
    for (const origin of origins) {
      tables.origins.assignStory(origin, story.id);
      // One body per origin alone in its story (the story's); a merged story's origins keep their own.
      const shared = origins.length > 1;
      if (shared !== bodyStored.has(originKey(origin))) tables.origins.keepBody(origin, shared);
    }

    // Counting: the first new origin of a story with no older origin created it; every other new one merged.
    const freshOrigins = origins.filter((origin) => upserted.fresh.has(originKey(origin)));
    if (freshOrigins.length === 0) continue;
    const createdHere = freshOrigins.length === origins.length;
    added += createdHere ? 1 : 0;
    merged += createdHere ? freshOrigins.length - 1 : freshOrigins.length;
  }
  return { added, merged, changedSlugs };
}

/** The body of `Store.storeRun`; the caller runs it inside one transaction. */
export function storeRunInTransaction(
  tables: StoreTables,
  policy: DedupPolicy,
  input: StoreRunInput,
  nowMs: number,
): StoreRunResult {
  const upserted = upsertOrigins(tables, input, nowMs);
  const { added, merged, changedSlugs } = reconcileStories(tables, policy, upserted, nowMs);
  for (const slug of changedSlugs) tables.categories.changed(slug, tables.stories.count(slug), nowMs);
  for (const file of input.seedFiles ?? []) tables.seedFiles.record(file);
  const changedCategories = [...changedSlugs].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return { added, merged, updated: upserted.updated, unchanged: upserted.unchanged, changedCategories };
}
