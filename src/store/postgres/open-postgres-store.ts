// The server store: one PostgreSQL database behind the Store contract, shared by any number of
// processes. Units of work (store-run.ts, prune-run.ts) are the same as SQLite's, awaited here.
import { QueryError, StoreError, describeError } from '../../errors.js';
import { declaredChange } from '../change-feed.js';
import { DEFAULT_TOMBSTONE_WINDOW_MS, pruneUnit } from '../prune-run.js';
import { storedTitleKey } from '../row-hashes.js';
import { runOrigins, storeRunUnit } from '../store-run.js';
import type { DedupPolicy, Store, StoreRunInput } from '../store.js';
import { SEARCH_INDEX_CHANGE } from '../coordination.js';
import { runAsync, type UnitTables } from '../table-steps.js';
import { backupDatabase } from './backup.js';
import { createCategoriesTable, createCategoryQueries } from './categories-table.js';
import { appendChange, createChangeQueries } from './changes-table.js';
import { followDatabaseClock } from './database-clock.js';
import { migrate } from './migrations.js';
import { settleFeedIdsUnit } from '../feed-ids.js';
import { createOriginsTable } from './origins-table.js';
import { toPg } from './pg-text.js';
import { KEPT_CONNECTIONS, LOCKS, MAX_CONNECTIONS, NON_SERVING_CONNECTIONS, createPingPool, createPool, createServingPool, inTransaction, type Sql } from './pool.js';
import { createRefreshRequestsTable } from './refresh-requests-table.js';
import { createRunLeasesTable } from './run-leases-table.js';
import { searchStories, warmSearchConnections } from './search.js';
import { createServingGuard } from './serving-guard.js';
import { createSeedFilesTable, listSeedFiles, seedFileProblems } from './seed-files-table.js';
import { createFilteredOriginsTable, filterCounts } from './filtered-origins-table.js';
import { createSourcesTable } from './sources-table.js';
import { getFullTextPages, saveFullTextPages } from './full-text-pages-table.js';
import { createStoriesTable, newestStories, newestStoriesAfter, newestStoriesWithin } from './stories-table.js';
import { rebuildWordsSlice } from './rebuild-words.js';
import { categoryPage, storyById, storyOrigins } from './story-listings.js';
import { createStoryMoves, storyMovedTo } from './story-moves-table.js';
import { createTombstones, storyPrunedAt } from './tombstones.js';
import { watchCommits } from './watch-commits.js';

export interface OpenPostgresOptions {
  log?: import('../store-log.js').StoreLog | undefined; // where a migration's start and end are logged
  /** Source of "now" for first-seen, updated and change times; tests pin it. */
  clock?: (() => Date) | undefined;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Connections kept open while idle (default KEPT_CONNECTIONS; the bench's baseline sets 0, pg's default). */
  keptConnections?: number;
  /**
   * Opens the kept connections at once, runs a search on each and reads the newest stories' search rows before returning
   * (warmSearchConnections), for a process serving searches; off by default (`npm run ingest`, role worker, the cluster primary never search).
   */
  warmSearch?: boolean;
}

/** A URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** Above this many title keys a run locks them all at once (a bulk import), keeping the lock table small. */
const BULK_KEYS = 128;

/**
 * Serializes merges per title key: the run's source first (one run of a source at a time), then every
 * title key it may touch (its articles' keys and the keys their stored versions had), in hash order so
 * two runs never wait on each other in a cycle. Every run holds the merge lock shared; a bulk run (a
 * seed batch of hundreds of keys) holds it exclusively instead of one lock per key.
 */
async function lockTitleKeys(sql: Sql, input: StoreRunInput): Promise<void> {
  const origins = runOrigins(input);
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [input.sourceKey]);
  const keys = [...new Set(origins.map((o) => toPg(storedTitleKey(o))))];
  if (keys.length > BULK_KEYS) {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.merges]);
    return;
  }
  await sql.query('SELECT pg_advisory_xact_lock_shared($1)', [LOCKS.merges]);
  await sql.query(
    `SELECT pg_advisory_xact_lock(h) FROM (
       SELECT DISTINCT hashtextextended(k, 0) AS h FROM (
         SELECT unnest($1::text[]) AS k
         UNION SELECT o.title_key FROM unnest($2::text[], $3::text[]) AS u(s, i)
           JOIN origins o ON o.source_key = u.s AND o.origin_id = u.i
       ) keys ORDER BY h OFFSET 0
     ) ordered`,
    [keys, origins.map((o) => toPg(o.sourceKey)), origins.map((o) => toPg(o.originId))],
  );
}

/** Opens the PostgreSQL database at `url`, migrating it under an advisory lock (newer schemas refused). */
export async function openPostgresStore(url: string, policy: DedupPolicy, options: OpenPostgresOptions = {}): Promise<Store> {
  const clock = options.clock ?? (() => new Date());
  const where = redactUrl(url);
  const pool = createPool(url, options.maxConnections, options.keptConnections);
  try {
    await migrate(pool, where, options.log);
  } catch (error) {
    await pool.end().catch(() => {});
    if (error instanceof StoreError) throw error;
    throw new StoreError(`cannot open database ${where}: ${describeError(error)}`, { cause: error });
  }
  const windowMs = policy.windowMs ?? DEFAULT_TOMBSTONE_WINDOW_MS;
  const unitTables = (sql: Sql): UnitTables => ({
    origins: createOriginsTable(sql),
    stories: createStoriesTable(sql),
    categories: createCategoriesTable(sql),
    seedFiles: createSeedFilesTable(sql),
    tombstones: createTombstones(sql, windowMs),
    moves: createStoryMoves(sql),
    filtered: createFilteredOriginsTable(sql),
  });
  try {
    // Stories that moved before feed ids were kept get their oldest id (once: a no-op after). Holding the merge
    // lock exclusively (every storeRun holds it shared), so no run rewrites such a story with its old guid meanwhile.
    if ((await createStoryMoves(pool).unsettled()).length > 0) {
      await inTransaction(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.merges]);
        return runAsync(settleFeedIdsUnit(policy), unitTables(client));
      });
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreError(`cannot open database ${where}: settling feed ids failed: ${describeError(error)}`, { cause: error });
  }
  // The reads answering HTTP requests, bounded in time (pool.ts); units of work, migrations, the rebuild and every read
  // the scheduler and ingest make use `pool`, so a hang delays a run instead of failing it. A process that serves no
  // searches (role worker, the CLI) answers only /metrics and /api reads: two connections, none kept open.
  const reads = options.warmSearch
    ? createServingPool(url, options.maxConnections, options.keptConnections)
    : createServingPool(url, NON_SERVING_CONNECTIONS, 0);
  if (options.warmSearch) {
    try {
      await warmSearchConnections(reads, Math.min(options.keptConnections ?? KEPT_CONNECTIONS, options.maxConnections ?? MAX_CONNECTIONS), clock().getTime());
    } catch (error) {
      await Promise.all([pool.end(), reads.end()]).catch(() => {});
      throw new StoreError(`cannot open database ${where}: warming its connections failed: ${describeError(error)}`, { cause: error });
    }
  }
  const databaseClock = await followDatabaseClock(pool, clock);
  const pingPool = createPingPool(url);
  const categories = createCategoryQueries(reads);
  const sources = createSourcesTable(pool);
  const sourceReads = createSourcesTable(reads);
  const changes = createChangeQueries(pool);
  const leases = createRunLeasesTable(pool);
  const leaseReads = createRunLeasesTable(reads);
  const refreshes = createRefreshRequestsTable(pool);
  // Recorded and read by a web process's /admin/refresh: bounded like the reads serving it.
  const servedRefreshes = createRefreshRequestsTable(reads);
  const watchers = new Set<() => void>();
  let closed = false;
  /** A rebuild slice of this process has seen unindexed stories and no completion has been told since. */
  let rebuildSeenIncomplete = false;

  /** Runs one unit of work, turning any database failure into a StoreError naming what was being done. */
  const unit = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      const value = await work();
      // The database answered: serving reads go through again now, not at the guard's next ping (a worker's run whose
      // claim waited out a hung host would otherwise fail its first read, and be recorded as the source's failure).
      guard.answered();
      return value;
    } catch (error) {
      if (error instanceof StoreError || error instanceof QueryError) throw error;
      throw new StoreError(`${what}: ${describeError(error)}`, { cause: error });
    }
  };
  const ping = async (): Promise<boolean> => {
    if (closed) return false;
    try {
      await pingPool.query('SELECT 1');
      guard.answered();
      return true;
    } catch {
      return false;
    }
  };
  const guard = createServingGuard(ping);
  /** A unit reading on `reads` for an HTTP request: failing at once while the database host does not answer. */
  const read = <T>(what: string, work: () => Promise<T>): Promise<T> => unit(what, () => guard.read(work));
  const count = (n: number) => Math.max(0, Math.floor(n));

  return {
    storeRun(input) {
      return unit(`storing run of ${input.sourceKey} failed`, () => inTransaction(pool, async (client) => {
        const nowMs = clock().getTime();
        await lockTitleKeys(client, input);
        const result = await runAsync(storeRunUnit(policy, input, nowMs), unitTables(client));
        // Stamped at the end of the unit (after any lock waits): announcers count the follow bound from it.
        if (result.changedCategories.length > 0) await appendChange(client, result.changedCategories, clock().getTime());
        return result;
      }));
    },
    listCategoryStories: (slug, limit) =>
      read(`listing category ${slug} failed`, async () => newestStories(reads, slug, count(limit), await categories.names())),
    listCategoryStoriesWithin: (slug, limit, maxTextChars) =>
      read(`listing category ${slug} failed`, async () => newestStoriesWithin(reads, slug, count(limit), maxTextChars, await categories.names())),
    listCategoryStoriesAfter: (slug, after, limit, maxTextChars) =>
      read(`listing category ${slug} failed`, async () => newestStoriesAfter(reads, slug, after, count(limit), await categories.names(), maxTextChars)),
    listCategories: () => read('listing categories failed', () => categories.list()),
    getCategory: (slug) => read(`reading category ${slug} failed`, () => categories.get(slug)),
    async declareCategories(refs) {
      await unit('declaring categories failed', () => inTransaction(pool, async (client) => {
        const changed = await createCategoryQueries(client).declare(refs);
        const change = declaredChange(changed);
        if (change.length > 0) await appendChange(client, change, clock().getTime());
      }));
    },
    recordFetchOutcome: (source, outcome) => unit(`recording fetch outcome of ${source.name} failed`, () => sources.record(source, outcome)),
    getSourceState: (name) => unit(`reading source ${name} failed`, () => sources.get(name)),
    listSourceStates: () => read('listing sources failed', () => sourceReads.list()),
    bringNextRunsForward: (runs) => unit('moving next runs to the schedule failed', () => sources.bringForward(runs)),
    getFullTextPages: (links) => unit('reading full-text pages failed', () => getFullTextPages(pool, links)),
    saveFullTextPages: (pages) => unit('saving full-text pages failed', () => saveFullTextPages(pool, pages)),
    listSeedFiles: () => unit('listing seed files failed', () => listSeedFiles(pool)),
    filterCounts: () => read('counting filtered articles failed', () => filterCounts(reads)),
    seedFileProblems: (sample) => read('listing seed file problems failed', () => seedFileProblems(reads, Math.max(0, Math.floor(sample)))),
    findStory: (storyId) => read(`reading story ${storyId} failed`, async () => {
      const story = await storyById(reads, storyId, await categories.names());
      if (story) return { state: 'found', story } as const;
      const movedTo = await storyMovedTo(reads, storyId);
      if (movedTo) return { state: 'moved', storyId: movedTo } as const;
      const prunedAt = await storyPrunedAt(reads, storyId);
      return prunedAt ? ({ state: 'pruned', prunedAt } as const) : ({ state: 'unknown' } as const);
    }),
    claimRun: (claim) => unit(`claiming the run of ${claim.name} failed`, () => leases.claim(claim, clock().getTime(), databaseClock.nowMs())),
    releaseRun: (name, owner) => unit(`releasing the run of ${name} failed`, () => leases.release(name, owner)),
    renewRuns: (owner, leaseMs) => unit('renewing run leases failed', () => leases.renew(owner, databaseClock.nowMs() + leaseMs)),
    // Also read by a web process's /admin/refresh status: bounded like the reads serving it.
    listRunLeases: () => read('listing run leases failed', () => leaseReads.list(databaseClock.nowMs())),
    requestRefresh: (source) => read('recording a refresh request failed', () => servedRefreshes.request(source, clock().getTime())),
    listOpenRefreshRequests: (limit) => unit('listing refresh requests failed', () => refreshes.open(Math.max(0, Math.floor(limit)))),
    getRefreshRequest: (id) => read(`reading refresh request ${id} failed`, () => servedRefreshes.get(id)),
    finishRefreshRequest: (id, refreshed) => unit(`finishing refresh request ${id} failed`, () => refreshes.finish(id, refreshed, clock().getTime())),
    async listCategoryPage(slug, offset, limit, maxTextChars) {
      const [skip, rows] = [Math.max(0, Math.floor(offset)), Math.max(0, Math.floor(limit))];
      return read(`listing archive of ${slug} failed`, async () => categoryPage(reads, slug, skip, rows, await categories.names(), maxTextChars));
    },
    searchStories: (query, limit, page) =>
      read('searching stories failed', async () => searchStories(reads, query, limit, await categories.names(), clock().getTime(), page)),
    searchIndexComplete: () =>
      read('reading the search index rebuild failed', async () => {
        // story_search_unindexed holds exactly the rows the rebuild has left.
        const { rows: [row] } = await reads.query<{ complete: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM story_search WHERE words IS NULL) AS complete');
        return row!.complete;
      }),
    rebuildSearchIndex: (maxStories) =>
      unit('rebuilding the search index failed', () => inTransaction(pool, async (client) => {
        const progress = await rebuildWordsSlice(client, maxStories);
        // As on SQLite, the rebuild's completion tells every process (saved searches rendered again). Two processes
        // finishing together each still see the other's last rows unindexed, so this process also tells when it
        // finds the index complete after seeing it incomplete: a second `all` costs a render, a missing one leaves
        // saved searches rendered from the partial index.
        if (progress.remaining > 0) rebuildSeenIncomplete = true;
        else if (progress.indexed > 0 || rebuildSeenIncomplete) {
          await appendChange(client, [SEARCH_INDEX_CHANGE], clock().getTime());
          rebuildSeenIncomplete = false;
        }
        return progress;
      })),
    backup: (file) => backupDatabase(url, file),
    async sizeBytes() {
      return read('reading database size failed', async () => {
        const { rows } = await reads.query<{ n: number }>('SELECT pg_database_size(current_database()) AS n');
        return rows[0]!.n;
      });
    },
    listStoryOrigins: (storyId) => read(`listing origins of story ${storyId} failed`, () => storyOrigins(reads, storyId)),
    pruneStories(options) {
      return unit('pruning stories failed', () => inTransaction(pool, async (client) => {
        const nowMs = clock().getTime();
        const result = await runAsync(pruneUnit(options, nowMs), unitTables(client));
        // Stamped at the end of the unit (after any lock waits): announcers count the follow bound from it.
        if (result.changedCategories.length > 0) await appendChange(client, result.changedCategories, clock().getTime());
        return result;
      }));
    },
    changesSince: (afterSeq, limit) => unit('reading changes failed', () => changes.since(afterSeq, limit)),
    latestChangeSeq: () => unit('reading the latest change failed', () => changes.latest()),
    releaseHubAnnouncements: (seqs) => unit('releasing hub announcements failed', () => changes.release(seqs)),
    claimHubAnnouncements: (committedBefore, limit) =>
      unit('claiming hub announcements failed', () => changes.claim(committedBefore.getTime(), limit, clock().getTime())),
    watchCommits(onCommit, watchOptions) {
      const stop = watchCommits(url, () => changes.latest(), onCommit, watchOptions);
      watchers.add(stop);
      return () => {
        watchers.delete(stop);
        stop();
      };
    },
    pruneChanges: (olderThan) => unit('pruning changes failed', () => changes.prune(olderThan.getTime())),
    ping,
    async close() {
      if (closed) return;
      closed = true;
      guard.close();
      databaseClock.stop();
      for (const stop of watchers) stop();
      watchers.clear();
      await Promise.all([pool.end(), reads.end(), pingPool.end()]);
    },
  };
}
