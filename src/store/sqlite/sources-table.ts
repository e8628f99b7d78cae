// sources: the fetch state of each source (a configured feed, or the seed folder).
import type Database from 'better-sqlite3';
import type { SourceState } from '../../types.js';
import { toSourceState, type SourceRow } from '../state-rows.js';
import type { FetchOutcome, NextRunMove, ScheduleNext } from '../store.js';

/** Migration: the feed discovered on a source's HTML page (discovery), polled until the config names it. */
export const DISCOVERED_URL_MIGRATION = `
  ALTER TABLE sources ADD COLUMN discovered_url TEXT;
`;

/** Migration 15: the earliest time a source asked to be fetched again (<ttl>, max-age), so a restart waits for it. */
export const NOT_BEFORE_MIGRATION = `
  ALTER TABLE sources ADD COLUMN not_before_ms INTEGER;
`;

export function createSourcesTable(db: Database.Database) {
  // Validators (etag, last_modified) are kept when the outcome does not mention them (undefined),
  // so a failed fetch does not forget them; an explicit null clears them. The discovered feed likewise.
  const record = db.prepare(`
    INSERT INTO sources (name, url, last_attempt_ms, last_success_ms, http_status, last_error,
      consecutive_failures, next_run_ms, not_before_ms, etag, last_modified, added_last, added_total, discovered_url)
    VALUES (@name, @url, @at_ms, CASE WHEN @ok THEN @at_ms END, @http_status, @error,
      CASE WHEN @ok THEN 0 ELSE 1 END, @next_run_ms, @not_before_ms,
      CASE WHEN @etag_given THEN @etag END, CASE WHEN @last_modified_given THEN @last_modified END,
      @added, @added, CASE WHEN @discovered_given THEN @discovered_url END)
    ON CONFLICT (name) DO UPDATE SET
      url = excluded.url,
      last_attempt_ms = excluded.last_attempt_ms,
      last_success_ms = CASE WHEN @ok THEN excluded.last_attempt_ms ELSE last_success_ms END,
      http_status = excluded.http_status,
      last_error = excluded.last_error,
      consecutive_failures = CASE WHEN @ok THEN 0 ELSE consecutive_failures + 1 END,
      next_run_ms = excluded.next_run_ms,
      not_before_ms = excluded.not_before_ms,
      etag = CASE WHEN @etag_given THEN @etag ELSE etag END,
      last_modified = CASE WHEN @last_modified_given THEN @last_modified ELSE last_modified END,
      added_last = excluded.added_last,
      added_total = added_total + excluded.added_last,
      discovered_url = CASE WHEN @discovered_given THEN @discovered_url ELSE discovered_url END`);
  const one = db.prepare<[string], SourceRow>('SELECT * FROM sources WHERE name = ?');
  const all = db.prepare<[], SourceRow>('SELECT * FROM sources ORDER BY name');
  // Read and moved in one IMMEDIATE transaction, so a run recorded meanwhile by another process is not overwritten.
  const stored = db.prepare<[string], { next_run_ms: number | null }>('SELECT next_run_ms FROM sources WHERE name = ?');
  const forward = db.prepare<{ name: string; schedule_ms: number; waits: number }, { to_ms: number }>(`
    UPDATE sources SET next_run_ms = max(@schedule_ms, coalesce(not_before_ms, 0))
    WHERE name = @name AND next_run_ms > max(@schedule_ms, coalesce(not_before_ms, 0))
      AND (NOT @waits OR consecutive_failures = 0 OR not_before_ms IS NOT NULL)
    RETURNING next_run_ms AS to_ms`);
  const bringForward = db.transaction((runs: readonly ScheduleNext[]): NextRunMove[] => {
    const moves: NextRunMove[] = [];
    for (const { name, scheduleNext, waitsRecorded } of runs) {
      const from = stored.get(name)?.next_run_ms;
      const moved = forward.get({ name, schedule_ms: scheduleNext.getTime(), waits: waitsRecorded ? 1 : 0 });
      if (moved && from != null) moves.push({ name, from: new Date(from), to: new Date(moved.to_ms) });
    }
    return moves;
  }).immediate;

  return {
    record(source: { name: string; url: string }, outcome: FetchOutcome): void {
      record.run({
        name: source.name,
        url: source.url,
        at_ms: outcome.at.getTime(),
        ok: outcome.ok ? 1 : 0,
        http_status: outcome.httpStatus,
        error: outcome.error,
        next_run_ms: outcome.nextRun?.getTime() ?? null,
        not_before_ms: outcome.notBefore?.getTime() ?? null,
        etag_given: outcome.etag !== undefined ? 1 : 0,
        etag: outcome.etag ?? null,
        last_modified_given: outcome.lastModified !== undefined ? 1 : 0,
        last_modified: outcome.lastModified ?? null,
        added: outcome.added,
        discovered_given: outcome.discoveredUrl !== undefined ? 1 : 0,
        discovered_url: outcome.discoveredUrl ?? null,
      });
    },
    bringForward,
    get(name: string): SourceState | null {
      const row = one.get(name);
      return row ? toSourceState(row) : null;
    },
    list(): SourceState[] {
      return all.all().map(toSourceState);
    },
  };
}

export type SourcesTable = ReturnType<typeof createSourcesTable>;
