// Search quality over the labelled set (bench/search-quality/corpus.ts): recall@10 and MRR of the word
// index on SQLite and on PostgreSQL (the real stores: storeRun, dedup, searchStories) and of the old
// trigram engine, side by side in one run.
import { createDedupPolicy } from '../src/ingest/dedup.js';
import { normalizeItem } from '../src/ingest/normalize.js';
import { openSqliteStore } from '../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../src/store/store.js';
import type { Article } from '../src/types.js';
import { startBenchPostgres } from './postgres.js';
import { QUERIES, STORIES, type LabelledQuery } from './search-quality/corpus.js';
import { createTrigramEngine } from './search-quality/trigram-engine.js';
import type { BenchRow } from './stats.js';

export const RECALL_TARGET = 0.9;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const DAY = 86_400_000;

interface Scores {
  recall: number;
  mrr: number;
}

/** recall@10 and reciprocal rank of one query, given the labelled ids found per result, in order. */
function score(query: LabelledQuery, results: string[][]): Scores {
  const relevant = new Set(query.relevant);
  const found = new Set(results.flat().filter((id) => relevant.has(id)));
  const rank = results.findIndex((ids) => ids.some((id) => relevant.has(id)));
  return { recall: found.size / relevant.size, mrr: rank < 0 ? 0 : 1 / (rank + 1) };
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

export interface QualityReport {
  rows: BenchRow[];
  /** Per query: recall and reciprocal rank of each engine (for the notes). */
  perQuery: Array<{ query: string; words: Scores; postgres: Scores; trigram: Scores }>;
}

export async function benchSearchQuality(): Promise<QualityReport> {
  const articles: Article[] = STORIES.map((story) => {
    const { article } = normalizeItem({ title: story.title, html: story.html, published: new Date(NOW - story.age * DAY) }, {
      sourceKey: 'source:bench', documentUrl: null, fallbackId: story.id, fallbackDate: new Date(NOW), timezone: 'UTC', categories: [],
    });
    if (!article) throw new Error(`story ${story.id} did not normalize`);
    return { ...article, originId: story.id };
  });
  const store = await openSqliteStore(':memory:', createDedupPolicy(12 * 3_600_000), { clock: () => new Date(NOW) });
  await store.storeRun({ sourceKey: 'source:bench', articles });
  // Both engines see the same stories: the store's, after dedup merged the near-duplicates it recognizes.
  const stories = await store.listCategoryStories('all', 1000);
  const originsOf = new Map<string, string[]>();
  for (const story of stories) originsOf.set(story.id, (await store.listStoryOrigins(story.id)).map((o) => o.originId));
  const trigram = createTrigramEngine();
  trigram.add(stories.map((story) => ({ id: story.id, title: story.title, html: story.contentHtml, publishedMs: story.published.getTime() })));

  // The same articles stored the same way in PostgreSQL (a throwaway cluster).
  const postgres = await startBenchPostgres();
  const perQuery: QualityReport['perQuery'] = [];
  try {
    const pgStore = await postgres.openStore({ clock: () => new Date(NOW) });
    await pgStore.storeRun({ sourceKey: 'source:bench', articles });
    const found = async (on: Store, query: string) => (await on.searchStories(query, 10)).stories.map((story) => originsOf.get(story.id) ?? []);
    for (const query of QUERIES) {
      // A merged story stands for every labelled story it was merged from (the same story ids on both backends).
      const old = trigram.search(query.query, 10).map((id) => originsOf.get(id) ?? []);
      perQuery.push({
        query: query.query,
        words: score(query, await found(store, query.query)),
        postgres: score(query, await found(pgStore, query.query)),
        trigram: score(query, old),
      });
    }
    await pgStore.close();
  } finally {
    await postgres.stop();
  }
  await store.close();
  trigram.close();

  const rows: BenchRow[] = [];
  for (const lang of ['zh', 'en', 'all'] as const) {
    const picked = perQuery.filter((_, i) => lang === 'all' || QUERIES[i]!.lang === lang);
    const label = lang === 'all' ? `all ${picked.length} queries` : `${picked.length} ${lang === 'zh' ? 'Chinese' : 'English'} queries`;
    const recallWords = mean(picked.map((q) => q.words.recall));
    const mrrWords = mean(picked.map((q) => q.words.mrr));
    const mrrTrigram = mean(picked.map((q) => q.trigram.mrr));
    rows.push({ name: `search quality, ${label}: recall@10, word index`, value: recallWords, unit: '', runs: 1, ...(lang === 'all' ? { target: `≥ ${RECALL_TARGET}`, met: recallWords >= RECALL_TARGET } : {}) });
    const recallPg = mean(picked.map((q) => q.postgres.recall));
    const mrrPg = mean(picked.map((q) => q.postgres.mrr));
    rows.push({ name: `search quality, ${label}: recall@10, word index on PostgreSQL`, value: recallPg, unit: '', runs: 1, ...(lang === 'all' ? { target: `≥ ${RECALL_TARGET}`, met: recallPg >= RECALL_TARGET } : {}) });
    rows.push({ name: `search quality, ${label}: recall@10, trigram (old)`, value: mean(picked.map((q) => q.trigram.recall)), unit: '', runs: 1 });
    rows.push({ name: `search quality, ${label}: MRR, word index`, value: mrrWords, unit: '', runs: 1, ...(lang === 'all' ? { target: '> trigram', met: mrrWords > mrrTrigram } : {}) });
    rows.push({ name: `search quality, ${label}: MRR, word index on PostgreSQL`, value: mrrPg, unit: '', runs: 1, ...(lang === 'all' ? { target: '> trigram', met: mrrPg > mrrTrigram } : {}) });
    rows.push({ name: `search quality, ${label}: MRR, trigram (old)`, value: mrrTrigram, unit: '', runs: 1 });
  }
  return { rows, perQuery };
}
