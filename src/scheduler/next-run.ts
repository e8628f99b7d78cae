// When a source is next due: its cron time, pushed back by failures (exponential backoff) and by what the
// source asked for (Retry-After on 429/503, RSS <ttl>, Cache-Control max-age), each bounded by a ceiling
// so a hostile or mistaken header cannot park a source for a year. Never sooner than the cron time. Pure.

export interface NextRunInput {
  now: Date;
  /** The next time the source's cron expression fires. */
  cronNext: Date | null;
  ok: boolean;
  /** Failures in a row including this run (0 after a success: one success resets the backoff). */
  consecutiveFailures: number;
  ttlMinutes?: number | undefined;
  /** Retry-After of a 429/503 answer, in ms. */
  retryAfterMs?: number | null | undefined;
  /** Cache-Control max-age of a 200/304 answer, in ms. */
  maxAgeMs?: number | null | undefined;
  /** First backoff step; doubles with every further failure. */
  backoffBaseMs?: number | undefined;
  backoffCapMs?: number | undefined;
  ttlCapMs?: number | undefined;
  retryAfterCapMs?: number | undefined;
  maxAgeCapMs?: number | undefined;
}

export const DEFAULT_BACKOFF_BASE_MS = 5 * 60_000;
export const DEFAULT_BACKOFF_CAP_MS = 6 * 3_600_000;
export const DEFAULT_TTL_CAP_MS = 24 * 3_600_000;
export const DEFAULT_RETRY_AFTER_CAP_MS = 24 * 3_600_000;
export const DEFAULT_MAX_AGE_CAP_MS = 24 * 3_600_000;

const bounded = (value: number | null | undefined, cap: number): number => (value && value > 0 ? Math.min(value, cap) : 0);

/**
 * The earliest time a successful source asked to be fetched again (its <ttl> or max-age, capped); null when
 * it asked nothing. Failures have their own wait (backoff, Retry-After), which the failure count tells.
 */
export function askedWaitUntil(input: NextRunInput): Date | null {
  if (!input.ok) return null;
  const wait = Math.max(
    bounded(input.ttlMinutes ? input.ttlMinutes * 60_000 : 0, input.ttlCapMs ?? DEFAULT_TTL_CAP_MS),
    bounded(input.maxAgeMs, input.maxAgeCapMs ?? DEFAULT_MAX_AGE_CAP_MS),
  );
  return wait > 0 ? new Date(input.now.getTime() + wait) : null;
}

export function nextRunTime(input: NextRunInput): Date | null {
  const now = input.now.getTime();
  let wait = 0;
  if (!input.ok) {
    if (input.consecutiveFailures > 0) {
      const base = input.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
      const cap = input.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS;
      wait = Math.min(cap, base * 2 ** Math.min(30, input.consecutiveFailures - 1));
    }
    wait = Math.max(wait, bounded(input.retryAfterMs, input.retryAfterCapMs ?? DEFAULT_RETRY_AFTER_CAP_MS));
  } else {
    wait = (askedWaitUntil(input)?.getTime() ?? now) - now;
  }
  const earliest = now + wait;
  if (!input.cronNext) return wait === 0 ? null : new Date(earliest);
  return new Date(Math.max(input.cronNext.getTime(), earliest));
}
