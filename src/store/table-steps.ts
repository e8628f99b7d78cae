// One unit of work written once for every backend: a generator that yields table operations and gets
// their results back. SQLite drives it synchronously inside a better-sqlite3 transaction; PostgreSQL
// awaits each operation inside its transaction. The logic never knows which.
import type { Article, CategoryRef } from '../types.js';
import type { FilteredRecord, SeedFileRecord } from './store.js';
import type { OriginRow, StoredOrigin, StoredOriginArticle, StoredStory, StorySave } from './stored-rows.js';

export type Maybe<T> = T | Promise<T>;

export interface OriginKey {
  sourceKey: string;
  originId: string;
}

/** A story about to be pruned: what its tombstone and the changed categories need. */
export interface PrunedStory {
  id: string;
  titleKey: string;
  publishedMs: number;
  categories: { slug: string }[];
}

/** A story id that changed (an earlier copy arrived later): its old page redirects to the new one. */
export interface StoryMove {
  from: string;
  to: string;
}

/** The table operations a unit of work uses; batched, so a server database needs few round trips. */
export interface UnitTables {
  origins: {
    /** Stored state of each origin, in input order (null when new). */
    findMany(keys: readonly OriginKey[]): Maybe<(StoredOrigin | null)[]>;
    /** Inserts new origins or replaces the content of known ones, in order. */
    saveMany(rows: readonly OriginRow[]): Maybe<void>;
    /** The origins of each title key, one list per key in input order. */
    withTitleKeys(keys: readonly string[]): Maybe<StoredOriginArticle[][]>;
    assignStories(assignments: readonly (OriginKey & { storyId: string })[]): Maybe<void>;
    /** Stores each origin's own body (it shares its story) or drops it (alone: the story holds it). */
    keepBodies(bodies: readonly (OriginKey & { contentHtml: string; keep: boolean })[]): Maybe<void>;
    /** The stated times of the origins of these stories that are dated after they were first seen (retention). */
    statedAheadOf(storyIds: readonly string[]): Maybe<{ storyId: string; titleKey: string; publishedMs: number }[]>;
    /** Deletes the origins of these stories (retention). */
    dropForStories(ids: readonly string[]): Maybe<void>;
  };
  stories: {
    /** Stories stored under these title keys, key by key. */
    withTitleKeys(keys: readonly string[]): Maybe<StoredStory[]>;
    findMany(ids: readonly string[]): Maybe<(StoredStory | null)[]>;
    /** Upserts the stories with their category index (and search index where the backend keeps one), in order. */
    saveMany(saves: readonly StorySave[]): Maybe<void>;
    removeMany(ids: readonly string[]): Maybe<void>;
    /** Ids of stories published before `ms`. */
    publishedBefore(ms: number): Maybe<string[]>;
    /** Ids of stories past the newest `limit` of any category. */
    pastCategoryLimit(limit: number): Maybe<string[]>;
    /** The stories of these ids that exist, in input order. */
    describe(ids: readonly string[]): Maybe<PrunedStory[]>;
    /** Sets the id feeds publish for these stories (the upgrade step of feed-ids.ts). */
    setFeedIds(stories: readonly { id: string; feedId: string }[]): Maybe<void>;
  };
  categories: {
    /** Registers slugs seen on stories; a name already known (declared) is kept. */
    discoverMany(refs: readonly CategoryRef[]): Maybe<void>;
    /** Recounts these categories and records the change time (null once empty). */
    refresh(slugs: readonly string[], nowMs: number): Maybe<void>;
  };
  seedFiles: { recordMany(files: readonly SeedFileRecord[]): Maybe<void> };
  /** Articles a source filter dropped (filtered_origins): kept out while the same rules stand. */
  filtered: {
    /** The filter fingerprint each origin was dropped under, in input order (null: never dropped). */
    findMany(keys: readonly OriginKey[]): Maybe<(string | null)[]>;
    /** Records drops (a known one takes the new rule and fingerprint, and keeps its first drop time). */
    recordMany(sourceKey: string, fingerprint: string, dropped: readonly FilteredRecord[], nowMs: number): Maybe<void>;
    forgetMany(keys: readonly OriginKey[]): Maybe<void>;
  };
  /** Where the stories of changed ids went (story_moves), so their old pages redirect. */
  moves: {
    /**
     * Records the moves (an earlier move to a `from` now points at its `to`, so a chain is one hop) and
     * forgets the moves of ids that are stories again (`live`).
     */
    record(moves: readonly StoryMove[], live: readonly string[], nowMs: number): Maybe<void>;
    /** Stories that moved before feed ids were kept and have none yet, with their old ids (feed-ids.ts). */
    unsettled(): Maybe<{ id: string; titleKey: string; oldIds: string[] }[]>;
  };
  tombstones: {
    /** For each origin, whether a tombstone of its title key lies within the window of its publication. */
    coverMany(origins: readonly { titleKey: string; publishedMs: number }[]): Maybe<boolean[]>;
    buryMany(stories: readonly PrunedStory[], nowMs: number): Maybe<void>;
  };
}

export type TableStep = (tables: UnitTables) => unknown;
export type Unit<R> = Generator<TableStep, R, unknown>;

/** One table operation inside a unit: `const rows = yield* use((t) => t.stories.findMany(ids))`. */
export function* use<T>(step: (tables: UnitTables) => Maybe<T>): Generator<TableStep, T, unknown> {
  return (yield step) as T;
}

/** Runs a unit against synchronous tables (inside the caller's transaction). */
export function runSync<R>(unit: Unit<R>, tables: UnitTables): R {
  let step = unit.next();
  while (!step.done) step = unit.next(step.value(tables));
  return step.value;
}

/** Runs a unit against asynchronous tables, one operation at a time (inside the caller's transaction). */
export async function runAsync<R>(unit: Unit<R>, tables: UnitTables): Promise<R> {
  let step = unit.next();
  while (!step.done) step = unit.next(await step.value(tables));
  return step.value;
}
