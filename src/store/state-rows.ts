// Rows of source state and categories as both backends keep them, and their mapping to the domain types.
import type { CategorySummary, SourceState } from '../types.js';

export interface SourceRow {
  name: string;
  url: string;
  last_attempt_ms: number | null;
  last_success_ms: number | null;
  http_status: number | null;
  last_error: string | null;
  consecutive_failures: number;
  next_run_ms: number | null;
  etag: string | null;
  last_modified: string | null;
  added_last: number;
  added_total: number;
  discovered_url: string | null;
}

const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

export const toSourceState = (row: SourceRow): SourceState => ({
  name: row.name,
  url: row.url,
  lastAttempt: toDate(row.last_attempt_ms),
  lastSuccess: toDate(row.last_success_ms),
  httpStatus: row.http_status,
  lastError: row.last_error,
  consecutiveFailures: row.consecutive_failures,
  nextRun: toDate(row.next_run_ms),
  etag: row.etag,
  lastModified: row.last_modified,
  addedLastRun: row.added_last,
  addedTotal: row.added_total,
  discoveredUrl: row.discovered_url,
});

export interface CategoryRow {
  slug: string;
  name: string;
  story_count: number;
  last_changed_ms: number | null;
}

export const toCategorySummary = (row: CategoryRow): CategorySummary => ({
  slug: row.slug,
  name: row.name,
  count: row.story_count,
  lastChanged: toDate(row.last_changed_ms),
});
