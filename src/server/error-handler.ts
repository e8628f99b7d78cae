// The one error handler: logs server faults, answers without stack traces.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { BusyError, QueryError, StoreError, describeError } from '../errors.js';
import { createDatabaseFailureLog, type AppLogger } from '../observability/database-failure-log.js';

export type { AppLogger };

/** Retry-After of a 503 when the service is busy (a full search or render queue clears in seconds at most). */
export const BUSY_RETRY_AFTER_S = 1;
/** Retry-After of a 503 when the database failed a read (gone, locked, restarting): cached documents are still served. */
export const STORE_RETRY_AFTER_S = 5;

function clientStatus(error: unknown): number | null {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/** `summaryMs`: the window over which database failures after the first are counted in one line (src/observability/database-failure-log.ts). */
export function errorHandler(logger: AppLogger, summaryMs?: number): ErrorRequestHandler {
  const databaseFailures = createDatabaseFailureLog(logger, summaryMs);
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof QueryError) {
      res.status(400).set('Cache-Control', 'no-store').type('text/plain').send(`${error.message}\n`);
      return;
    }
    if (error instanceof BusyError) {
      res.status(503).set({ 'Cache-Control': 'no-store', 'Retry-After': String(BUSY_RETRY_AFTER_S) }).type('text/plain').send(`Busy: ${error.busyWith}, retry in a moment\n`);
      return;
    }
    // Client mistakes Express reports as errors (e.g. bad percent-encoding: 400) are answered as such.
    const status = clientStatus(error);
    if (status !== null) {
      res.status(status).type('text/plain').send(status === 400 ? 'Bad request\n' : 'Request error\n');
      return;
    }
    if (error instanceof StoreError) {
      databaseFailures.failed(error, { method: req.method, url: req.originalUrl });
      // The database, not the request: say so, and when to come back (a reader or a proxy retries; a 500 says "broken").
      res.status(503).set({ 'Cache-Control': 'no-store', 'Retry-After': String(STORE_RETRY_AFTER_S) }).type('text/plain').send('Database unavailable, retry in a moment\n');
      return;
    }
    logger.error({ error: describeError(error), method: req.method, url: req.originalUrl, stack: (error as Error)?.stack }, 'request failed');
    res.status(500).set('Cache-Control', 'no-store').type('text/plain').send('Internal server error\n');
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).type('text/plain').send('Not found\n');
};
