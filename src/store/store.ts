// The store's contract: async functions over whole units of work, so the stages never see SQLite.
// `openSqliteStore` (open-store.ts) is the embedded implementation.
import type { Article, CategoryRef, CategorySummary, SeedFileProblems, SourceState, Story, StoreRunResult } from '../types.js';
import type { ChangeRecord, ChangesSince, ClaimResult, RefreshRequest, RunClaim, RunLease } from './coordination.js';

export type { SeedFileProblems };
export type { ChangeRecord, ChangesSince, ClaimResult, RefreshRequest, RunClaim, RunDue, RunLease } from './coordination.js';

/**
 * How origins group into stories and merge. Implemented by ingest/dedup.ts and injected by main.ts,
 * so the store keeps the rows while the domain rules stay in the ingest stage.
 */
export interface DedupPolicy {
  /** Groups the origins sharing one title key into stories; order-independent. */
  cluster(origins: Article[]): Article[][];
  /** One story from its origins; deterministic. `updated` is set by the store. */
  merge(origins: Article[]): MergedStory;
  /** The id `merge` gives a story whose earliest origin this is (to tell where a story whose id changed went). */
  storyIdOf(origin: Pick<Article, 'sourceKey' | 'originId'>): string;
  /** `dedup.window` in ms: a tombstone this near an origin's publication time keeps it out (default 12 h). */
  windowMs?: number;
}

/**
 * A merged story as the store receives it: the story, plus the search words of its title and body
 * when the origins they came from were parsed in this run (the store makes them itself otherwise).
 */
export type MergedStory = Omit<Story, 'updated'> & { titleWords?: string | undefined; bodyWords?: string | undefined };

/** Outcome of one fetch attempt, recorded in the source's state. */
export interface FetchOutcome {
  at: Date;
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
  nextRun: Date | null;
  /**
   * The earliest time the source may be fetched again whatever the schedule: what it asked (RSS <ttl>,
   * Cache-Control max-age, Retry-After) or its failure backoff; kept across restarts so the start-up pass waits
   * for it too, and a schedule change never moves the next run before it. Undefined or null: none.
   */
  notBefore?: Date | null | undefined;
  added: number;
  /** The feed discovered on the source's HTML page; undefined keeps the stored one, null forgets it. */
  discoveredUrl?: string | null | undefined;
}

/** A run's next time under the current schedule (bringNextRunsForward), and a stored time it moved. */
export type ScheduleNext = { name: string; scheduleNext: Date; waitsRecorded: boolean };
export type NextRunMove = { name: string; from: Date; to: Date };

/** What the seed scan remembers of a file, to skip it when unchanged. */
export interface SeedFileRecord {
  relPath: string;
  size: number;
  mtimeMs: number;
  hash: string;
  /** null when the file yielded an article; else why it was rejected. */
  error: string | null;
  /** Set when the file's article was recovered from broken front matter: what was recovered (absent: null). */
  warning?: string | null | undefined;
}


/** An article a source filter dropped: the small record that keeps it out and counts it. */
export interface FilteredRecord {
  originId: string;
  title: string;
  /** The rule that dropped it (`block: RULE`, or `keep: no rule matched`). */
  rule: string;
}

/** Dropped articles of one source run, per rule, for /api/sources and the index page. */
export interface FilterCount {
  sourceKey: string;
  rule: string;
  count: number;
}

/** An item's page fetched for a fullText source (ingest/fulltext), kept by the item's link. */
export interface FullTextPage {
  link: string;
  sourceKey: string;
  /** ok: `html` is the extracted article; short: too little text (summary kept); failed: retried at `retryAt`. */
  state: 'ok' | 'short' | 'failed';
  /** The extracted article, uncleaned (it is cleaned with the source's rules at each run). */
  html: string | null;
  etag: string | null;
  lastModified: string | null;
  /** Why the summary was kept (short, failed); null when ok. */
  error: string | null;
  /** Failures in a row (the retry backoff). */
  failures: number;
  fetchedAt: Date;
  retryAt: Date | null;
}

export interface StoreRunInput {
  sourceKey: string;
  /**
   * Articles to store. One dropped earlier under the same filter (`filter.fingerprint`) stays out even if
   * it passes now (its item was edited); dropped under other rules (or before the filter was removed), it is
   * stored and its record forgotten.
   */
  articles: Article[];
  /** The source's filter in this run: its fingerprint (null: none) and what it dropped, recorded in the same transaction. */
  filter?: { fingerprint: string | null; dropped: FilteredRecord[] };
  /** Seed files seen in this run (new or changed), recorded in the same transaction. */
  seedFiles?: SeedFileRecord[];
}

export interface SearchResult {
  stories: Story[];
  total: number;
  lastChanged: Date | null;
}

/**
 * Which of a search's results are read, best first: from position `offset` (0: the best), cut to the stories whose
 * text (body, summary, title) fits `maxTextChars`, at least one, counted in the database.
 */
export interface SearchPage {
  offset?: number;
  maxTextChars?: number;
}

/** A place in a newest-first listing: the story a page ended with. */
export type StoryCursor = Pick<Story, 'id' | 'published'>;

export interface Store {
  /** Stores one source run's articles in one transaction: upsert by (source, originId), then dedup + merge. */
  storeRun(input: StoreRunInput): Promise<StoreRunResult>;
  /** Newest-first stories of a category (`all` for every story). */
  listCategoryStories(slug: string, limit: number): Promise<Story[]>;
  /**
   * The newest of those `limit` whose bodies, summaries and titles add up to at most `maxTextChars` characters (the
   * first one always), cut before the rest are read: what a one-off `?limit=` render can publish.
   */
  listCategoryStoriesWithin(slug: string, limit: number, maxTextChars: number): Promise<Story[]>;
  /**
   * The next `limit` newest-first stories of a category after `after` (the last story of the previous page;
   * null: from the newest): walks a category page by page, holding one page at a time. With `maxTextChars`, cut
   * as listCategoryStoriesWithin cuts (so a page can be short before the category ends).
   */
  listCategoryStoriesAfter(slug: string, after: StoryCursor | null, limit: number, maxTextChars?: number): Promise<Story[]>;
  /** Every category with its count and last change; `all` is not included. */
  listCategories(): Promise<CategorySummary[]>;
  /** A category by slug, `all` included; null when unknown. */
  getCategory(slug: string): Promise<CategorySummary | null>;
  /** Registers configured categories so they are listed even while empty. */
  declareCategories(categories: CategoryRef[]): Promise<void>;
  recordFetchOutcome(source: { name: string; url: string }, outcome: FetchOutcome): Promise<void>;
  getSourceState(name: string): Promise<SourceState | null>;
  listSourceStates(): Promise<SourceState[]>;
  /**
   * After a schedule change, in one unit: moves each run's stored next-run time forward to `scheduleNext` when earlier,
   * never before its recorded wait (`notBefore`); a failing source recorded without one is left alone unless
   * `waitsRecorded` is false (the seed folder has no waits). Returns the times moved.
   */
  bringNextRunsForward(runs: readonly ScheduleNext[]): Promise<NextRunMove[]>;
  /** Articles source filters dropped, counted per source and rule (most first). */
  filterCounts(): Promise<FilterCount[]>;
  /** The stored pages of these item links (full text); links never fetched are absent. */
  getFullTextPages(links: readonly string[]): Promise<Map<string, FullTextPage>>;
  /** Upserts pages by link. Retention deletes a page with the origins linking to it. */
  saveFullTextPages(pages: readonly FullTextPage[]): Promise<void>;
  /** Known seed files, keyed by relative path. */
  listSeedFiles(): Promise<Map<string, SeedFileRecord>>;
  // ---- Leased runs: how workers share the polling without a coordinator (README "Scaling out"). ----
  /**
   * Claims the run of a source (or the seed folder) for `owner` until now + `leaseMs`, atomically across
   * every process on the database. Refused while another live lease holds it, when the run is not due
   * (as `claim.due` asks), or when `perHost` live leases already hold `host`. An expired lease (its owner
   * died or hung) is taken over; an expired lease on a run that is no longer due is dropped.
   */
  claimRun(claim: RunClaim): Promise<ClaimResult>;
  /** Ends `owner`'s lease on `name` (after its outcome is recorded); a lease taken over since is left alone. */
  releaseRun(name: string, owner: string): Promise<void>;
  /** Extends every lease `owner` holds to now + `leaseMs` (the heartbeat of a live worker); returns how many. */
  renewRuns(owner: string, leaseMs: number): Promise<number>;
  /** Leases not released, oldest expiry first; `expired` (by the database's clock) marks a dead or frozen owner's. */
  listRunLeases(): Promise<RunLease[]>;
  // ---- Refresh requests: POST /admin/refresh on a web process, run by a worker (README "Scaling out"). ----
  /** Records a request to run one source now, or everything (`source` null); drops requests finished over a day ago. */
  requestRefresh(source: string | null): Promise<RefreshRequest>;
  /** Requests not finished yet, oldest first, at most `limit`. */
  listOpenRefreshRequests(limit: number): Promise<RefreshRequest[]>;
  /** A request by id; undefined when unknown or dropped. */
  getRefreshRequest(id: number): Promise<RefreshRequest | undefined>;
  /** Records the names run (null: no such source); false when the request was already finished. */
  finishRefreshRequest(id: number, refreshed: string[] | null): Promise<boolean>;
  /** Seed files currently recovered (`warning`) or rejected (`error`): counts and the first `sample` of each. */
  seedFileProblems(sample: number): Promise<SeedFileProblems>;
  /**
   * Oldest-first stories of a category (`all` included) at positions offset … offset+limit-1 in
   * publication order: the pages of archived feeds. With `maxTextChars`, cut to the oldest of them whose
   * text fits it (at least one), counted in the database.
   */
  listCategoryPage(slug: string, offset: number, limit: number, maxTextChars?: number): Promise<Story[]>;
  /**
   * Stories matching a query (text/parse-query.ts: words, "phrases", prefix*, -exclusions,
   * category:slug), best first, with the number of matches and their newest change. Every story a
   * storeRun stored is found once that storeRun has returned. `page` skips the best `offset` and cuts the
   * rest to `maxTextChars` of text: a render reads only what it publishes, whatever the bodies' size, and a
   * filtered saved search walks its results a page at a time.
   */
  searchStories(query: string, limit: number, page?: SearchPage): Promise<SearchResult>;
  /**
   * Indexes up to `maxStories` of the stories stored before the word index existed (one migration,
   * rebuilt in slices); `remaining` 0 means the index is complete. Otherwise it is for progress only: SQLite
   * gives an upper bound, PostgreSQL counts up to 10,000 (counting exactly cost a walk of the rest per slice).
   * Run it to completion before ingesting.
   */
  rebuildSearchIndex(maxStories: number): Promise<{ indexed: number; remaining: number }>;
  /**
   * True when no story waits for that rebuild. Read only: a `web` process, which leaves the rebuild to the
   * processes that ingest, is not ready before it.
   */
  searchIndexComplete(): Promise<boolean>;
  /** Writes a consistent copy of the database to `file` while it stays in use (online backup). */
  backup(file: string): Promise<void>;
  /** Bytes the database takes (pages in use and free), for monitoring. */
  sizeBytes(): Promise<number>;
  /** One story by id, for its page: found, moved to another id, pruned by retention (its tombstone), or unknown. */
  findStory(storyId: string): Promise<StoryLookup>;
  /** The origins a story was merged from (the merge record), earliest first; empty for an unknown id. */
  listStoryOrigins(storyId: string): Promise<StoryOrigin[]>;
  /**
   * Deletes stories older than `olderThan` and those past the newest `maxItemsPerCategory` of any
   * category, with their origins, in one transaction; each leaves a tombstone so no source brings it back.
   */
  pruneStories(options: PruneOptions): Promise<PruneResult>;
  // ---- The change feed: how every process learns what any process committed (DESIGN §6). ----
  // storeRun, pruneStories and declareCategories append one ChangeRecord in the same transaction as
  // their writes whenever what is published changed; nothing else writes published content.
  /**
   * Changes committed after sequence `afterSeq`, oldest first, at most `limit`. Sequence order is
   * commit order on every backend, so a follower that remembers `latestSeq` never skips a change.
   */
  changesSince(afterSeq: number, limit: number): Promise<ChangesSince>;
  /** The newest committed sequence number (0 when none): where a new follower starts. */
  latestChangeSeq(): Promise<number>;
  /**
   * Marks as announced, atomically across every process on the database, the changes not announced
   * yet that were committed at or before `committedBefore`, and returns them: each change is returned
   * to exactly one caller, once (WebSub pings).
   */
  claimHubAnnouncements(committedBefore: Date, limit: number): Promise<ChangeRecord[]>;
  /** Gives claimed changes back (their ping failed), so a later claim, by any process, announces them. */
  releaseHubAnnouncements(seqs: readonly number[]): Promise<void>;
  /**
   * Calls `onCommit` soon after any process (this one included) may have committed a change; the
   * caller then reads `changesSince`. A cheap wake-up only (SQLite: PRAGMA data_version polled every
   * `pollMs`; PostgreSQL: LISTEN/NOTIFY, with a poll as a safety net). Returns a function that stops it.
   */
  watchCommits(onCommit: () => void, options?: { pollMs?: number }): () => void;
  /** Deletes change records committed before `olderThan`; later `changesSince` calls below that point report a gap. */
  pruneChanges(olderThan: Date): Promise<number>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type StoryLookup =
  | { state: 'found'; story: Story }
  /** The story's id changed (an earlier copy of it arrived later); `storyId` is where it is now. */
  | { state: 'moved'; storyId: string }
  | { state: 'pruned'; prunedAt: Date }
  | { state: 'unknown' };

/** One origin of a merged story and why it belongs there. */
export interface StoryOrigin {
  sourceKey: string;
  originId: string;
  title: string;
  link: string | null;
  published: Date;
  /** The title key every origin of the story shares ('' for an untitled origin). */
  titleKey: string;
  /**
   * This origin's publication time minus the story's (its earliest origin's), in hours, as dedup compared them:
   * a copy stated in the future counts from when it was first seen (`published` keeps the stated time).
   */
  differenceHours: number;
}

export interface PruneOptions {
  olderThan?: Date | undefined;
  maxItemsPerCategory?: number | undefined;
}

export interface PruneResult {
  pruned: number;
  /** Category slugs whose content changed (`all` first), as storeRun reports them. */
  changedCategories: string[];
}
