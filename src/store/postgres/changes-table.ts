// The change feed on PostgreSQL: one row per committed change of published content. Sequence order is
// commit order: the row is inserted by a unit's last statement under a transaction-scoped advisory
// lock, so no unit takes a sequence number before the previous one has committed. NOTIFY wakes the
// followers (watch-commits.ts); the table stays the truth.
import { changesAnswer, changesLimit, changesPosition } from '../change-feed.js';
import type { ChangeRecord, ChangesSince } from '../store.js';
import { LOCKS, type Sql } from './pool.js';

/** The channel NOTIFY announces appended changes on (payload: the sequence number). */
export const CHANGES_CHANNEL = 'feed_changes';

interface ChangeRow {
  seq: number;
  at_ms: number;
  categories: string[];
}

const toRecord = (row: ChangeRow): ChangeRecord => ({ seq: row.seq, categories: row.categories, at: new Date(row.at_ms) });

/** Appends a change inside the caller's transaction; must be its last statement before COMMIT. */
export async function appendChange(sql: Sql, categories: readonly string[], atMs: number): Promise<number> {
  await sql.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.changes]);
  const { rows } = await sql.query<{ seq: number }>(
    `WITH appended AS (INSERT INTO changes (at_ms, categories) VALUES ($1, $2::text[]) RETURNING seq)
     SELECT seq, pg_notify('${CHANGES_CHANNEL}', seq::text) FROM appended`,
    [atMs, categories],
  );
  return rows[0]!.seq;
}

export function createChangeQueries(sql: Sql) {
  return {
    async since(afterSeq: number, limit: number): Promise<ChangesSince> {
      const { rows: [state] } = await sql.query<{ watermark: number; newest: number }>(
        'SELECT pruned_through AS watermark, coalesce((SELECT max(seq) FROM changes), 0) AS newest FROM change_feed',
      );
      const position = changesPosition(afterSeq, state!.watermark, state!.newest);
      const { rows } = await sql.query<ChangeRow>(
        'SELECT seq, at_ms, categories FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2',
        [position.from, changesLimit(limit)],
      );
      return changesAnswer(afterSeq, position, rows.map(toRecord), Math.max(state!.watermark, state!.newest));
    },
    async latest(): Promise<number> {
      const { rows } = await sql.query<{ seq: number }>(
        'SELECT greatest((SELECT max(seq) FROM changes), (SELECT pruned_through FROM change_feed), 0) AS seq',
      );
      return rows[0]!.seq;
    },
    /** Marks and returns the unannounced changes committed at or before `beforeMs`; concurrent callers share none. */
    async claim(beforeMs: number, limit: number, nowMs: number): Promise<ChangeRecord[]> {
      const { rows } = await sql.query<ChangeRow>(
        `UPDATE changes SET announced_ms = $3 WHERE seq IN (
           SELECT seq FROM changes WHERE announced_ms IS NULL AND at_ms <= $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         AND announced_ms IS NULL
         RETURNING seq, at_ms, categories`,
        [beforeMs, changesLimit(limit), nowMs],
      );
      return rows.map(toRecord).sort((a, b) => a.seq - b.seq);
    },
    async release(seqs: readonly number[]): Promise<void> {
      await sql.query('UPDATE changes SET announced_ms = NULL WHERE seq = ANY($1::bigint[])', [seqs]);
    },
    /** Deletes changes committed before `olderThanMs` and moves the watermark past them. */
    async prune(olderThanMs: number): Promise<number> {
      const { rows } = await sql.query<{ n: number }>(
        `WITH gone AS (DELETE FROM changes WHERE at_ms < $1 RETURNING seq),
         moved AS (UPDATE change_feed SET pruned_through = greatest(pruned_through, (SELECT max(seq) FROM gone))
                   WHERE EXISTS (SELECT 1 FROM gone) RETURNING 1)
         SELECT (SELECT count(*) FROM gone) AS n, (SELECT count(*) FROM moved) AS m`,
        [olderThanMs],
      );
      return rows[0]!.n;
    },
  };
}
