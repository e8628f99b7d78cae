// One run of one feed source: fetch → decode → parse → normalize → store, then record the outcome.
// Every failure is caught here, recorded on the source and returned; stored articles are never touched by a failure.
import type { Logger } from 'pino';
import type { SourceConfig } from '../config/schema.js';
import { describeError, FetchError, ParseError } from '../errors.js';
import { isDatabaseUnavailable } from '../store/database-unavailable.js';
import type { Store } from '../store/store.js';
import type { ParsedDocument, RawItem, SourceState, StoreRunResult } from '../types.js';
import type { CategoryResolver } from './categories.js';
import { decodeFeedBytes } from './fetch/decode-bytes.js';
import { fetchFeed, HttpStatusError, type FetchOptions, type FetchResult } from './fetch/fetch-feed.js';
import { isPrivateHost } from './fetch/network-guard.js';
import { applySourceFilter, filterRecords, type FilterCandidate } from './filter-articles.js';
import { normalizeItem, type NormalizeContext } from './normalize.js';
import { applyFullText, type FullTextDeps, type FullTextItem } from './fulltext/fetch-full-text.js';
import { fullTextOf } from '../config/full-text-schema.js';
import type { UrlRules } from './clean/clean-urls.js';
import { HtmlPageError, parseFeed } from './parse/parse-feed.js';

export interface FeedRunDeps {
  store: Store;
  logger: Logger;
  clock: () => Date;
  resolveCategories: CategoryResolver;
  fetchOptions: Omit<FetchOptions, 'etag' | 'lastModified'>;
  /** When the next run is due, given this run's outcome (the scheduler's policy, e.g. `nextRunTime`). */
  nextRun: (outcome: RunOutcome) => Date | null;
  /** The earliest next run whatever the schedule (what the source asked, a failure's backoff); absent: not kept. */
  askedWait?: (outcome: RunOutcome) => Date | null;
  timezone?: string;
  /** Configured tracking parameters and placeholder images. */
  urls?: UrlRules | undefined;
  /** Ceiling of the retry backoff of full-text pages (`fetch.backoffCap`); default 6 h. */
  backoffCapMs?: number | undefined;
  /** Politeness slots on other hosts for full-text pages (ingest-jobs.ts); absent: pages are fetched within the run's slot. */
  hostSlot?: FullTextDeps['hostSlot'];
  /** Full-text extraction (extract-pool.ts); absent: the process's shared extraction thread. */
  extract?: FullTextDeps['extract'];
}

/** What one run tells the next-run policy; spreads straight into `nextRunTime`'s input. */
export interface RunOutcome {
  ok: boolean;
  /** Failures in a row including this run; 0 after a success. */
  consecutiveFailures: number;
  /** RSS <ttl>, when the feed was parsed and gave one. */
  ttlMinutes?: number | undefined;
  /** Retry-After of a 429/503, in ms. */
  retryAfterMs?: number | null | undefined;
  /** Cache-Control max-age of a 200/304, in ms. */
  maxAgeMs?: number | null | undefined;
}

export interface FeedRunSummary {
  source: string;
  ok: boolean;
  notModified: boolean;
  result: StoreRunResult | null;
  warnings: string[];
  error: string | null;
}

const DEFAULT_BACKOFF_CAP_MS = 6 * 3_600_000;

export function sourceKeyOf(name: string): string {
  return `source:${name}`;
}

/** A feed discovered on the configured page is polled directly, with its validators, until the config names it. */
export function discoveredFeedOf(source: Pick<SourceConfig, 'url'>, state: Pick<SourceState, 'url' | 'discoveredUrl'> | null): string | null {
  return state?.url === source.url ? state.discoveredUrl : null;
}

export async function runFeedSource(source: SourceConfig, deps: FeedRunDeps): Promise<FeedRunSummary> {
  const started = deps.clock();
  const log = deps.logger.child({ source: source.name, url: source.url });
  let previous: SourceState | null = null;
  // The status of the response, kept for failures after it (a 200 that is an HTML page, not a feed).
  let answeredStatus: number | null = null;
  // Kept when recording the outcome fails after a successful store: the change must still be published.
  let result: StoreRunResult | null = null;
  // True while polling a feed discovered earlier: when it is gone, the page is asked again next time.
  let usingDiscovered = false;
  try {
    previous = await deps.store.getSourceState(source.name);
    const client: FetchOptions = {
      ...deps.fetchOptions,
      // A source configured with a private address (or explicitly allowed) may reach private networks;
      // a public one may not, even through a redirect, a DNS answer or a discovered feed that points inside.
      allowPrivateNetworks: source.allowPrivateNetworks ?? deps.fetchOptions.allowPrivateNetworks ?? isPrivateHost(source.url),
    };
    let discovered = discoveredFeedOf(source, previous);
    usingDiscovered = discovered !== null;
    const fetched = await fetchFeed(discovered ?? source.url, { ...client, etag: previous?.etag ?? null, lastModified: previous?.lastModified ?? null });
    if (fetched.kind === 'not-modified') {
      // A 304 may omit the validators; the stored ones stay (undefined keeps, null would clear them).
      await record(deps, source, started, { ok: true, httpStatus: 304, etag: fetched.etag ?? undefined, lastModified: fetched.lastModified ?? undefined, added: 0, warning: discovered && usingFeed(discovered) }, { ok: true, consecutiveFailures: 0, maxAgeMs: fetched.maxAgeMs });
      log.info({ status: 304, duration_ms: elapsed(deps, started) }, 'source not modified');
      return { source: source.name, ok: true, notModified: true, result: null, warnings: [], error: null };
    }
    answeredStatus = fetched.status;
    let document: FeedDocument;
    try {
      document = await readFeedDocument(fetched, source);
    } catch (error) {
      // Discovery: a page advertising exactly one feed is read from that feed; several are listed in the error.
      if (!(error instanceof HtmlPageError) || discovered !== null || error.advertised.length !== 1) throw error;
      discovered = error.advertised[0]!;
      const feed = await fetchFeed(discovered, client);
      if (feed.kind !== 'ok') throw new FetchError(discovered, 'answered 304 to a request without validators');
      answeredStatus = feed.status;
      document = await readFeedDocument(feed, source);
      log.info({ feed: discovered }, 'source page advertises one feed: using it');
    }
    const { response, parsed } = document;
    const warnings = [...document.warnings, ...parsed.warnings];
    const candidates = normalizeAll(parsed.items, source, response.url, deps, started, warnings);
    // Filters see the feed's own text and run first, so no page is fetched for an article they drop.
    const filtered = applySourceFilter(source.filter, candidates, source.categories);
    let articles = filtered.kept;
    let pages = 0;
    const fullText = fullTextOf(source.fullText);
    if (fullText) {
      const kept = new Set(filtered.kept);
      const applied = await applyFullText(candidates.filter((candidate) => kept.has(candidate.article)), fullText, sourceKeyOf(source.name), response.url, {
        store: deps.store, logger: log, clock: deps.clock, client, backoffCapMs: deps.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS, hostSlot: deps.hostSlot, extract: deps.extract,
      });
      ({ articles, fetched: pages } = applied);
      warnings.push(...applied.warnings);
    }
    // Pages cut short by a stop would store summaries where full text is due: the run is left for the next process.
    deps.fetchOptions.signal?.throwIfAborted();
    result = await deps.store.storeRun({ sourceKey: sourceKeyOf(source.name), articles, filter: filterRecords(filtered) });
    const warning = discovered ? usingFeed(discovered) : firstWarning(warnings, fetched.permanentRedirect);
    await record(deps, source, started, { ok: true, httpStatus: response.status, etag: response.etag, lastModified: response.lastModified, added: result.added, warning, discoveredUrl: discovered }, { ok: true, consecutiveFailures: 0, ttlMinutes: parsed.ttlMinutes, maxAgeMs: response.maxAgeMs });
    log.info({ status: response.status, items: parsed.items.length, filtered: filtered.dropped.length, pages, added: result.added, merged: result.merged, updated: result.updated, warnings: warnings.length, duration_ms: elapsed(deps, started) }, 'source ingested');
    for (const warning of warnings) log.warn({ warning }, 'source warning');
    return { source: source.name, ok: true, notModified: false, result, warnings, error: null };
  } catch (error) {
    if (deps.fetchOptions.signal?.aborted) {
      // The process is stopping, not the source failing: nothing is recorded, so the source is still due and the
      // next process to run (or another worker) fetches it at once.
      log.info({ duration_ms: elapsed(deps, started) }, 'source run stopped: the process is stopping');
      return { source: source.name, ok: false, notModified: false, result, warnings: [], error: 'stopped: the process is stopping' };
    }
    const message = describeError(error);
    if (isDatabaseUnavailable(error)) {
      // The database, not the source: nothing is recorded against the source (no failure shown, no backoff; while
      // the database does not answer the record could not be written anyway), so the next firing runs it again.
      log.error({ error: message, duration_ms: elapsed(deps, started) }, 'source run not done: the database is unavailable; run again at its next schedule');
      return { source: source.name, ok: false, notModified: false, result, warnings: [], error: message };
    }
    const httpStatus = error instanceof FetchError ? error.status : answeredStatus;
    const retryAfterMs = error instanceof HttpStatusError ? error.retryAfterMs : null;
    const outcome: RunOutcome = { ok: false, consecutiveFailures: (previous?.consecutiveFailures ?? 0) + 1, retryAfterMs };
    // A discovered feed that is gone or no longer a feed is forgotten: the next run asks the page again.
    const discoveredUrl = usingDiscovered && isGone(error) ? null : undefined;
    await record(deps, source, started, { ok: false, httpStatus, error: message, added: 0, discoveredUrl }, outcome).catch((recordError) =>
      log.error({ error: describeError(recordError) }, 'could not record source failure'),
    );
    log.warn({ status: httpStatus, error: message, duration_ms: elapsed(deps, started) }, 'source failed');
    return { source: source.name, ok: false, notModified: false, result, warnings: [], error: message };
  }
}

/**
 * Characters of an item's HTML (title and body) cleaned at most; a longer item is dropped with a warning. Cleaning
 * costs ~100× the text on the heap, as a seed file does (seedFolder.maxFileBytes, 2 MiB: 233 MB peak RSS): one
 * 9.5 MB item under fetch.maxBytes ran the service out of its 192 MB heap (exit 134) before.
 */
export const MAX_ITEM_HTML_CHARS = 2 * 1024 * 1024;

/** Why an item is too large to clean, or null. */
function oversized(item: RawItem): string | null {
  const chars = (item.html?.length ?? 0) + (item.title?.length ?? 0);
  return chars > MAX_ITEM_HTML_CHARS ? `dropped, ${chars} characters of HTML (at most ${MAX_ITEM_HTML_CHARS} are cleaned)` : null;
}

/** Each item's article, its own categories (filters), and how to make it again around another body (full text). */
function normalizeAll(items: RawItem[], source: SourceConfig, documentUrl: string, deps: FeedRunDeps, fetchedAt: Date, warnings: string[]): (FilterCandidate & FullTextItem)[] {
  const context: NormalizeContext = {
    sourceKey: sourceKeyOf(source.name),
    documentUrl,
    fallbackDate: fetchedAt,
    receivedAt: fetchedAt,
    timezone: deps.timezone ?? 'UTC',
    categories: deps.resolveCategories(source.categories),
    rules: source.rules,
    urls: deps.urls,
  };
  const normalized: (FilterCandidate & FullTextItem)[] = [];
  items.forEach((item, index) => {
    const tooLarge = oversized(item);
    if (tooLarge) return void warnings.push(`item ${index + 1}${item.title ? ` (${item.title.slice(0, 80)})` : ''}: ${tooLarge}`);
    try {
      const result = normalizeItem(item, context);
      warnings.push(...result.warnings);
      if (result.article) normalized.push({ article: result.article, itemCategories: item.categories ?? [], withBody: (html) => normalizeItem({ ...item, html }, context).article });
    } catch (error) {
      warnings.push(`item ${index + 1}: dropped (${describeError(error)})`);
    }
  });
  return normalized;
}

interface OutcomeFields {
  ok: boolean;
  httpStatus: number | null;
  error?: string;
  warning?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  added: number;
  discoveredUrl?: string | null | undefined;
}

async function record(deps: FeedRunDeps, source: SourceConfig, at: Date, fields: OutcomeFields, outcome: RunOutcome): Promise<void> {
  await deps.store.recordFetchOutcome(source, {
    at,
    ok: fields.ok,
    httpStatus: fields.httpStatus,
    error: fields.error ?? fields.warning ?? null,
    etag: fields.etag,
    lastModified: fields.lastModified,
    added: fields.added,
    nextRun: deps.nextRun(outcome),
    notBefore: deps.askedWait?.(outcome),
    discoveredUrl: fields.discoveredUrl,
  });
}

/** A successful run still shows the first thing the user should fix (a permanent redirect, dropped items). */
function firstWarning(warnings: string[], permanentRedirect: string | null): string | null {
  if (permanentRedirect) return `moved permanently to ${permanentRedirect}; update the config`;
  return warnings[0] ?? null;
}

interface FeedDocument {
  response: Extract<FetchResult, { kind: 'ok' }>;
  parsed: ParsedDocument;
  /** Decoding warnings (the parser's are in `parsed`). */
  warnings: string[];
}

async function readFeedDocument(response: FeedDocument['response'], source: SourceConfig): Promise<FeedDocument> {
  const decoded = decodeFeedBytes(response.body, response.contentType, source.encoding, response.url);
  return { response, parsed: await parseFeed(decoded.text, response.url), warnings: decoded.warnings };
}

/** What the status shows while a discovered feed is polled in place of the configured page. */
function usingFeed(feedUrl: string): string {
  return `using ${feedUrl}; put it in the config`;
}

function isGone(error: unknown): boolean {
  return error instanceof ParseError || (error instanceof HttpStatusError && (error.status === 404 || error.status === 410));
}

function elapsed(deps: FeedRunDeps, started: Date): number {
  return deps.clock().getTime() - started.getTime();
}
