// Refresh requests (POST /admin/refresh on a `web` process, run by a worker): the row mapping and how long
// finished requests are kept, shared by both backends' refresh_requests tables.
import type { RefreshRequest } from './store.js';

/** Finished requests are kept this long after they finish (to be followed), then dropped by the next request. */
export const REFRESH_KEPT_MS = 86_400_000;

export interface RefreshRow {
  id: number;
  source: string | null;
  requested_ms: number;
  finished_ms: number | null;
  /** The names run, as JSON; null until finished, and when the worker knew no such source. */
  refreshed: string | null;
}

export function toRefreshRequest(row: RefreshRow): RefreshRequest {
  return {
    id: Number(row.id),
    source: row.source,
    requestedAt: new Date(row.requested_ms),
    finishedAt: row.finished_ms === null ? null : new Date(row.finished_ms),
    refreshed: row.refreshed === null ? null : (JSON.parse(row.refreshed) as string[]),
  };
}
