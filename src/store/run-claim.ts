// The rule of a run claim, shared by every backend: each reads the rows under its own lock (SQLite's single
// writer, PostgreSQL's row and advisory locks) and asks this what to write.
import type { ClaimResult, RunClaim, RunDue } from './store.js';

/** A cron run fires on the second; a next-run time this close to now counts as come. */
export const DUE_TOLERANCE_MS = 1_000;

/** What the claim reads: the run's source state (null before its first run) and its lease row. */
export interface ClaimView {
  /** Now on the clock that wrote the run's due times (this process's: the scheduler records next runs). */
  nowMs: number;
  /** Now on the clock leases are written on, when it is another (the database's, on PostgreSQL). */
  leaseNowMs?: number;
  state: { nextRunMs: number | null; consecutiveFailures: number; notBeforeMs: number | null } | null;
  lease: { owner: string; expiresMs: number } | null;
  /** Live leases on the claim's host, this run's own row left out. */
  liveOnHost: number;
}

export function isRunDue(due: RunDue, state: ClaimView['state'], nowMs: number): boolean {
  if (due === 'always') return true;
  // At start-up: a source that failed, or asked to wait (<ttl>, max-age), waits for its next run time.
  if (due === 'not-backed-off' && !state?.consecutiveFailures && !(state?.notBeforeMs != null && state.notBeforeMs > nowMs)) return true;
  return state?.nextRunMs == null || state.nextRunMs <= nowMs + DUE_TOLERANCE_MS;
}

/**
 * `write`: take (or take over) the lease; `drop`: delete an expired lease whose run is no longer due (its
 * owner recorded the outcome and died before releasing); `keep`: touch nothing.
 */
export function decideClaim(claim: RunClaim, view: ClaimView): { result: ClaimResult; action: 'write' | 'drop' | 'keep' } {
  const leaseNowMs = view.leaseNowMs ?? view.nowMs;
  const live = view.lease !== null && view.lease.expiresMs > leaseNowMs;
  if (live) return { result: { claimed: false, reason: 'held' }, action: 'keep' };
  if (!isRunDue(claim.due, view.state, view.nowMs)) {
    return { result: { claimed: false, reason: 'not-due' }, action: view.lease ? 'drop' : 'keep' };
  }
  if (claim.host !== null && view.liveOnHost >= claim.perHost) return { result: { claimed: false, reason: 'host-busy' }, action: 'keep' };
  return { result: { claimed: true, expiresAt: new Date(leaseNowMs + claim.leaseMs) }, action: 'write' };
}
