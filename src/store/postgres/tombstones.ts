// Tombstones on PostgreSQL: a pruned story's title key and time keep its origins from coming back.
import type { UnitTables } from '../table-steps.js';
import { toPg } from './pg-text.js';
import type { Sql } from './pool.js';

export function createTombstones(sql: Sql, windowMs: number): UnitTables['tombstones'] {
  return {
    async coverMany(origins) {
      const { rows } = await sql.query<{ i: number }>(
        `SELECT u.i FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(title_key, published_ms, i)
         WHERE EXISTS (SELECT 1 FROM tombstones t WHERE t.title_key = u.title_key
           AND t.published_ms BETWEEN u.published_ms - $3::bigint AND u.published_ms + $3::bigint)`,
        [origins.map((o) => toPg(o.titleKey)), origins.map((o) => o.publishedMs), windowMs],
      );
      const covered = origins.map(() => false);
      for (const row of rows) covered[row.i - 1] = true;
      return covered;
    },
    async buryMany(stories, nowMs) {
      await sql.query(
        `INSERT INTO tombstones (title_key, published_ms, pruned_ms, story_id)
         SELECT DISTINCT ON (title_key, published_ms) title_key, published_ms, $3::bigint, story_id
         FROM unnest($1::text[], $2::bigint[], $4::text[]) AS u(title_key, published_ms, story_id)
         ON CONFLICT (title_key, published_ms) DO UPDATE SET pruned_ms = excluded.pruned_ms, story_id = excluded.story_id`,
        [stories.map((s) => toPg(s.titleKey)), stories.map((s) => s.publishedMs), nowMs, stories.map((s) => s.id)],
      );
    },
  };
}

/** When the story with this id was pruned; null when it never was. */
export async function storyPrunedAt(sql: Sql, storyId: string): Promise<Date | null> {
  const { rows } = await sql.query<{ pruned_ms: number | null }>('SELECT max(pruned_ms) AS pruned_ms FROM tombstones WHERE story_id = $1', [storyId]);
  const ms = rows[0]?.pruned_ms;
  return ms === null || ms === undefined ? null : new Date(Number(ms));
}
