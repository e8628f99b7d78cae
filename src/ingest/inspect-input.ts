// What the pipeline makes of one input (feed URL, feed file or seed file), without touching the database.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { urlRulesOf, type Config, type SourceConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { Article, Enclosure, RawItem } from '../types.js';
import { createCategoryResolver } from './categories.js';
import { applySourceFilter, type FilterCandidate } from './filter-articles.js';
import { decodeFeedBytes } from './fetch/decode-bytes.js';
import { clusterOrigins } from './dedup.js';
import { fetchFeed, type FetchOptions } from './fetch/fetch-feed.js';
import { normalizeItem } from './normalize.js';
import { parseFeed } from './parse/parse-feed.js';
import { parseSeedFile } from './seed/parse-seed-file.js';
import { isArticleFile } from './seed/seed-folder.js';

export interface InspectedArticle {
  title: string;
  link: string | null;
  guid: string | null;
  published: string;
  updated: string | null;
  author: string | null;
  categories: string[];
  image: string | null;
  /** Its audio, video and other media files (podcast episodes), as stored: absolute http(s) URL, type, byte length. */
  enclosures: Enclosure[];
  summary: string;
  content: string;
  titleKey: string;
  firedRules: string[];
  /** The source filter's rule that drops this article (`block: RULE`, `keep: no rule matched`); null: stored. */
  filteredBy: string | null;
  /** Other inspected articles the dedup policy merges this one with (set by `annotateMerges`). */
  mergedWith?: MergeNote[];
}

/** Why two inspected articles are one story: the same title key, this far apart in time. */
export interface MergeNote {
  input: string;
  title: string;
  /** The other article's publication time minus this one's, in hours. */
  differenceHours: number;
}

export interface InspectEntry {
  input: string;
  articles: InspectedArticle[];
  warnings: string[];
  error: string | null;
}

/** Seed files start with front matter, possibly after blank lines or a BOM. */
const FRONT_MATTER_START = /^\uFEFF?\s*---\s*\r?\n/;

export async function inspectInput(input: string, config: Config, fetchOptions: Omit<FetchOptions, 'etag' | 'lastModified'>): Promise<InspectEntry> {
  const entry: InspectEntry = { input, articles: [], warnings: [], error: null };
  const resolveCategories = createCategoryResolver(config.categories);
  const urls = urlRulesOf(config);
  try {
    if (/^https?:\/\//i.test(input)) {
      const fetched = await fetchFeed(input, fetchOptions);
      if (fetched.kind === 'not-modified') throw new Error('server answered 304 to an unconditional request');
      const source = config.sources.find((candidate) => candidate.url === input);
      const decoded = decodeFeedBytes(fetched.body, fetched.contentType, source?.encoding, fetched.url);
      await inspectFeed(decoded.text, fetched.url, decoded.warnings, source);
      return entry;
    }
    const bytes = await readFile(input);
    const text = bytes.toString('utf8');
    // What the seed scan reads as an article (by extension, front matter or not), or anything with front matter.
    if (FRONT_MATTER_START.test(text) || isArticleFile(path.basename(input))) {
      const folder = config.seedFolder;
      const { mtime } = await stat(input);
      const relPath = seedRelPath(folder?.path, input);
      const timezone = folder?.timezone ?? 'UTC';
      const parsed = parseSeedFile(text, { relPath, mtime, timezone });
      entry.warnings.push(...parsed.warnings);
      addArticle(parsed.item, {
        sourceKey: 'seed', documentUrl: null, fallbackId: relPath, fallbackDate: mtime, receivedAt: new Date(), timezone,
        categories: resolveCategories([...(parsed.item.categories ?? []), ...(folder?.categories ?? [])]), rules: folder?.rules, urls,
      });
    } else {
      const decoded = decodeFeedBytes(bytes, null, undefined, input);
      await inspectFeed(decoded.text, pathToFileURL(path.resolve(input)).href, decoded.warnings, undefined);
    }
  } catch (error) {
    entry.error = describeError(error);
  }
  return entry;

  /** A feed, read as the configured `source` (categories, site rules, filter) when the input is its URL. */
  async function inspectFeed(text: string, url: string, warnings: string[], source: SourceConfig | undefined) {
    entry.warnings.push(...warnings);
    const parsed = await parseFeed(text, url);
    entry.warnings.push(...parsed.warnings);
    const categories = resolveCategories(source?.categories ?? []);
    const candidates: (FilterCandidate & { firedRules: string[] })[] = [];
    for (const item of parsed.items) {
      const now = new Date();
      const normalized = normalizeItem(item, { sourceKey: 'inspect', documentUrl: url, fallbackDate: now, receivedAt: now, timezone: 'UTC', categories, rules: source?.rules, urls });
      entry.warnings.push(...normalized.warnings);
      if (normalized.article) candidates.push({ article: normalized.article, itemCategories: item.categories ?? [], firedRules: normalized.firedRules });
    }
    const { dropped } = applySourceFilter(source?.filter, candidates, source?.categories ?? []);
    const droppedBy = new Map(dropped.map((d) => [d.article, d.filteredBy]));
    for (const candidate of candidates) pushArticle(candidate.article, candidate.firedRules, droppedBy.get(candidate.article) ?? null);
  }

  function addArticle(item: RawItem, context: Parameters<typeof normalizeItem>[1]) {
    const normalized = normalizeItem(item, context);
    entry.warnings.push(...normalized.warnings);
    if (normalized.article) pushArticle(normalized.article, normalized.firedRules, null);
  }

  function pushArticle(article: Article, firedRules: string[], filteredBy: string | null) {
    entry.articles.push({
      title: article.title,
      link: article.link,
      guid: article.guid,
      published: article.published.toISOString(),
      updated: article.updated?.toISOString() ?? null,
      author: article.author,
      categories: article.categories.map((category) => category.name),
      image: article.image,
      enclosures: (article.enclosures ?? []).map(({ url, type, length }) => ({ url, type, length })),
      summary: article.summary,
      content: article.contentHtml,
      titleKey: article.titleKey,
      firedRules,
      filteredBy,
    });
  }
}

/** Inspects every input in order, then notes which articles the dedup policy would merge. */
export async function inspectInputs(
  inputs: readonly string[],
  config: Config,
  fetchOptions: Omit<FetchOptions, 'etag' | 'lastModified'>,
): Promise<InspectEntry[]> {
  const entries: InspectEntry[] = [];
  for (const input of inputs) entries.push(await inspectInput(input, config, fetchOptions));
  return annotateMerges(entries, config.dedup.window, Date.now());
}

const HOUR_MS = 3_600_000;

/**
 * Clusters every inspected article across all entries with the store's policy (title key, `windowMs`)
 * and sets `mergedWith` on each: the others in its cluster, empty when it stands alone. A date after `seenMs`
 * (the inspection) counts from it, as the store counts it from an article's first sighting.
 */
export function annotateMerges(entries: InspectEntry[], windowMs: number, seenMs = Number.POSITIVE_INFINITY): InspectEntry[] {
  const owners = new Map<Article, { input: string; article: InspectedArticle }>();
  entries.forEach((entry, entryIndex) => {
    entry.articles.forEach((article, articleIndex) => {
      // Only what clustering reads matters; the ids keep inputs apart and the order stable.
      const origin: Article = {
        sourceKey: `inspect:${String(entryIndex).padStart(6, '0')}`, originId: String(articleIndex).padStart(6, '0'),
        title: article.title, titleKey: article.titleKey, link: article.link, guid: article.guid,
        published: new Date(Math.min(Date.parse(article.published), seenMs)), updated: null, author: null, categories: [], image: null,
        contentHtml: '', summary: '',
      };
      owners.set(origin, { input: entry.input, article });
    });
  });
  for (const cluster of clusterOrigins([...owners.keys()], windowMs)) {
    for (const origin of cluster) {
      owners.get(origin)!.article.mergedWith = cluster
        .filter((other) => other !== origin)
        .map((other) => ({
          input: owners.get(other)!.input,
          title: other.title,
          differenceHours: Math.round(((other.published.getTime() - origin.published.getTime()) / HOUR_MS) * 1000) / 1000,
        }));
    }
  }
  return entries;
}

/** The path the seed scan names a file inside the folder by (its id); a file elsewhere is named as given. */
function seedRelPath(folder: string | undefined, input: string): string {
  const rel = folder === undefined ? '' : path.relative(path.resolve(folder), path.resolve(input));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : input;
}
