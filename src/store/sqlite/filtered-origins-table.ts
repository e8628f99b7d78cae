// filtered_origins on SQLite: the articles a source filter dropped, one small row each (no body), so a
// dropped article stays out while the same rules stand and is counted once per rule.
import type Database from 'better-sqlite3';
import type { FilterCount, FilteredRecord } from '../store.js';
import type { OriginKey, UnitTables } from '../table-steps.js';

export const FILTERED_ORIGINS_MIGRATION = `
  CREATE TABLE filtered_origins (
    source_key TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    title TEXT NOT NULL,
    rule TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    dropped_ms INTEGER NOT NULL,
    PRIMARY KEY (source_key, origin_id)
  );
`;

export function createFilteredOriginsTable(db: Database.Database): UnitTables['filtered'] & { counts(): FilterCount[] } {
  const find = db.prepare<[string, string], { fingerprint: string }>('SELECT fingerprint FROM filtered_origins WHERE source_key = ? AND origin_id = ?');
  const upsert = db.prepare<[string, string, string, string, string, number]>(
    `INSERT INTO filtered_origins (source_key, origin_id, title, rule, fingerprint, dropped_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (source_key, origin_id) DO UPDATE SET title = excluded.title, rule = excluded.rule, fingerprint = excluded.fingerprint`,
  );
  const remove = db.prepare<[string, string]>('DELETE FROM filtered_origins WHERE source_key = ? AND origin_id = ?');
  const counts = db.prepare<[], FilterCount>(
    'SELECT source_key AS sourceKey, rule, count(*) AS count FROM filtered_origins GROUP BY source_key, rule ORDER BY source_key, count DESC, rule',
  );
  return {
    findMany: (keys: readonly OriginKey[]) => keys.map((k) => find.get(k.sourceKey, k.originId)?.fingerprint ?? null),
    recordMany(sourceKey: string, fingerprint: string, dropped: readonly FilteredRecord[], nowMs: number) {
      for (const d of dropped) upsert.run(sourceKey, d.originId, d.title, d.rule, fingerprint, nowMs);
    },
    forgetMany(keys: readonly OriginKey[]) {
      for (const k of keys) remove.run(k.sourceKey, k.originId);
    },
    counts: () => counts.all(),
  };
}
