// The log of work failed by the database being down. While it is down the same work fails the same way over and
// over (every request on a busy site, a worker's 1 s poller, its lease sweep): thousands of identical lines with
// stacks. So the first failure is logged whole (cause, stack, what failed); later ones are counted and said once per
// window (how many, a few samples and errors); and the end of the outage is said once.
// Two ends: the web's requests come and go, so a window without a failure ends it; a loop that asks the database
// again and again knows when it answered, and says so then (a window without failures says nothing: a 15 s sweep
// misses 10 s windows), with windows that double up to `longestWindowMs`, so an hour's outage is a dozen lines.
import { describeError } from '../errors.js';

/** The part of a pino logger the log uses. */
export interface AppLogger {
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** How long failures are counted before they are summarised in one line; a window without one ends the outage. */
export const FAILURE_SUMMARY_MS = 10_000;
/** The longest window of a loop's outage log: an hour's outage is ~12 lines. */
export const LONGEST_SUMMARY_MS = 600_000;
/** Distinct samples and error messages a summary names (the rest are only counted). */
const SAMPLES = 5;

/** The error and its causes, one line each, outermost first: what failed and what the database or driver said. */
export function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at !== undefined && at !== null && parts.length < 4; at = (at as { cause?: unknown }).cause) {
    parts.push(describeError(at));
  }
  return parts.join(' ← ');
}

export interface OutageLogOptions {
  /** The messages of the first failure (logged whole), of each window's summary, and of the end. */
  messages: { first: string; summary: string; ended: string };
  /** 'quiet': a window without a failure ends the outage; 'answered': only `answered()` does. */
  endsWhen: 'quiet' | 'answered';
  /** The field a summary lists the samples under (`urls`); none: failures are not sampled. */
  samplesAs?: string;
  windowMs?: number;
  /** Windows double from `windowMs` up to this ('answered' only; the default keeps them equal). */
  longestWindowMs?: number;
}

export interface OutageLog {
  /** A failure: `context` goes whole into the first line; `sample` (a url) into the summaries. */
  failed(error: unknown, context?: Record<string, unknown>, sample?: string): void;
  /** The database answered: an outage being logged ends, said in one line. */
  answered(): void;
}

export function createOutageLog(logger: AppLogger, options: OutageLogOptions): OutageLog {
  const { messages, endsWhen, samplesAs } = options;
  const firstWindowMs = options.windowMs ?? FAILURE_SUMMARY_MS;
  const longestWindowMs = Math.max(firstWindowMs, options.longestWindowMs ?? firstWindowMs);
  /** The outage being logged: since when, how many failed, and the current window's length, count and samples. */
  let outage: { since: number; last: number; total: number; count: number; windowMs: number; samples: Set<string>; errors: Set<string> } | null = null;
  let timer: NodeJS.Timeout | undefined;

  const sample = (set: Set<string>, value: string) => {
    if (set.size < SAMPLES) set.add(value);
  };
  const startWindow = () => {
    timer = setTimeout(endOfWindow, outage!.windowMs);
    timer.unref();
  };
  const end = (extra: Record<string, unknown>) => {
    clearTimeout(timer);
    timer = undefined;
    if (outage === null) return;
    logger.info({ failed: outage.total, since: new Date(outage.since).toISOString(), lastFailure: new Date(outage.last).toISOString(), ...extra }, messages.ended);
    outage = null;
  };
  function endOfWindow(): void {
    timer = undefined;
    if (outage === null) return;
    if (outage.count === 0) {
      // A loop's quiet window says nothing: the next window starts at its next failure.
      if (endsWhen === 'quiet') end({ quietSeconds: outage.windowMs / 1000 });
      return;
    }
    logger.error({
      failed: outage.count, windowSeconds: outage.windowMs / 1000, ...(samplesAs ? { [samplesAs]: [...outage.samples] } : {}),
      errors: [...outage.errors], since: new Date(outage.since).toISOString(),
    }, messages.summary);
    outage.count = 0;
    outage.samples.clear();
    outage.errors.clear();
    if (endsWhen === 'answered') outage.windowMs = Math.min(longestWindowMs, outage.windowMs * 2);
    startWindow();
  }

  return {
    failed(error, context = {}, sampled) {
      const now = Date.now();
      if (outage === null) {
        // The later ones until the end are counted in one summary line per window.
        logger.error({ error: describeError(error), cause: causeChain(error), ...context, stack: (error as Error)?.stack }, messages.first);
        outage = { since: now, last: now, total: 1, count: 0, windowMs: firstWindowMs, samples: new Set(), errors: new Set() };
        startWindow();
        return;
      }
      outage.last = now;
      outage.total++;
      outage.count++;
      if (sampled !== undefined) sample(outage.samples, sampled);
      sample(outage.errors, describeError(error));
      if (timer === undefined) startWindow();
    },
    answered() {
      if (outage !== null) end({ downSeconds: Math.round((Date.now() - outage.since) / 100) / 10 });
    },
  };
}

export interface DatabaseFailureLog {
  failed(error: unknown, request: { method: string; url: string }): void;
}

/** The web's: requests failed by the database (StoreError, answered 503), ended by a quiet window. */
export function createDatabaseFailureLog(logger: AppLogger, windowMs = FAILURE_SUMMARY_MS): DatabaseFailureLog {
  const log = createOutageLog(logger, {
    messages: { first: 'request failed', summary: 'requests failed: database unavailable', ended: 'requests no longer fail on the database' },
    endsWhen: 'quiet', samplesAs: 'urls', windowMs,
  });
  return { failed: (error, { method, url }) => log.failed(error, { method, url }, url) };
}
