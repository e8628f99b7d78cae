// filtered_origins on PostgreSQL: the articles a source filter dropped (see the SQLite table for why).
import type { FilterCount, FilteredRecord } from '../store.js';
import type { OriginKey, UnitTables } from '../table-steps.js';
import { toPg } from './pg-text.js';
import type { Sql } from './pool.js';

export function createFilteredOriginsTable(sql: Sql): UnitTables['filtered'] {
  return {
    async findMany(keys: readonly OriginKey[]) {
      const { rows } = await sql.query<{ i: number; fingerprint: string }>(
        `SELECT u.i, f.fingerprint FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, o, i)
         JOIN filtered_origins f ON f.source_key = u.s AND f.origin_id = u.o`,
        [keys.map((k) => toPg(k.sourceKey)), keys.map((k) => toPg(k.originId))],
      );
      const out: (string | null)[] = keys.map(() => null);
      for (const row of rows) out[Number(row.i) - 1] = row.fingerprint;
      return out;
    },
    async recordMany(sourceKey: string, fingerprint: string, dropped: readonly FilteredRecord[], nowMs: number) {
      await sql.query(
        `INSERT INTO filtered_origins (source_key, origin_id, title, rule, fingerprint, dropped_ms)
         SELECT $1, o, t, r, $2, $3::bigint FROM unnest($4::text[], $5::text[], $6::text[]) AS u(o, t, r)
         ON CONFLICT (source_key, origin_id) DO UPDATE SET title = excluded.title, rule = excluded.rule, fingerprint = excluded.fingerprint`,
        [toPg(sourceKey), fingerprint, nowMs, dropped.map((d) => toPg(d.originId)), dropped.map((d) => toPg(d.title)), dropped.map((d) => toPg(d.rule))],
      );
    },
    async forgetMany(keys: readonly OriginKey[]) {
      await sql.query(
        `DELETE FROM filtered_origins f USING unnest($1::text[], $2::text[]) AS u(s, o) WHERE f.source_key = u.s AND f.origin_id = u.o`,
        [keys.map((k) => toPg(k.sourceKey)), keys.map((k) => toPg(k.originId))],
      );
    },
  };
}

export async function filterCounts(sql: Sql): Promise<FilterCount[]> {
  const { rows } = await sql.query<FilterCount>(
    `SELECT source_key AS "sourceKey", rule, count(*)::int AS count FROM filtered_origins
     GROUP BY source_key, rule ORDER BY source_key, count DESC, rule COLLATE "C"`,
  );
  return rows;
}
