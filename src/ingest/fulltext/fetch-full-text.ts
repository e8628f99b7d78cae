// Full text for a summary-only source: each item's page is fetched once (with the source's client rules), its
// article extracted and stored by link, and every later poll reuses the stored extraction. A page is fetched
// again only when its item is updated (conditionally, with the page's validators), or after a failure, with
// backoff. A failure, a paywall or an empty extraction keeps the feed's own body and says so.
import type { Logger } from 'pino';
import { describeError } from '../../errors.js';
import type { FullTextPage, Store } from '../../store/store.js';
import type { Article } from '../../types.js';
import { decodeFeedBytes } from '../fetch/decode-bytes.js';
import { fetchFeed, type FetchOptions } from '../fetch/fetch-feed.js';
import { PageTooLargeError, type ExtractRule } from './extract-article.js';
import { sharedExtractPool, type ExtractFn } from './extract-pool.js';

export interface FullTextRule extends ExtractRule {
  /** Page fetches per source run at most; items beyond wait for the next run with their summary. */
  maxPages: number;
  /** Extractions with less visible text than this (code points, after cleaning) keep the summary. */
  minLength: number;
}

export interface FullTextDeps {
  store: Store;
  logger: Logger;
  clock: () => Date;
  /** The source's client (network guard, timeouts, size cap); validators are added per page. */
  client: FetchOptions;
  /** Ceiling of the retry backoff after failures (`fetch.backoffCap`). */
  backoffCapMs: number;
  /**
   * Runs `work` holding one of `host`'s politeness slots across workers (`fetch.perHost`); 'busy' when all are
   * taken. Pages on the feed's own host use the slot the source run holds, so they do not ask.
   */
  hostSlot?: (<T>(host: string, work: () => Promise<T>) => Promise<T | 'busy'>) | undefined;
  /** Extracts a page's article off the serving thread (extract-pool.ts); default: the process's shared pool. */
  extract?: ExtractFn | undefined;
}

/** One item: its article as the feed gave it, and how to make it again around another body. */
export interface FullTextItem {
  article: Article;
  withBody(html: string): Article | null;
}

export interface FullTextResult {
  articles: Article[];
  /** One per page that failed or extracted too little, naming it. */
  warnings: string[];
  /** Pages requested this run. */
  fetched: number;
}

const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';
const FIRST_RETRY_MS = 10 * 60_000;

export async function applyFullText(items: FullTextItem[], rule: FullTextRule, sourceKey: string, feedUrl: string, deps: FullTextDeps): Promise<FullTextResult> {
  const now = deps.clock();
  const links = items.flatMap((item) => (item.article.link ? [item.article.link] : []));
  const stored = links.length ? await deps.store.getFullTextPages(links) : new Map<string, FullTextPage>();
  const feedHost = new URL(feedUrl).hostname;
  const saved: FullTextPage[] = [];
  const warnings: string[] = [];
  let fetched = 0;
  const articles: Article[] = [];
  for (const item of items) {
    const link = item.article.link;
    let page = link ? stored.get(link) : undefined;
    if (link && needsFetch(page, item.article, now) && fetched < rule.maxPages) {
      const host = new URL(link).hostname;
      const work = () => fetchPage(link, page, item, rule, sourceKey, now, deps);
      fetched++;
      const outcome = host === feedHost || !deps.hostSlot ? await work() : await deps.hostSlot(host, work);
      if (outcome !== 'busy') {
        page = outcome;
        saved.push(outcome);
      }
    }
    const full = page?.state === 'ok' && page.html !== null ? item.withBody(page.html) : null;
    articles.push(full ?? item.article);
    if (page && page.state !== 'ok' && page.error) warnings.push(`full text: ${page.error}`);
  }
  if (saved.length > 0) await deps.store.saveFullTextPages(saved);
  return { articles, warnings, fetched };
}

/** New items, failures whose retry time has come, and pages whose item was updated since they were read. */
function needsFetch(page: FullTextPage | undefined, article: Article, now: Date): boolean {
  if (!page) return true;
  if (page.state === 'failed') return page.retryAt === null || page.retryAt.getTime() <= now.getTime();
  return article.updated !== null && article.updated.getTime() > page.fetchedAt.getTime();
}

async function fetchPage(link: string, previous: FullTextPage | undefined, item: FullTextItem, rule: FullTextRule, sourceKey: string, now: Date, deps: FullTextDeps): Promise<FullTextPage> {
  const log = deps.logger.child({ page: link });
  const base = { link, sourceKey, fetchedAt: now, retryAt: null, failures: 0, error: null };
  const conditional = previous && previous.state !== 'failed';
  try {
    const response = await fetchFeed(link, {
      ...deps.client,
      accept: PAGE_ACCEPT,
      etag: conditional ? previous.etag : null,
      lastModified: conditional ? previous.lastModified : null,
    });
    if (response.kind === 'not-modified') return { ...previous!, fetchedAt: now };
    const validators = { etag: response.etag, lastModified: response.lastModified };
    const type = (response.contentType ?? 'text/html').split(';')[0]!.trim().toLowerCase();
    if (!/^(?:text\/html|application\/xhtml\+xml|text\/plain)$/.test(type)) {
      return { ...base, ...validators, state: 'short', html: null, error: `${link}: not an HTML page (${type}); summary kept` };
    }
    let html: string | null;
    try {
      const extract = deps.extract ?? sharedExtractPool(deps.logger).extract;
      html = await extract(decodeFeedBytes(response.body, response.contentType, undefined, link).text, response.url, { selector: rule.selector, remove: rule.remove });
    } catch (error) {
      if (!(error instanceof PageTooLargeError)) throw error;
      return { ...base, ...validators, state: 'short', html: null, error: `${link}: ${error.message}; summary kept` };
    }
    const length = html === null ? 0 : (item.withBody(html)?.textLength ?? 0);
    const feedLength = item.article.textLength ?? 0;
    if (html === null || length < rule.minLength || length <= feedLength) {
      // A paywall, a consent wall or a page with no article: the feed's own text stays.
      const why = length < rule.minLength ? `extracted ${length} characters (less than ${rule.minLength})` : `extracted ${length} characters, no more than the feed's ${feedLength}`;
      log.info({ characters: length }, 'full text: extraction too short, summary kept');
      return { ...base, ...validators, state: 'short', html: null, error: `${link}: ${why}; summary kept` };
    }
    log.debug({ characters: length }, 'full text extracted');
    return { ...base, ...validators, state: 'ok', html };
  } catch (error) {
    // A stop is not the page failing: nothing is saved (a failed page waits 10 min and more for its next try, and the
    // next process would store the summary); the run ends here and is left for the next process.
    if (deps.client.signal?.aborted) throw error;
    const failures = (previous?.state === 'failed' ? previous.failures : 0) + 1;
    const retryAt = new Date(now.getTime() + Math.min(deps.backoffCapMs, FIRST_RETRY_MS * 2 ** (failures - 1)));
    const message = describeError(error);
    log.warn({ error: message, failures }, 'full text: page failed, summary kept');
    return {
      ...base, state: 'failed', html: null, etag: null, lastModified: null, failures, retryAt,
      error: `${message}; summary kept, next try after ${retryAt.toISOString()}`,
    };
  }
}
