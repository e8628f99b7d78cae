// Per-category publishing policy derived from the config: how often readers should poll (RSS <ttl>,
// Cache-Control max-age), the WebSub hub, and which categories are saved searches.
import cron from 'node-cron';
import type { Config } from '../config/schema.js';
import { ConfigError, QueryError } from '../errors.js';
import { parseQuery } from '../text/parse-query.js';
import type { CategoryRef } from '../types.js';
import { categoryFiltersFromConfig, type CategoryFilters } from './category-filters.js';

export interface FeedPolicy {
  /** Minutes between our polls of the sources feeding this category (RSS <ttl>). */
  ttlMinutes(slug: string): number;
  /** Cache-Control max-age for the category's current feed. */
  maxAgeSeconds(slug: string): number;
  hub: string | null;
  /** slug → query of the categories that are saved searches. */
  savedQueries: ReadonlyMap<string, string>;
  /** slug → filter of the filtered categories; replaced in place on a config reload (RenderCache.setCategoryFilters). */
  categoryFilters: CategoryFilters;
}

export type PolicyConfig = Pick<Config, 'schedule' | 'sources' | 'categories' | 'feeds' | 'websub'> & Partial<Pick<Config, 'seedFolder'>>;

/** Default upper bound of max-age: a daily schedule should not make readers wait a day after a change. */
export const MAX_AGE_CAP_SECONDS = 3600;

const intervals = new Map<string, number>();

/** Shortest gap between the next runs of a cron expression, in minutes (at least 1). */
export function cronIntervalMinutes(expression: string): number {
  const known = intervals.get(expression);
  if (known !== undefined) return known;
  const task = cron.createTask(expression, () => undefined);
  let minutes = 60;
  try {
    const runs = task.getNextRuns(8).map((d) => d.getTime());
    let gap = Infinity;
    for (let i = 1; i < runs.length; i++) gap = Math.min(gap, runs[i]! - runs[i - 1]!);
    if (Number.isFinite(gap)) minutes = Math.max(1, Math.round(gap / 60_000));
  } finally {
    void task.destroy();
  }
  intervals.set(expression, minutes);
  return minutes;
}

/**
 * `resolve` folds category names to slugs the way ingest does (ingest/categories.ts), passed in so
 * publish does not depend on ingest.
 */
export function feedPolicyFromConfig(config: PolicyConfig, resolve: (names: string[]) => CategoryRef[]): FeedPolicy {
  const fallback = cronIntervalMinutes(config.schedule);
  const bySlug = new Map<string, number>();
  let shortest = fallback;
  for (const source of config.sources) {
    if (source.enabled === false) continue;
    const minutes = cronIntervalMinutes(source.schedule ?? config.schedule);
    shortest = Math.min(shortest, minutes);
    for (const ref of resolve(source.categories)) bySlug.set(ref.slug, Math.min(bySlug.get(ref.slug) ?? Infinity, minutes));
  }
  const savedQueries = new Map<string, string>();
  for (const category of config.categories) {
    if (!category.query) continue;
    // A query the search refuses (a 1-character prefix) would fail its feeds and the index page that counts it.
    try {
      parseQuery(category.query);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      throw new ConfigError('categories', [`categories: ${category.name}: query ${JSON.stringify(category.query)}: ${error.message}`]);
    }
    const [ref] = resolve([category.name]);
    if (ref) savedQueries.set(ref.slug, category.query);
  }
  // Seed articles name their own categories, so the seed folder's schedule bounds every category.
  const seedMinutes = config.seedFolder ? cronIntervalMinutes(config.seedFolder.schedule) : Infinity;
  shortest = Math.min(shortest, seedMinutes);
  const ttlMinutes = (slug: string): number =>
    slug === 'all' || savedQueries.has(slug) ? shortest : Math.min(bySlug.get(slug) ?? fallback, seedMinutes);
  const fixedMaxAge = config.feeds.maxAge === undefined ? null : Math.round(config.feeds.maxAge / 1000);
  return {
    ttlMinutes,
    maxAgeSeconds: (slug) => fixedMaxAge ?? Math.min(ttlMinutes(slug) * 60, MAX_AGE_CAP_SECONDS),
    hub: config.websub?.hub ?? null,
    savedQueries,
    categoryFilters: categoryFiltersFromConfig(config.categories, resolve),
  };
}

/** A policy for tests and tools: one schedule for everything, no hub, no saved searches. */
export function fixedFeedPolicy(ttlMinutes = 15, extra: Partial<FeedPolicy> = {}): FeedPolicy {
  return {
    ttlMinutes: () => ttlMinutes,
    maxAgeSeconds: () => Math.min(ttlMinutes * 60, MAX_AGE_CAP_SECONDS),
    hub: null,
    savedQueries: new Map(),
    categoryFilters: new Map(),
    ...extra,
  };
}
