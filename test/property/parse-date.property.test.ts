// The date parser on random and hostile input: never throws; returns null or a sane date; reads back
// the dates it is meant to read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDate } from '../../src/ingest/parse/parse-date.js';

const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Pacific/Chatham', 'Not/AZone', '', '+08:00'];
const DATEISH = ['Mon', ', ', '27', 'Apr', '2022', '00:43:25', 'GMT', '+0800', '-0500', 'T', 'Z', '-', ':', '.', '99', '0000', '9999', 'Invalid Date', ' ', 'EST', '上午', '年', '月', '日'];
const dateish = fc.array(fc.oneof(fc.constantFrom(...DATEISH), fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join(''));
const inRange = fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('2199-12-30T00:00:00Z'), noInvalidDate: true });

/** Checks a result; says whether it was a date, so a test can show the parser is not just returning null. */
function sane(result: Date | null): boolean {
  if (result === null) return false;
  expect(Number.isNaN(result.getTime())).toBe(false);
  expect(result.getUTCFullYear()).toBeGreaterThanOrEqual(1899);
  expect(result.getUTCFullYear()).toBeLessThanOrEqual(2201);
  return true;
}

describe('parseDate properties', () => {
  it('never throws and returns null or a date in 1900–2200, for any text and zone', () => {
    const outcomes = { date: 0, none: 0 };
    fc.assert(
      fc.property(fc.oneof(dateish, fc.string({ unit: 'binary', maxLength: 60 })), fc.constantFrom(...ZONES), (text, zone) => {
        outcomes[sane(parseDate(text, zone)) ? 'date' : 'none']++;
      }),
      { numRuns: 3000 },
    );
    // Date-shaped pieces must make dates some of the time: a parser returning null would pass the above.
    expect(outcomes.date).toBeGreaterThan(0);
    expect(outcomes.none).toBeGreaterThan(0);
  });

  it('accepts Date objects: invalid or out of range ones give null, the others themselves', () => {
    fc.assert(fc.property(fc.date(), (date) => void sane(parseDate(date))), { numRuns: 500 });
    fc.assert(fc.property(inRange, (date) => {
      expect(parseDate(date)?.getTime()).toBe(date.getTime());
    }), { numRuns: 500 });
    expect(parseDate(new Date(Number.NaN))).toBeNull();
  });

  it('reads back ISO 8601 and RFC 822 forms of any date in range', () => {
    fc.assert(
      fc.property(inRange, (date) => {
        const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000);
        expect(parseDate(date.toISOString())?.getTime()).toBe(date.getTime());
        expect(parseDate(seconds.toUTCString())?.getTime()).toBe(seconds.getTime());
      }),
      { numRuns: 1000 },
    );
  });

  it('reads zone-less local times in the given zone', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
        const seconds = new Date(Math.floor(date.getTime() / 1000) * 1000);
        const local = seconds.toISOString().slice(0, 19).replace('T', ' ');
        expect(parseDate(local, 'UTC')?.getTime()).toBe(seconds.getTime());
      }),
      { numRuns: 500 },
    );
  });
});
