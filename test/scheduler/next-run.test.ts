import { describe, expect, it } from 'vitest';
import { nextRunTime } from '../../src/scheduler/next-run.js';

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
