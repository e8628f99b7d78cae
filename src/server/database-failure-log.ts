// The log of requests failed by the database (StoreError, answered 503). While the database is down every request
// that needs it fails the same way: a busy site would log thousands of identical lines with stacks a second. So the
// first failure is logged whole (cause, stack, url); later ones are counted and said once per window (how many, a
// few of their urls and errors); and once a whole window passes without one, that the failures stopped.
import { describeError } from '../errors.js';

/** The part of a pino logger the server uses. */
export interface AppLogger {
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** How long failures are counted before they are summarised in one line; a window without one ends the outage. */
export const FAILURE_SUMMARY_MS = 10_000;
/** Distinct urls and error messages a summary names (the rest are only counted). */
const SAMPLES = 5;

/** The error and its causes, one line each, outermost first: what failed and what the database or driver said. */
export function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at !== undefined && at !== null && parts.length < 4; at = (at as { cause?: unknown }).cause) {
    parts.push(describeError(at));
  }
  return parts.join(' ← ');
}

export interface DatabaseFailureLog {
  failed(error: unknown, request: { method: string; url: string }): void;
}

export function createDatabaseFailureLog(logger: AppLogger, windowMs = FAILURE_SUMMARY_MS): DatabaseFailureLog {
  /** The outage being logged: since when, how many failed, and the current window's count and samples. */
  let outage: { since: number; last: number; total: number; count: number; urls: Set<string>; errors: Set<string> } | null = null;

  const sample = (set: Set<string>, value: string) => {
    if (set.size < SAMPLES) set.add(value);
  };
  const endOfWindow = (): void => {
    if (outage === null) return;
    if (outage.count === 0) {
      logger.info({ failed: outage.total, since: new Date(outage.since).toISOString(), lastFailure: new Date(outage.last).toISOString(), quietSeconds: windowMs / 1000 },
        'requests no longer fail on the database');
      outage = null;
      return;
    }
    logger.error({ failed: outage.count, windowSeconds: windowMs / 1000, urls: [...outage.urls], errors: [...outage.errors], since: new Date(outage.since).toISOString() },
      'requests failed: database unavailable');
    outage.count = 0;
    outage.urls.clear();
    outage.errors.clear();
    setTimeout(endOfWindow, windowMs).unref();
  };

  return {
    failed(error, { method, url }) {
      const now = Date.now();
      if (outage === null) {
        // The later ones until a quiet window are counted in one 'requests failed' line per window.
        logger.error({ error: describeError(error), cause: causeChain(error), method, url, stack: (error as Error)?.stack }, 'request failed');
        outage = { since: now, last: now, total: 1, count: 0, urls: new Set(), errors: new Set() };
        setTimeout(endOfWindow, windowMs).unref();
        return;
      }
      outage.last = now;
      outage.total++;
      outage.count++;
      sample(outage.urls, url);
      sample(outage.errors, describeError(error));
    },
  };
}
