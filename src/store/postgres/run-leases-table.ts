// run_leases on PostgreSQL: a claim takes transaction-scoped advisory locks on its host (so per-host
// counts hold across processes) and then on its run, reads the rows, and writes what run-claim.ts decides.
import { decideClaim } from '../run-claim.js';
import type { ClaimResult, RunClaim, RunLease } from '../store.js';
import { inTransaction } from './pool.js';
import type pg from 'pg';

export function createRunLeasesTable(pool: pg.Pool) {
  return {
    /** `nowMs` on the clock due times were written on; `leaseNowMs` on the one leases are (database-clock.ts). */
    claim(request: RunClaim, nowMs: number, leaseNowMs: number): Promise<ClaimResult> {
      return inTransaction(pool, async (client) => {
        // Host before run, in every claim: two claims never wait on each other in a cycle.
        if (request.host !== null) await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 3))', [request.host]);
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 2))', [request.name]);
        const { rows: [row] } = await client.query<{ owner: string | null; expires_ms: number | null; next_run_ms: number | null; consecutive_failures: number | null; not_before_ms: number | null; live_on_host: number }>(
          `SELECT l.owner, l.expires_ms, s.next_run_ms, s.consecutive_failures, s.not_before_ms,
             (SELECT count(*) FROM run_leases h WHERE h.host = $2 AND h.expires_ms > $3 AND h.name <> $1) AS live_on_host
           FROM (SELECT 1) one
           LEFT JOIN run_leases l ON l.name = $1
           LEFT JOIN sources s ON s.name = $1`,
          [request.name, request.host, leaseNowMs],
        );
        const { result, action } = decideClaim(request, {
          nowMs,
          leaseNowMs,
          state: row!.consecutive_failures === null ? null : { nextRunMs: row!.next_run_ms, consecutiveFailures: row!.consecutive_failures, notBeforeMs: row!.not_before_ms },
          lease: row!.owner === null ? null : { owner: row!.owner, expiresMs: row!.expires_ms! },
          liveOnHost: request.host === null ? 0 : row!.live_on_host,
        });
        if (action === 'write') {
          await client.query(
            `INSERT INTO run_leases (name, host, owner, expires_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET host = excluded.host, owner = excluded.owner, expires_ms = excluded.expires_ms`,
            [request.name, request.host, request.owner, leaseNowMs + request.leaseMs],
          );
        }
        if (action === 'drop') await client.query('DELETE FROM run_leases WHERE name = $1', [request.name]);
        return result;
      });
    },
    async release(name: string, owner: string): Promise<void> {
      await pool.query('DELETE FROM run_leases WHERE name = $1 AND owner = $2', [name, owner]);
    },
    async renew(owner: string, expiresMs: number): Promise<number> {
      return (await pool.query('UPDATE run_leases SET expires_ms = $1 WHERE owner = $2', [expiresMs, owner])).rowCount ?? 0;
    },
    async list(nowMs: number): Promise<RunLease[]> {
      const { rows } = await pool.query<{ name: string; owner: string; expires_ms: number }>('SELECT name, owner, expires_ms FROM run_leases ORDER BY expires_ms, name');
      return rows.map((row) => ({ name: row.name, owner: row.owner, expiresAt: new Date(row.expires_ms), expired: row.expires_ms <= nowMs }));
    },
  };
}
