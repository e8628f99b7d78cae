// The embedded store: one SQLite file (better-sqlite3, WAL) behind the async Store contract.
// Calls are synchronous underneath; the async surface keeps the stages ready for a server database.
import type Database from 'better-sqlite3';
import { QueryError, StoreError, describeError } from '../../errors.js';
import { createCategoriesTable } from './categories-table.js';
import { createChangesTable, createCommitWatch } from './changes-table.js';
import { openConnection } from './open-connection.js';
import { makeFolderOf } from '../make-folder.js';
import { createPublishing } from './publishing-transaction.js';
import { createStoryMoves } from './story-moves-table.js';
import { createTombstones } from './retention.js';
import { createStoryOrigins } from './story-origins.js';
import { createArchiveListing } from './archive-listing.js';
import { createSearchQuery, rejectingBadQuery } from './search-query.js';
import { createSearchIndex, createSearchRebuild, searchPlan } from './search-table.js';
import type { StoreLog } from '../store-log.js';
import { createSearchThread, type SearchThreadOptions } from './search-thread.js';
import { createOriginsTable } from './origins-table.js';
import { createRefreshRequestsTable } from './refresh-requests-table.js';
import { createRunLeasesTable } from './run-leases-table.js';
import { createSeedFilesTable } from './seed-files-table.js';
import { createFilteredOriginsTable } from './filtered-origins-table.js';
import { createSourcesTable } from './sources-table.js';
import { createFullTextPagesTable } from './full-text-pages-table.js';
import { createStoriesTable } from './stories-table.js';
import { declaredChange } from '../change-feed.js';
import { DEFAULT_TOMBSTONE_WINDOW_MS, pruneUnit } from '../prune-run.js';
import { storeRunUnit } from '../store-run.js';
import { settleFeedIdsUnit } from '../feed-ids.js';
import { runSync, type UnitTables } from '../table-steps.js';
import type { DedupPolicy, Store } from '../store.js';
import { SEARCH_INDEX_CHANGE } from '../coordination.js';

export interface OpenStoreOptions {
  /** Source of "now" for first-seen and updated times; tests pin it. */
  clock?: () => Date;
  /**
   * Called with the connection once it is open and migrated: tests use it to simulate faults
   * (`PRAGMA max_page_count` for a full disk, a short `busy_timeout` for a held lock).
   */
  onOpen?: (db: Database.Database) => void;
  /**
   * Searches run in a worker thread with its own read-only connection (default true; config
   * `storage.searchThread`). An in-memory database has no file to share: it searches on the calling thread.
   */
  searchThread?: boolean | Omit<SearchThreadOptions, 'log'>;
  /** Where the store logs what it recovers from (a search thread that died) and a migration's start and end. */
  log?: StoreLog;
}

/** Opens (creating and migrating as needed) the SQLite database at `path`; `:memory:` for tests. */
export async function openSqliteStore(path: string, policy: DedupPolicy, options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? (() => new Date());
  let db: Database.Database;
  try {
    db = openConnection(path, options.log);
  } catch (error) {
    throw new StoreError(`cannot open database ${path} (storage.database): ${describeError(error)}`, { cause: error });
  }
  options.onOpen?.(db);

  const tombstones = createTombstones(db, policy.windowMs ?? DEFAULT_TOMBSTONE_WINDOW_MS);
  const moves = createStoryMoves(db);
  const tables = {
    origins: createOriginsTable(db),
    stories: createStoriesTable(db, createSearchIndex(db)),
    categories: createCategoriesTable(db),
    seedFiles: createSeedFilesTable(db),
    tombstones,
    moves,
    filtered: createFilteredOriginsTable(db),
  } satisfies UnitTables;
  try {
    // Stories that moved before feed ids were kept get their oldest id (once). Looked for first, so an open
    // takes the write lock only when there is something to settle (as on PostgreSQL).
    if (moves.unsettled().length > 0) db.transaction(() => runSync(settleFeedIdsUnit(policy), tables)).immediate();
  } catch (error) {
    db.close();
    throw new StoreError(`cannot open database ${path}: settling feed ids failed: ${describeError(error)}`, { cause: error });
  }
  const storyOrigins = createStoryOrigins(db);
  const sources = createSourcesTable(db);
  const fullTextPages = createFullTextPagesTable(db);
  const search = createSearchQuery(db, clock);
  const onDisk = path !== ':memory:' && !path.startsWith('file:');
  const threadOptions = options.searchThread ?? true;
  const searchThread = threadOptions !== false && onDisk
    ? createSearchThread(path, { ...(threadOptions === true ? {} : threadOptions), log: options.log })
    : null;
  // The slice that completes the rebuild tells every process: saved searches rendered from the partial index
  // (kept in render caches, dropped by any change) are rendered again.
  const rebuild = createSearchRebuild(db, () => changes.append([SEARCH_INDEX_CHANGE], clock().getTime()));
  const archive = createArchiveListing(db);
  const leases = createRunLeasesTable(db);
  const refreshes = createRefreshRequestsTable(db);
  const changes = createChangesTable(db);
  const commits = createCommitWatch(db);
  // Units of work that may change what is published: one IMMEDIATE transaction each, with their change record.
  const publishing = createPublishing(db, changes, commits, clock);
  const storeRun = publishing((nowMs: number, input: Parameters<Store['storeRun']>[0]) => {
    const result = runSync(storeRunUnit(policy, input, nowMs), tables);
    return { result, changed: result.changedCategories };
  });
  const pruneStories = publishing((nowMs: number, options: Parameters<Store['pruneStories']>[0]) => {
    const result = runSync(pruneUnit(options, nowMs), tables);
    return { result, changed: result.changedCategories };
  });
  const declare = publishing((_nowMs: number, refs: Parameters<Store['declareCategories']>[0]) => {
    const changed = refs.filter((ref) => tables.categories.declare(ref)).map((ref) => ref.slug);
    // A new or renamed category changes the OPML list and the index page (`all` first, as storeRun reports).
    return { result: undefined, changed: declaredChange(changed) };
  });
  const claimAnnouncements = db.transaction((nowMs: number, beforeMs: number, limit: number) => changes.claim(nowMs, beforeMs, limit)).immediate;

  /** Runs one unit of work, turning any database failure into a StoreError naming what was being done. */
  const unit = <T>(what: string, work: () => T): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof StoreError || error instanceof QueryError) throw error;
      throw new StoreError(`${what}: ${describeError(error)}`, { cause: error });
    }
  };

  return {
    async storeRun(input) {
      return unit(`storing run of ${input.sourceKey} failed`, () => storeRun(input));
    },
    async listCategoryStories(slug, limit) {
      const rows = Math.max(0, Math.floor(limit));
      return unit(`listing category ${slug} failed`, () => tables.stories.newest(slug, rows, tables.categories.names()));
    },
    async listCategoryStoriesWithin(slug, limit, maxTextChars) {
      const rows = Math.max(0, Math.floor(limit));
      return unit(`listing category ${slug} failed`, () => tables.stories.newestWithin(slug, rows, maxTextChars, tables.categories.names()));
    },
    async listCategoryStoriesAfter(slug, after, limit, maxTextChars) {
      const rows = Math.max(0, Math.floor(limit));
      return unit(`listing category ${slug} failed`, () => tables.stories.newestAfter(slug, after, rows, tables.categories.names(), maxTextChars));
    },
    async listCategories() {
      return unit('listing categories failed', () => tables.categories.list());
    },
    async getCategory(slug) {
      return unit(`reading category ${slug} failed`, () => tables.categories.get(slug));
    },
    async declareCategories(categories) {
      unit('declaring categories failed', () => declare(categories));
    },
    async recordFetchOutcome(source, outcome) {
      unit(`recording fetch outcome of ${source.name} failed`, () => sources.record(source, outcome));
    },
    async getSourceState(name) {
      return unit(`reading source ${name} failed`, () => sources.get(name));
    },
    async listSourceStates() {
      return unit('listing sources failed', () => sources.list());
    },
    async bringNextRunsForward(runs) {
      return unit('moving next runs to the schedule failed', () => sources.bringForward(runs));
    },
    async filterCounts() {
      return unit('counting filtered articles failed', () => tables.filtered.counts());
    },
    async getFullTextPages(links) {
      return unit('reading full-text pages failed', () => fullTextPages.getMany(links));
    },
    async saveFullTextPages(pages) {
      unit('saving full-text pages failed', () => fullTextPages.saveMany(pages));
    },
    async listSeedFiles() {
      return unit('listing seed files failed', () => tables.seedFiles.all());
    },
    async claimRun(claim) {
      return unit(`claiming the run of ${claim.name} failed`, () => leases.claim(claim, clock().getTime()));
    },
    async releaseRun(name, owner) {
      unit(`releasing the run of ${name} failed`, () => leases.release(name, owner));
    },
    async renewRuns(owner, leaseMs) {
      return unit('renewing run leases failed', () => leases.renew(owner, clock().getTime() + leaseMs));
    },
    async listRunLeases() {
      return unit('listing run leases failed', () => leases.list(clock().getTime()));
    },
    async requestRefresh(source) {
      return unit('recording a refresh request failed', () => refreshes.request(source, clock().getTime()));
    },
    async listOpenRefreshRequests(limit) {
      return unit('listing refresh requests failed', () => refreshes.open(Math.max(0, Math.floor(limit))));
    },
    async getRefreshRequest(id) {
      return unit(`reading refresh request ${id} failed`, () => refreshes.get(id));
    },
    async finishRefreshRequest(id, refreshed) {
      return unit(`finishing refresh request ${id} failed`, () => refreshes.finish(id, refreshed, clock().getTime()));
    },
    async seedFileProblems(sample) {
      return unit('listing seed file problems failed', () => tables.seedFiles.problems(Math.max(0, Math.floor(sample))));
    },
    async listCategoryPage(slug, offset, limit, maxTextChars) {
      const [skip, rows] = [Math.max(0, Math.floor(offset)), Math.max(0, Math.floor(limit))];
      return unit(`listing archive of ${slug} failed`, () => archive.page(slug, skip, rows, tables.categories.names(), maxTextChars));
    },
    async searchStories(query, limit, page) {
      const plan = searchPlan(query);
      if (!plan) return { stories: [], total: 0, lastChanged: null };
      if (searchThread) return searchThread.search(plan, limit, clock().getTime(), page);
      return unit('searching stories failed', () => rejectingBadQuery(() => search.run(plan, limit, tables.categories.names(), page)));
    },
    async rebuildSearchIndex(maxStories) {
      return unit('rebuilding the search index failed', () => rebuild.slice(maxStories));
    },
    searchIndexComplete: async () => unit('reading the search index rebuild failed', () => rebuild.complete()),
    async backup(file) {
      try {
        makeFolderOf(file);
        await db.backup(file);
      } catch (error) {
        throw new StoreError(`backup to ${file} failed: ${describeError(error)}`, { cause: error });
      }
    },
    async sizeBytes() {
      return unit('reading database size failed', () => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number));
    },
    async findStory(storyId) {
      return unit(`reading story ${storyId} failed`, () => {
        const story = tables.stories.get(storyId, tables.categories.names());
        if (story) return { state: 'found', story } as const;
        const movedTo = moves.movedTo(storyId);
        if (movedTo) return { state: 'moved', storyId: movedTo } as const;
        const prunedAt = tombstones.prunedAt(storyId);
        return prunedAt ? ({ state: 'pruned', prunedAt } as const) : ({ state: 'unknown' } as const);
      });
    },
    async listStoryOrigins(storyId) {
      return unit(`listing origins of story ${storyId} failed`, () => storyOrigins.list(storyId));
    },
    async pruneStories(options) {
      return unit('pruning stories failed', () => pruneStories(options));
    },
    async changesSince(afterSeq, limit) {
      return unit(`reading changes after ${afterSeq} failed`, () => changes.since(afterSeq, limit));
    },
    async latestChangeSeq() {
      return unit('reading the latest change failed', () => changes.latest());
    },
    async releaseHubAnnouncements(seqs) {
      unit('releasing hub announcements failed', () => changes.release(seqs));
    },
    async claimHubAnnouncements(committedBefore, limit) {
      return unit('claiming hub announcements failed', () => claimAnnouncements(clock().getTime(), committedBefore.getTime(), limit));
    },
    watchCommits(onCommit, options) {
      return commits.watch(onCommit, options?.pollMs);
    },
    async pruneChanges(olderThan) {
      return unit('pruning the change feed failed', () => db.transaction(() => changes.prune(olderThan.getTime())).immediate());
    },
    async ping() {
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
    async close() {
      await searchThread?.close();
      if (db.open) db.close();
    },
  };
}
