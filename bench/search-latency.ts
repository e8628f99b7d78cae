// Search latency at 10k and 1M stories (or 100k with --size small), common and rare terms, Chinese and
// English, on SQLite and on PostgreSQL (the same stories through storeRun), every store measured in turn
// per query kind in one run; and the word index's size per story on both against the trigram index of
// the same stories' text.
import path from 'node:path';
import Database from 'better-sqlite3';
import { cutWords, foldForSearch } from '../src/text/search-words.js';
import type { Store } from '../src/store/store.js';
import { syntheticArticles, tempDir } from './generate.js';
import { benchPostgresCluster, postgresBenchStore, sqliteBenchStore } from './kept-stores.js';
import type { BenchPostgres } from './postgres.js';
import { openBenchStore } from './seed-import.js';
import { STORE_CATEGORIES, type BuiltStore } from './store-scale.js';
import { createTrigramEngine } from './search-quality/trigram-engine.js';
import { collect, summaryRow, type BenchRow } from './stats.js';

const P99_TARGET_MS = 50;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** The four query kinds, chosen from what the synthetic stories contain. */
function queries(size: number): Array<{ kind: string; query: (i: number) => string }> {
  // A rare Chinese query: the words of one story's title (its own random characters), a different story each
  // time. The articles are generated as the stores were built (one random stream from article 0).
  const titles = syntheticArticles(0, size, STORE_CATEGORIES).map((article) => article.title.replace(/^Story \d+ /, ''));
  const rareZh = (i: number): string => cutWords(foldForSearch(titles[(i * 7919) % size]!), 'query').slice(0, 3).join(' ');
  return [
    { kind: 'common Chinese (的)', query: () => '的' },
    { kind: 'rare Chinese (one title\'s words)', query: rareZh },
    { kind: 'common English (story)', query: () => 'story' },
    { kind: 'rare English (story N)', query: (i) => `story ${(i * 7919) % size}` },
  ];
}

async function latencies(store: Store, query: (i: number) => string, times: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const q = query(i);
    const start = performance.now();
    const result = await store.searchStories(q, 20);
    samples.push(performance.now() - start);
    if (result.total === 0) throw new Error(`no match for ${q}`);
  }
  return samples.sort((a, b) => a - b);
}

/** Bytes of the tables whose names start with `prefix` (dbstat). */
function tableBytes(db: Database.Database, prefix: string): number {
  return (db.prepare("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name LIKE ? || '%'").get(prefix) as { n: number }).n;
}

/** Word index vs trigram index of the same stories: bytes per story. */
export function indexSizes(file: string): { words: number; trigram: number; stories: number } {
  const db = new Database(file, { readonly: true });
  const stories = (db.prepare('SELECT count(*) AS n FROM stories').get() as { n: number }).n;
  const words = tableBytes(db, 'story_words');
  const trigram = createTrigramEngine(path.join(tempDir('trigram'), 'trigram.db'));
  const rows = db.prepare('SELECT id, title, content_html AS html, published_ms AS publishedMs FROM stories').iterate() as Iterable<{ id: string; title: string; html: string; publishedMs: number }>;
  let batch: Array<{ id: string; title: string; html: string; publishedMs: number }> = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === 5000) trigram.add(batch.splice(0));
  }
  trigram.add(batch);
  batch = [];
  const trigramBytes = tableBytes(trigram.db, 'story_search');
  trigram.close();
  db.close();
  return { words: words / stories, trigram: trigramBytes / stories, stories };
}

/** The word index's bytes per story on PostgreSQL: the story_search table with its tsvectors (out of line) and its indexes. */
async function postgresWordBytes(postgres: BenchPostgres): Promise<number> {
  const [size] = await postgres.queryLast<{ n: string }>(
    "SELECT pg_total_relation_size('story_search') / count(*) AS n FROM story_search",
  );
  return Number(size!.n);
}

export async function benchSearchLatency(options: { large: number; times?: number; log?: (line: string) => void; largeStore?: BuiltStore; storesDir?: string }): Promise<BenchRow[]> {
  const log = options.log ?? (() => {});
  const times = options.times ?? 200;
  const dir = options.storesDir;
  const progress = (where: string) => (done: number) => {
    if (done % 200_000 === 0) log(`  ${done} stories stored${where}`);
  };
  const built = (what: string, store: { buildMs: number; reused: boolean }) =>
    log(`${what}: ${store.reused ? `reused from ${dir}` : `built in ${(store.buildMs / 1000).toFixed(0)} s`}`);
  const small = await sqliteBenchStore(dir, 10_000);
  const large = options.largeStore ? { ...options.largeStore, reused: false } : await sqliteBenchStore(dir, options.large, progress(''));
  built(`SQLite ${options.large} stories`, large);
  const postgres = await benchPostgresCluster(dir);
  try {
    const pgSmall = await postgresBenchStore(postgres, dir, 10_000);
    const smallWordBytes = await postgresWordBytes(postgres);
    const pgLarge = await postgresBenchStore(postgres, dir, options.large, progress(' in PostgreSQL'));
    built(`PostgreSQL ${options.large} stories`, pgLarge);
    const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`);
    const stores = [
      { label: k(10_000), size: 10_000, store: await openBenchStore(small.file) },
      { label: k(options.large), size: options.large, store: await openBenchStore(large.file) },
      { label: `PostgreSQL: search at ${k(10_000)}`, size: 10_000, store: pgSmall.store },
      { label: `PostgreSQL: search at ${k(options.large)}`, size: options.large, store: pgLarge.store },
    ];
    const rows: BenchRow[] = [];
    for (const { kind, query } of queries(10_000)) {
      // Every store holds the first 10k articles: the same queries run on each, one store after the other.
      for (const { label, store, size } of stores) {
        collect();
        const sorted = await latencies(store, query, times);
        const p99 = percentile(sorted, 0.99);
        const name = label.startsWith('PostgreSQL') ? label : `search at ${label}`;
        rows.push(summaryRow(`${name}, ${kind}: p50`, [percentile(sorted, 0.5)], 'ms', { runs: times }));
        rows.push({ name: `${name}, ${kind}: p99`, value: p99, unit: 'ms', runs: times, min: sorted[0], max: sorted.at(-1),
          ...(size === options.large ? { target: `≤ ${P99_TARGET_MS}`, met: p99 <= P99_TARGET_MS } : {}) });
      }
    }
    for (const { store } of stores) await store.close();
    const sizes = indexSizes(small.file);
    rows.push({ name: `index size per story, word index (${sizes.stories} synthetic stories, ~0.6 KB text)`, value: sizes.words, unit: 'bytes', runs: 1 });
    rows.push({ name: 'index size per story, word index on PostgreSQL (story_search: tsvectors + GIN + its other indexes, same stories)', value: smallWordBytes, unit: 'bytes', runs: 1 });
    rows.push({ name: 'index size per story, trigram index of the same text', value: sizes.trigram, unit: 'bytes', runs: 1 });
    return rows;
  } finally {
    await postgres.stop();
  }
}
