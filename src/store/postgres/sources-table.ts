// sources on PostgreSQL: the fetch state of each source, recorded as on SQLite (sqlite/sources-table.ts).
import type { SourceState } from '../../types.js';
import { toSourceState, type SourceRow } from '../state-rows.js';
import type { FetchOutcome, NextRunMove, ScheduleNext } from '../store.js';
import type { Sql } from './pool.js';

// Validators and the discovered feed are kept when the outcome does not mention them ($8/$10/$13 false); an explicit null clears them.
const RECORD = `
  INSERT INTO sources AS s (name, url, last_attempt_ms, last_success_ms, http_status, last_error,
    consecutive_failures, next_run_ms, etag, last_modified, added_last, added_total, discovered_url, not_before_ms)
  VALUES ($1, $2, $3, CASE WHEN $4::boolean THEN $3::bigint END, $5, $6, CASE WHEN $4::boolean THEN 0 ELSE 1 END, $7,
    CASE WHEN $8::boolean THEN $9 END, CASE WHEN $10::boolean THEN $11 END, $12, $12, CASE WHEN $13::boolean THEN $14 END, $15)
  ON CONFLICT (name) DO UPDATE SET
    url = excluded.url,
    last_attempt_ms = excluded.last_attempt_ms,
    last_success_ms = CASE WHEN $4::boolean THEN excluded.last_attempt_ms ELSE s.last_success_ms END,
    http_status = excluded.http_status,
    last_error = excluded.last_error,
    consecutive_failures = CASE WHEN $4::boolean THEN 0 ELSE s.consecutive_failures + 1 END,
    next_run_ms = excluded.next_run_ms,
    not_before_ms = excluded.not_before_ms,
    etag = CASE WHEN $8::boolean THEN $9 ELSE s.etag END,
    last_modified = CASE WHEN $10::boolean THEN $11 ELSE s.last_modified END,
    added_last = excluded.added_last,
    added_total = s.added_total + excluded.added_last,
    discovered_url = CASE WHEN $13::boolean THEN $14 ELSE s.discovered_url END`;

// One statement for every run; `old` reads (and locks, in name order) each row as it was, for the log's `from`.
const BRING_FORWARD = `
  UPDATE sources AS s SET next_run_ms = GREATEST(r.schedule_ms, COALESCE(s.not_before_ms, 0))
  FROM unnest($1::text[], $2::bigint[], $3::boolean[]) AS r(name, schedule_ms, waits),
    (SELECT name, next_run_ms FROM sources WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE) AS old
  WHERE s.name = r.name AND old.name = r.name AND s.next_run_ms > GREATEST(r.schedule_ms, COALESCE(s.not_before_ms, 0))
    AND (NOT r.waits OR s.consecutive_failures = 0 OR s.not_before_ms IS NOT NULL)
  RETURNING s.name, old.next_run_ms AS from_ms, s.next_run_ms AS to_ms`;

export function createSourcesTable(sql: Sql) {
  return {
    async bringForward(runs: readonly ScheduleNext[]): Promise<NextRunMove[]> {
      if (runs.length === 0) return [];
      const { rows } = await sql.query<{ name: string; from_ms: number; to_ms: number }>(BRING_FORWARD, [
        runs.map((run) => run.name), runs.map((run) => run.scheduleNext.getTime()), runs.map((run) => run.waitsRecorded),
      ]);
      return rows.map((row) => ({ name: row.name, from: new Date(row.from_ms), to: new Date(row.to_ms) }));
    },
    async record(source: { name: string; url: string }, outcome: FetchOutcome): Promise<void> {
      await sql.query(RECORD, [
        source.name, source.url, outcome.at.getTime(), outcome.ok, outcome.httpStatus, outcome.error,
        outcome.nextRun?.getTime() ?? null,
        outcome.etag !== undefined, outcome.etag ?? null,
        outcome.lastModified !== undefined, outcome.lastModified ?? null,
        outcome.added,
        outcome.discoveredUrl !== undefined, outcome.discoveredUrl ?? null,
        outcome.notBefore?.getTime() ?? null,
      ]);
    },
    async get(name: string): Promise<SourceState | null> {
      const { rows } = await sql.query<SourceRow>('SELECT * FROM sources WHERE name = $1', [name]);
      return rows[0] ? toSourceState(rows[0]) : null;
    },
    async list(): Promise<SourceState[]> {
      const { rows } = await sql.query<SourceRow>('SELECT * FROM sources ORDER BY name');
      return rows.map(toSourceState);
    },
  };
}
