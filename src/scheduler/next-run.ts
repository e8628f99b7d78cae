// When a source is next due: its cron time, pushed back by failures (exponential backoff) and by what the
// source asked for (RSS <ttl>), each bounded by a ceiling. Pure.

export interface NextRunInput {
  now: Date;
  /** The next time the source's cron expression fires. */
  cronNext: Date | null;
  ok: boolean;
  consecutiveFailures: number;
  ttlMinutes?: number | undefined;
  /** First backoff step; doubles with every further failure. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  ttlCapMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 5 * 60_000;
export const DEFAULT_BACKOFF_CAP_MS = 6 * 3_600_000;
export const DEFAULT_TTL_CAP_MS = 24 * 3_600_000;

export function nextRunTime(input: NextRunInput): Date | null {
  const now = input.now.getTime();
  let earliest = now;
  if (!input.ok && input.consecutiveFailures > 0) {
    const base = input.backoffBaseMs ?? DEFAULT_BACKOFF_BASE_MS;
    const cap = input.backoffCapMs ?? DEFAULT_BACKOFF_CAP_MS;
    earliest = now + Math.min(cap, base * 2 ** Math.min(30, input.consecutiveFailures - 1));
  } else if (input.ok && input.ttlMinutes && input.ttlMinutes > 0) {
    earliest = now + Math.min(input.ttlMinutes * 60_000, input.ttlCapMs ?? DEFAULT_TTL_CAP_MS);
  }
  if (!input.cronNext) return earliest === now ? null : new Date(earliest);
  return new Date(Math.max(input.cronNext.getTime(), earliest));
}
