import { describe, expect, it } from 'vitest';
import { parseDate } from '../../../src/ingest/parse/parse-date.js';

const iso = (value: string | Date | null | undefined, tz?: string): string | null =>
  parseDate(value, tz)?.toISOString() ?? null;

describe('parseDate', () => {
  it('reads RFC 822 / 1123 dates with zone names and offsets', () => {
    expect(iso('Wed, 27 Apr 2022 00:43:25 GMT')).toBe('2022-04-27T00:43:25.000Z');
    expect(iso('Wed, 27 Apr 2022 00:43:25 UTC')).toBe('2022-04-27T00:43:25.000Z');
    expect(iso('Wed, 27 Apr 2022 00:43:25 EST')).toBe('2022-04-27T05:43:25.000Z');
    expect(iso('Wed, 27 Apr 2022 08:43:25 +0800')).toBe('2022-04-27T00:43:25.000Z');
    expect(iso('27 Apr 22 08:43 +0800')).toBe('2022-04-27T00:43:00.000Z');
    expect(iso('Wednesday, 27 April 2022 00:43:25 GMT')).toBe('2022-04-27T00:43:25.000Z');
  });

  it('ignores the zone argument when the text carries a zone', () => {
    expect(iso('Wed, 27 Apr 2022 00:43:25 GMT', 'Asia/Shanghai')).toBe('2022-04-27T00:43:25.000Z');
    expect(iso('2022-04-27T08:43:25+08:00', 'America/New_York')).toBe('2022-04-27T00:43:25.000Z');
  });

  it('reads ISO 8601 with or without a zone', () => {
    expect(iso('2022-04-27T08:43:25Z')).toBe('2022-04-27T08:43:25.000Z');
    expect(iso('2022-04-27T08:43:25.5+0800')).toBe('2022-04-27T00:43:25.500Z');
    expect(iso('2022-04-27')).toBe('2022-04-27T00:00:00.000Z');
    expect(iso('2022-04-27T08:43:25')).toBe('2022-04-27T08:43:25.000Z');
  });

  it('reads a zone-less local time in the given IANA zone, default UTC', () => {
    expect(iso('2022-04-27 08:43:25')).toBe('2022-04-27T08:43:25.000Z');
    expect(iso('2022-04-27 08:43:25', 'Asia/Shanghai')).toBe('2022-04-27T00:43:25.000Z');
    // Daylight saving time: New York is UTC-4 in summer and UTC-5 in winter.
    expect(iso('2022-07-01 12:00:00', 'America/New_York')).toBe('2022-07-01T16:00:00.000Z');
    expect(iso('2022-01-01 12:00:00', 'America/New_York')).toBe('2022-01-01T17:00:00.000Z');
  });

  it('reads an unknown zone name as UTC rather than failing', () => {
    expect(iso('2022-04-27 08:43:25', 'Mars/Olympus')).toBe('2022-04-27T08:43:25.000Z');
  });

  it('returns null for Invalid Date, blanks, garbage and absurd years', () => {
    for (const value of ['Invalid Date', 'invalid date', '', '   ', 'soon', '2022-13-01', '2022-02-30', '1800-01-01', '2999-01-01']) {
      expect(parseDate(value), value).toBeNull();
    }
    expect(parseDate(null)).toBeNull();
    expect(parseDate(undefined)).toBeNull();
  });

  it('passes valid Date objects through and rejects invalid ones', () => {
    const d = new Date('2022-04-27T00:43:25Z');
    expect(parseDate(d)?.getTime()).toBe(d.getTime());
    expect(parseDate(new Date(Number.NaN))).toBeNull();
    expect(parseDate(new Date('1500-01-01T00:00:00Z'))).toBeNull();
  });

  it('falls back to the engine for JavaScript Date.toString() output', () => {
    expect(iso('Wed Apr 27 2022 08:43:25 GMT+0800 (China Standard Time)')).toBe('2022-04-27T00:43:25.000Z');
  });
});
