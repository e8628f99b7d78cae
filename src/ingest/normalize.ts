// One Article shape from a raw item: resolved URLs, parsed dates, cleaned body, plain title, lead image.
import { createHash } from 'node:crypto';
import type { SiteRules } from '../config/schema.js';
import type { Article, CategoryRef, RawItem } from '../types.js';
import { cleanHtml, plainTitle, summarize, type CleanResult } from './clean/clean-html.js';
import { IMAGE_SCHEMES, isPlaceholderImage, parseBase, resolveUrl, stripTrackingParams, type UrlRules } from './clean/clean-urls.js';
import { oneLineText } from './clean/plain-text.js';
import { titleKey } from './dedup.js';
import { mediaEnclosures } from './enclosures.js';
import { codePoints, htmlToText } from '../text/html-text.js';
import { searchWords } from '../text/search-words.js';
import { parseDate } from './parse/parse-date.js';

export interface NormalizeContext {
  sourceKey: string;
  /** Feed URL (for feeds) used to resolve relative links; null for seed files. */
  documentUrl: string | null;
  /** Identity when the item has neither guid nor link (a seed file's relative path). */
  fallbackId?: string | undefined;
  /** Publication time to use when the item has no usable date (file mtime, fetch time). */
  fallbackDate: Date;
  timezone: string;
  /** When the item was received (the fetch, the inspection): a date well after it is reported. */
  receivedAt?: Date | undefined;
  categories: CategoryRef[];
  rules?: SiteRules | undefined;
  /** Configured tracking parameters and placeholder images (`links.trackingParameters`, `images.placeholders`). */
  urls?: UrlRules | undefined;
}

export interface NormalizeResult {
  article: Article | null;
  warnings: string[];
  firedRules: string[];
}

/**
 * How far after its receipt a date must lie to be reported. The store dates such an item when it was first
 * seen whatever the margin; the report is for a wrong zone or a typo'd year, not a clock a minute fast.
 */
const FUTURE_DATE_REPORTED_MS = 10 * 60_000;

const PLACEHOLDER_IMAGE = /(?:^|[/_.-])(?:404|placeholder|default|blank|spacer|loading|no[-_]?image|nopic|transparent|pixel)(?:[._-]|$)/i;
const TITLE_FROM_SUMMARY_CHARS = 80;

/**
 * The warning for a date more than 10 minutes after the item was received (fetched, or read from the seed folder),
 * null otherwise: the store publishes such an item as first seen, and the user is told why.
 */
export function futureDateNote(published: Date, receivedAt: Date): string | null {
  if (published.getTime() - receivedAt.getTime() <= FUTURE_DATE_REPORTED_MS) return null;
  return `dated ${published.toISOString()}, after it was received (${receivedAt.toISOString()}): published as first seen`;
}

export function normalizeItem(raw: RawItem, context: NormalizeContext): NormalizeResult {
  const warnings: string[] = [];
  const xmlBase = absoluteHttpUrl(raw.baseUrl, null);
  const resolvedLink = absoluteHttpUrl(raw.link, xmlBase ?? context.documentUrl);
  // The guid keeps its value (it is an identity); only the link a reader opens loses its trackers.
  const link = resolvedLink === null ? null : stripTrackingParams(resolvedLink, context.urls);
  const guid = raw.guid?.trim() || null;
  // Relative URLs in the body resolve against xml:base, else the item link, else the feed URL.
  const base = xmlBase ?? link ?? context.documentUrl;
  const cleaned = cleanHtml(raw.html ?? '', { baseUrl: base, rules: context.rules, urls: context.urls });
  const summary = summarize(cleaned.html);
  const declaredTitle = raw.titleIsText ? oneLineText(raw.title ?? '') : plainTitle(raw.title ?? '');
  // Neither title nor text: the link still names a page, as Miniflux titles it (host and path).
  const title = declaredTitle || truncate(summary, TITLE_FROM_SUMMARY_CHARS) || titleFromLink(link);
  const label = raw.title?.trim() || guid || link || context.fallbackId || 'item';
  if (!title) return { article: null, warnings: [`${label}: dropped, no title and no text`], firedRules: cleaned.firedRules };

  const updated = parseDate(raw.updated, context.timezone);
  const declared = parseDate(raw.published, context.timezone);
  if (raw.published && !declared) warnings.push(`${label}: unusable date "${String(raw.published)}"`);
  let published = declared ?? updated;
  const dateIsFallback = published === null;
  published ??= context.fallbackDate;
  const receivedAt = context.receivedAt;
  const future = receivedAt ? futureDateNote(published, receivedAt) : null;
  if (future) warnings.push(`${label}: ${future}`);

  const dropped: string[] = [];
  const enclosures = mediaEnclosures(raw.enclosures, dropped);
  warnings.push(...dropped.map((message) => `${label}: ${message}`));
  const originId = guid ?? link ?? context.fallbackId ?? contentId(title, published);
  const article: Article = {
    sourceKey: context.sourceKey,
    originId,
    title,
    titleKey: titleKey(title),
    link,
    guid,
    published,
    updated,
    author: plainTitle(raw.author ?? '') || null,
    categories: context.categories,
    image: leadImage(raw.images ?? [], cleaned, base, context.urls),
    contentHtml: cleaned.html,
    summary,
    dateIsFallback,
    ...(enclosures.length ? { enclosures } : {}),
    // Measured and segmented here (in the seed workers for a large import), so the store only writes.
    ...searchFields(title, cleaned.html),
  };
  return { article, warnings, firedRules: cleaned.firedRules };
}

/** The body's text length and the search words of title and body. */
export function searchFields(title: string, html: string): Pick<Article, 'textLength' | 'words'> {
  const text = htmlToText(html);
  return { textLength: codePoints(text), words: { title: searchWords(title), body: searchWords(text) } };
}

/**
 * One lead image: the first declared candidate (front matter, media:*, enclosure), else the first
 * sizeable image of the cleaned body. Skipped: placeholders (file names such as 404.gif, and
 * random-photo services), relative paths with no base, and images
 * that only belonged to removed boilerplate (the seed shape's headimg is the QR-code ad's own image).
 */
export function leadImage(
  declared: readonly string[],
  cleaned: Pick<CleanResult, 'leadCandidates' | 'removedImages' | 'images'>,
  base: string | null,
  urls?: UrlRules,
): string | null {
  const removed = new Set(cleaned.removedImages);
  const kept = new Set(cleaned.images);
  const usable = (url: string | null): url is string =>
    url !== null && !PLACEHOLDER_IMAGE.test(new URL(url).pathname) && !isPlaceholderImage(url, urls) && (!removed.has(url) || kept.has(url));
  for (const candidate of declared) {
    const url = absoluteHttpUrl(candidate, base);
    if (usable(url)) return url;
  }
  return cleaned.leadCandidates.find(usable) ?? null;
}

/** Absolute http(s) URL, resolving against `base` (protocol-relative without one: https, as body URLs); null for anything else. */
export function absoluteHttpUrl(value: string | undefined | null, base: string | null): string | null {
  return value ? resolveUrl(value, parseBase(base), IMAGE_SCHEMES) : null;
}

/** `example.com/path/to/page` for an untitled item's link; '' without a link. */
export function titleFromLink(link: string | null): string {
  if (!link) return '';
  const url = new URL(link);
  let path = url.pathname.replace(/\/+$/, '');
  try {
    path = decodeURI(path);
  } catch {
    /* keep it encoded */
  }
  return oneLineText(`${url.hostname}${path}`);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function contentId(title: string, published: Date): string {
  return `sha1:${createHash('sha1').update(`${title}\n${published.toISOString()}`).digest('hex')}`;
}
