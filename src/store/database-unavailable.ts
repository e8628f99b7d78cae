// Whether a store failure is the database being unreachable (down, hung, restarting) rather than anything about
// the data: a run failing so is not the source's failure, and is simply tried again at its next schedule.
import { StoreError } from '../errors.js';

/** Node's socket errors: the database host refused, reset or never answered the connection. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
/** PostgreSQL: shutting down, crashed, starting up, too many connections (class 08 is any connection exception). */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg and pg-pool say when a connection ends or a bound passed without an answer (serving-guard.ts says it in its own words). */
const MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect$/, /^Query read timeout$/, /^no (answer from the database|database connection) within /];

/** A StoreError (only the store's failures: a feed host refusing is a FetchError with the same socket codes) caused so. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof StoreError)) return false;
  for (let at: unknown = error, depth = 0; at instanceof Error && depth < 6; at = at.cause, depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (MESSAGES.some((pattern) => pattern.test(at.message))) return true;
  }
  return false;
}
