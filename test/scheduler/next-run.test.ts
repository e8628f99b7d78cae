import { describe, expect, it } from 'vitest';
import { askedWaitUntil, nextRunTime } from '../../src/scheduler/next-run.js';

const now = new Date('2026-01-01T00:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

describe('nextRunTime', () => {
  it('is the cron time after a success', () => {
    expect(nextRunTime({ now, cronNext: minutes(15), ok: true, consecutiveFailures: 0 })).toEqual(minutes(15));
  });

  it('honours an RSS ttl longer than the schedule, up to its ceiling', () => {
    expect(nextRunTime({ now, cronNext: minutes(15), ok: true, consecutiveFailures: 0, ttlMinutes: 60 })).toEqual(minutes(60));
    expect(nextRunTime({ now, cronNext: minutes(15), ok: true, consecutiveFailures: 0, ttlMinutes: 10_000, ttlCapMs: 120 * 60_000 })).toEqual(minutes(120));
  });

  it('backs off exponentially after failures, up to the cap', () => {
    const after = (failures: number) => nextRunTime({ now, cronNext: minutes(1), ok: false, consecutiveFailures: failures, backoffBaseMs: 60_000, backoffCapMs: 6 * 3_600_000 });
    expect(after(1)).toEqual(minutes(1));
    expect(after(2)).toEqual(minutes(2));
    expect(after(4)).toEqual(minutes(8));
    expect(after(20)).toEqual(minutes(360));
  });

  it('never runs sooner than the cron schedule', () => {
    expect(nextRunTime({ now, cronNext: minutes(30), ok: false, consecutiveFailures: 1, backoffBaseMs: 60_000 })).toEqual(minutes(30));
  });
});

describe('nextRunTime: what the source asks for', () => {
  const ok = { now, cronNext: minutes(15), ok: true, consecutiveFailures: 0 };
  const failed = (failures: number) => ({ now, cronNext: minutes(15), ok: false, consecutiveFailures: failures });

  it('waits at least the Retry-After of a 429/503, capped by its ceiling', () => {
    expect(nextRunTime({ ...failed(1), retryAfterMs: 90 * 60_000 })).toEqual(minutes(90));
    expect(nextRunTime({ ...failed(1), retryAfterMs: 90 * 60_000, retryAfterCapMs: 30 * 60_000 })).toEqual(minutes(30));
    // Default ceiling: 24 h, even when the server asks for a week.
    expect(nextRunTime({ ...failed(1), retryAfterMs: 7 * 24 * 3_600_000 })).toEqual(minutes(24 * 60));
  });

  it('keeps the longer of backoff and Retry-After, and never goes sooner than cron', () => {
    expect(nextRunTime({ ...failed(5), retryAfterMs: 60_000 })).toEqual(minutes(5 * 16));
    expect(nextRunTime({ ...failed(5), retryAfterMs: 3 * 3_600_000 })).toEqual(minutes(180));
    expect(nextRunTime({ ...failed(1), retryAfterMs: 1_000 })).toEqual(minutes(15));
  });

  it('honours Cache-Control max-age after a success, capped by its ceiling', () => {
    expect(nextRunTime({ ...ok, maxAgeMs: 45 * 60_000 })).toEqual(minutes(45));
    expect(nextRunTime({ ...ok, maxAgeMs: 10 * 60_000 })).toEqual(minutes(15));
    expect(nextRunTime({ ...ok, maxAgeMs: 365 * 24 * 3_600_000 })).toEqual(minutes(24 * 60));
    expect(nextRunTime({ ...ok, maxAgeMs: 5 * 3_600_000, maxAgeCapMs: 3_600_000 })).toEqual(minutes(60));
  });

  it('takes the larger of ttl and max-age; ttl has a 24 h default ceiling', () => {
    expect(nextRunTime({ ...ok, ttlMinutes: 60, maxAgeMs: 120 * 60_000 })).toEqual(minutes(120));
    expect(nextRunTime({ ...ok, ttlMinutes: 180, maxAgeMs: 120 * 60_000 })).toEqual(minutes(180));
    expect(nextRunTime({ ...ok, ttlMinutes: 100_000 })).toEqual(minutes(24 * 60));
  });

  it('forgets backoff after a success, and a success ignores a stale Retry-After', () => {
    expect(nextRunTime({ ...ok, retryAfterMs: 10 * 3_600_000 })).toEqual(minutes(15));
  });

  it('askedWaitUntil is the wait a successful source asked for (ttl, max-age, capped), not the cron time nor a failure\'s', () => {
    expect(askedWaitUntil({ ...ok, ttlMinutes: 60, maxAgeMs: 120 * 60_000 })).toEqual(minutes(120));
    expect(askedWaitUntil({ ...ok, maxAgeMs: 10 * 60_000 })).toEqual(minutes(10));
    expect(askedWaitUntil({ ...ok, ttlMinutes: 100_000 })).toEqual(minutes(24 * 60));
    expect(askedWaitUntil(ok)).toBeNull();
    expect(askedWaitUntil({ ...failed(1), retryAfterMs: 90 * 60_000 })).toBeNull();
  });

  it('returns null without a cron time when nothing asks to wait, else the wait', () => {
    expect(nextRunTime({ now, cronNext: null, ok: true, consecutiveFailures: 0 })).toBeNull();
    expect(nextRunTime({ now, cronNext: null, ok: false, consecutiveFailures: 0, retryAfterMs: 60_000 })).toEqual(minutes(1));
  });
});
