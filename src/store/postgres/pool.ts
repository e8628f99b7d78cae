// The connection pool and transactions: bigint columns (millisecond times, counts) read as numbers,
// and a unit of work retried when PostgreSQL picked it as a deadlock or serialization victim.
import pg from 'pg';

export type Sql = pg.PoolClient | pg.Pool | pg.Client;

/** Millisecond times and counts are bigint columns; they stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * Connections kept open however long they sit idle (pg closes idle ones after 10 s). A new connection's first
 * statements cost 10–40 ms each while its server process fills its caches: on the 1M bench store a search after
 * 11 s without one took 41–59 ms with the default, 6–11 ms with these kept (a search uses two at once;
 * `npm run bench -- --only postgres-idle`).
 */
export const KEPT_CONNECTIONS = 4;

/** The pool's size unless the store is opened with another. */
export const MAX_CONNECTIONS = 10;

/** The serving pool of a process that serves no searches (role worker, the CLI): /metrics and /api reads only. */
export const NON_SERVING_CONNECTIONS = 2;

/**
 * Set on each new connection (`value`: SQL giving the value); these are raised, never lowered, for the reads a
 * search makes: the rows of a search's matches are random pages of story_search, read one at a time by a bitmap
 * heap scan at the server's default of 1 (cold: 0.1–1.2 s for 2,000 matches at 1M stories; 60–100 ms with 64 read
 * ahead on this machine's disk), and its ~2,000 matches with their words (3–4 MB) spill to a temporary file past
 * the default 4 MB of work_mem.
 */
export const SESSION_SETTINGS: Array<{ name: string; value: string }> = [
  // Rejected where the platform cannot read ahead (no posix_fadvise): the setting is then left as it is.
  { name: 'effective_io_concurrency', value: `greatest(current_setting('effective_io_concurrency')::int, 64)::text` },
  { name: 'work_mem', value: `(greatest(pg_size_bytes(current_setting('work_mem')), 16 * 1024 * 1024) / 1024) || 'kB'` },
];

export function createPool(url: string, max = MAX_CONNECTIONS, kept = KEPT_CONNECTIONS, bounds: Partial<pg.PoolConfig> = {}, settings = SESSION_SETTINGS): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url, max, min: Math.min(kept, max), types, ...bounds,
    // Run (and awaited by the pool) on each new connection before it is handed out. A setting the server refuses
    // (an SQLSTATE) is left as it is; no answer at all fails the connection rather than handing out a client whose
    // next query would queue behind the unanswered one.
    onConnect: async (client) => {
      for (const { name, value } of settings) {
        await client.query(`SELECT set_config('${name}', ${value}, false)`).catch((error: { code?: unknown }) => {
          if (typeof error.code !== 'string' || !/^[0-9A-Z]{5}$/.test(error.code)) throw error;
        });
      }
    },
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => {});
  return pool;
}

/**
 * Bounds of the serving pool (createServingPool). The slowest serving reads measured are cold searches at 1M
 * stories (0.1–1.2 s; up to 5 s before story_search, README "Search"); a pooled connection is handed out in
 * microseconds and a new one opens in 10–50 ms. Past these a request is answered 503 (Retry-After: 5) instead of
 * waiting on a database host that stopped answering.
 */
export const SERVING_CONNECT_TIMEOUT_MS = 5_000;
/** The server cancels a serving statement running longer (statement_timeout): a live but slow server stops the work nobody waits for. */
export const SERVING_STATEMENT_TIMEOUT_MS = 10_000;
/** The client gives up on an answer after this (query_timeout): one second after the server's own cancel would have come. */
export const SERVING_QUERY_TIMEOUT_MS = SERVING_STATEMENT_TIMEOUT_MS + 1_000;

/**
 * The pool of the reads (and the refresh request) made to answer HTTP requests, bounded in time: a database host
 * that stops answering (no refusal, no reset) would otherwise hold every such request as long as it hangs, since
 * pg waits forever by default. A pool of its own, because the same bounds on the units of work would cut long
 * migrations, imports and the search index rebuild, and a connection timeout on a shared pool would fail serving
 * reads whenever ingest holds every connection. A connection whose query timed out is closed by the pool (pg ends
 * a client with a query in flight by destroying its socket), so none is left waiting once the host resumes.
 */
export function createServingPool(url: string, max = MAX_CONNECTIONS, kept = KEPT_CONNECTIONS): pg.Pool {
  return createPool(url, max, kept, { connectionTimeoutMillis: SERVING_CONNECT_TIMEOUT_MS, query_timeout: SERVING_QUERY_TIMEOUT_MS }, [
    ...SESSION_SETTINGS,
    // Set per connection rather than as a startup parameter, which connection poolers (PgBouncer) refuse; a
    // stricter one already set (the server's, the URL's) is kept. pg_settings gives it in milliseconds, 0 for none.
    { name: 'statement_timeout', value: `(SELECT CASE WHEN setting::bigint BETWEEN 1 AND ${SERVING_STATEMENT_TIMEOUT_MS} THEN setting ELSE '${SERVING_STATEMENT_TIMEOUT_MS}' END FROM pg_settings WHERE name = 'statement_timeout')` },
  ]);
}

/** How long /healthz (and `aggregator_database_up`) waits to connect, then for the answer. */
const PING_TIMEOUT_MS = 2_000;

/**
 * One connection of its own for `ping`: a database host that stopped answering (no refusal, no reset) must not
 * hold /healthz and /metrics open, and a busy pool must not make a live database look down.
 */
export function createPingPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: PING_TIMEOUT_MS, query_timeout: PING_TIMEOUT_MS });
  pool.on('error', () => {});
  return pool;
}

export function createClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types });
}

const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/** Runs `work` in one transaction on one pooled client; retried (from the start) on deadlock or serialization failure. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      const code = (error as { code?: string }).code;
      if (attempt < MAX_ATTEMPTS && code !== undefined && RETRYABLE.has(code)) continue;
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Advisory lock keys of this program's own critical sections (title keys use hashtextextended of the key). */
export const LOCKS = { migrate: 7_301_001, changes: 7_301_002, merges: 7_301_003 } as const;
