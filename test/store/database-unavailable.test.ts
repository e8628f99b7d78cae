// Which store failures are the database being unreachable (a run failing so is not its source's failure,
// src/ingest/run-feed-source.ts) and which are not: what pg and Node raise, wrapped as the stores wrap them.
import { describe, expect, it } from 'vitest';
import { FetchError, StoreError } from '../../src/errors.js';
import { isDatabaseUnavailable } from '../../src/store/database-unavailable.js';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });
const stored = (cause: Error) => new StoreError(`reading source Wire failed: ${cause.message}`, { cause });

describe('isDatabaseUnavailable', () => {
  it('is true for a refused or reset connection, a server shutting down or starting, and a bound without answer', () => {
    for (const cause of [
      coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      coded('read ECONNRESET', 'ECONNRESET'),
      coded('terminating connection due to administrator command', '57P01'),
      coded('the database system is starting up', '57P03'),
      coded('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Query read timeout'),
      new Error('no answer from the database within 11 s; not asked again until it answers'),
    ]) expect([cause.message, isDatabaseUnavailable(stored(cause))]).toEqual([cause.message, true]);
  });

  it('is false for a failure about the data, and for a feed host refusing (not the store)', () => {
    expect(isDatabaseUnavailable(stored(coded('duplicate key value violates unique constraint', '23505')))).toBe(false);
    expect(isDatabaseUnavailable(stored(new Error('value too long')))).toBe(false);
    expect(isDatabaseUnavailable(new FetchError('http://127.0.0.1:9/feed', 'connect ECONNREFUSED', null, { cause: coded('connect ECONNREFUSED', 'ECONNREFUSED') }))).toBe(false);
  });
});
