// How long a source asks us to stay away: Retry-After (429/503) and Cache-Control max-age (200/304).
// Durations are measured against the response's own Date header when it has one, so a skewed clock on
// either side does not turn "come back in an hour" into "come back now" or "come back tomorrow".

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, dateHeader: string | null, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null; // an HTTP date names its day and month; "-5" is not one
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  const serverNow = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  return Math.max(0, at - (Number.isNaN(serverNow) ? now : serverNow));
}

/**
 * Remaining freshness from Cache-Control max-age (minus Age), in milliseconds; null when absent or when
 * the response says not to reuse it (no-cache, no-store).
 */
export function parseMaxAge(cacheControl: string | null, age: string | null): number | null {
  if (!cacheControl) return null;
  const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-cache' || d === 'no-store')) return null;
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)).find(Boolean);
  if (!maxAge) return null;
  const ageSeconds = age && /^\d+$/.test(age.trim()) ? Number(age.trim()) : 0;
  return Math.max(0, Number(maxAge[1]) - ageSeconds) * 1000;
}
