// Feeds as the store grows: a 50-item category feed rendered from a 10k store and from a 1M (or 100k)
// store, measured alternately in the same run; build time and database size per article.
import { statSync } from 'node:fs';
import path from 'node:path';
import { createRenderCache } from '../src/publish/render-cache.js';
import type { FeedFormat } from '../src/publish/feed-urls.js';
import type { Store } from '../src/store/store.js';
import { syntheticArticles, tempDir } from './generate.js';
import { openBenchStore } from './seed-import.js';
import { collect, median, summaryRow, type BenchResult, type BenchRow } from './stats.js';

export const STORE_CATEGORIES = 50;
export const BUILD_BATCH = 20_000;

export interface BuiltStore {
  file: string;
  articles: number;
  buildMs: number;
  bytes: number;
}

/**
 * Builds a store of `articles` synthetic stories through the store's own `storeRun` (the real write
 * path: upsert, dedup, categories), in batches of 20,000. No bench-only shortcut.
 */
export async function buildStore(file: string, articles: number, onProgress?: (done: number) => void): Promise<BuiltStore> {
  const store = await openBenchStore(file);
  const buildMs = await fillStore(store, articles, onProgress);
  await store.close(); // checkpoints the WAL into the file
  return { file, articles, buildMs, bytes: statSync(file).size };
}

/** Stores `articles` synthetic stories in `store` through storeRun; returns the time taken. */
export async function fillStore(store: Store, articles: number, onProgress?: (done: number) => void): Promise<number> {
  const start = performance.now();
  for (let from = 0; from < articles; from += BUILD_BATCH) {
    const batch = syntheticArticles(from, Math.min(BUILD_BATCH, articles - from), STORE_CATEGORIES);
    await store.storeRun({ sourceKey: 'source:bench', articles: batch });
    onProgress?.(from + batch.length);
  }
  return performance.now() - start;
}

/** Median time of `times` cold renders (cache cleared: category, query, render, ETag). */
export async function renderTimes(store: Store, slug: string, format: FeedFormat, times: number): Promise<number> {
  const cache = createRenderCache({ store, site: { baseUrl: 'http://localhost:8080', title: 'bench' }, items: 50 });
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    cache.invalidateAll();
    const start = performance.now();
    const feed = await cache.getFeed(slug, format);
    samples.push(performance.now() - start);
    if (!feed || feed.body.length < 1000) throw new Error(`empty feed for ${slug}`);
  }
  return median(samples);
}

/** Cold renders from a small and a large store, alternating per round; the ratio is held to ≤ 1.5. */
export async function renderScaleRows(smallStore: Store, largeStore: Store, smallCount: number, largeCount: number, rounds: number, prefix = ''): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const format of ['atom', 'rss', 'json'] as FeedFormat[]) {
    const atSmall: number[] = [];
    const atLarge: number[] = [];
    const ratio: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // A different category each round, the same one on both sides.
      const slug = `category-${String((round * 7) % STORE_CATEGORIES).padStart(2, '0')}`;
      collect();
      const s = await renderTimes(smallStore, slug, format, 20);
      const l = await renderTimes(largeStore, slug, format, 20);
      atSmall.push(s);
      atLarge.push(l);
      ratio.push(l / s);
    }
    const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`);
    rows.push(summaryRow(`${prefix}render 50-item ${format} category feed at ${k(smallCount)}`, atSmall, 'ms'));
    rows.push(summaryRow(`${prefix}render 50-item ${format} category feed at ${k(largeCount)}`, atLarge, 'ms'));
    rows.push(summaryRow(`${prefix}${format} render at ${k(largeCount)} ÷ at ${k(smallCount)} (same run)`, ratio, '×', { target: '≤ 1.5', met: median(ratio) <= 1.5 }));
  }
  return rows;
}

export interface StoreScaleOptions {
  /** Articles in the large store: 1,000,000 (full) or 100,000 (small). */
  large: number;
  small?: number;
  rounds?: number;
  log?: (line: string) => void;
}

export async function benchStoreScale(options: StoreScaleOptions): Promise<BenchResult & { largeStore: BuiltStore }> {
  const log = options.log ?? (() => {});
  const work = tempDir('store');
  const smallCount = options.small ?? 10_000;
  const rounds = options.rounds ?? 5;
  const small = await buildStore(path.join(work, 'small.db'), smallCount);
  log(`built ${smallCount} stories in ${(small.buildMs / 1000).toFixed(1)} s`);
  const large = await buildStore(path.join(work, 'large.db'), options.large, (done) => {
    if (done % 200_000 === 0) log(`  ${done} stories stored`);
  });
  log(`built ${options.large} stories in ${(large.buildMs / 1000).toFixed(1)} s`);

  const smallStore = await openBenchStore(small.file);
  const largeStore = await openBenchStore(large.file);
  const rows = await renderScaleRows(smallStore, largeStore, smallCount, options.large, rounds);
  await smallStore.close();
  await largeStore.close();
  rows.push({ name: `build ${options.large} stories via storeRun (batches of ${BUILD_BATCH}, 1 run)`, value: large.buildMs / 1000, unit: 's', runs: 1, note: `${Math.round(options.large / (large.buildMs / 1000))} stories/s` });
  rows.push({ name: `database size per story at ${options.large} (synthetic ~0.7 KB bodies)`, value: large.bytes / options.large / 1024, unit: 'KB', runs: 1, note: `${(large.bytes / 2 ** 30).toFixed(2)} GiB` });
  return { rows, largeStore: large };
}
