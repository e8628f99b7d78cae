// A PostgreSQL search after the store sat idle past pg's idle timeout (10 s): with the connections the pool keeps
// open (src/store/postgres/pool.ts) against pg's default, which closes them, so the search pays new connections'
// cold caches. Two stores on the same database, measured alternately in each round.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../src/store/store.js';
import { benchPostgresCluster, postgresBenchStore } from './kept-stores.js';
import { summaryRow, type BenchRow } from './stats.js';

const IDLE_MS = 11_000;

async function searchMs(store: Store, query: string): Promise<number> {
  const start = performance.now();
  await store.searchStories(query, 20);
  return performance.now() - start;
}

export async function benchPostgresIdle(options: { stories: number; rounds: number; storesDir?: string; log: (line: string) => void }): Promise<BenchRow[]> {
  const postgres = await benchPostgresCluster(options.storesDir);
  try {
    const built = await postgresBenchStore(postgres, options.storesDir, options.stories);
    await built.store.close();
    // postgresBenchStore names its database stories_N when kept; otherwise it is the last one opened.
    const database = options.storesDir ? `stories_${options.stories}` : (await postgres.queryLast<{ d: string }>('SELECT current_database() AS d'))[0]!.d;
    const kept = await postgres.openStore({ database, warmSearch: true });
    const closing = await postgres.openStore({ database, keptConnections: 0 });
    const afterIdle = { kept: [] as number[], closing: [] as number[] };
    try {
      for (let round = 0; round < options.rounds; round++) {
        for (const store of [kept, closing]) for (let i = 0; i < 5; i++) await searchMs(store, i % 2 ? '的' : 'story');
        await sleep(IDLE_MS);
        // Alternate which goes first, so neither always pays for the other's wake-up.
        const order = round % 2 ? (['closing', 'kept'] as const) : (['kept', 'closing'] as const);
        for (const which of order) afterIdle[which].push(await searchMs(which === 'kept' ? kept : closing, '的'));
        options.log(`postgres-idle round ${round + 1}: kept ${afterIdle.kept.at(-1)!.toFixed(1)} ms, pg default ${afterIdle.closing.at(-1)!.toFixed(1)} ms`);
      }
    } finally {
      await kept.close();
      await closing.close();
    }
    const label = `search (的) after ${IDLE_MS / 1000} s idle, ${options.stories.toLocaleString('en')} stories`;
    return [
      summaryRow(`${label}: pg's default pool (idle connections closed)`, afterIdle.closing, 'ms'),
      summaryRow(`${label}: the store's pool (4 connections kept)`, afterIdle.kept, 'ms'),
    ];
  } finally {
    await postgres.stop();
  }
}
