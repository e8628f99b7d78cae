import { describe, expect, it } from 'vitest';
import { parseMaxAge, parseRetryAfter } from '../../../src/ingest/fetch/cache-headers.js';

const now = Date.parse('Wed, 01 May 2024 06:00:00 GMT');

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', null, now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', null, now)).toBe(0);
  });

  it('reads an HTTP date against the Date header, else against now', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 07:00:00 GMT', 'Wed, 01 May 2024 06:30:00 GMT', now)).toBe(30 * 60_000);
    expect(parseRetryAfter('Wed, 01 May 2024 07:00:00 GMT', null, now)).toBe(60 * 60_000);
    expect(parseRetryAfter('Wed, 01 May 2024 05:00:00 GMT', null, now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, null, now)).toBeNull();
    expect(parseRetryAfter('soon', null, now)).toBeNull();
    expect(parseRetryAfter('-5', null, now)).toBeNull();
  });
});

describe('parseMaxAge', () => {
  it('reads max-age minus Age', () => {
    expect(parseMaxAge('public, max-age=3600', null)).toBe(3_600_000);
    expect(parseMaxAge('max-age="600"', '100')).toBe(500_000);
    expect(parseMaxAge('max-age=60', '600')).toBe(0);
  });

  it('ignores responses that must not be reused, and headers without max-age', () => {
    expect(parseMaxAge('no-cache, max-age=3600', null)).toBeNull();
    expect(parseMaxAge('no-store', null)).toBeNull();
    expect(parseMaxAge('public', null)).toBeNull();
    expect(parseMaxAge(null, null)).toBeNull();
    expect(parseMaxAge('s-maxage=300', null)).toBeNull();
  });
});
