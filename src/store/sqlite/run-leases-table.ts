// run_leases: who runs which source (or the seed folder) until when. SQLite has one writer, so a claim
// read and written in one IMMEDIATE transaction is atomic across every process sharing the file.
import type Database from 'better-sqlite3';
import { decideClaim } from '../run-claim.js';
import type { ClaimResult, RunClaim, RunLease } from '../store.js';

export const RUN_LEASES_MIGRATION = `
  CREATE TABLE run_leases (
    name TEXT PRIMARY KEY,
    host TEXT,
    owner TEXT NOT NULL,
    expires_ms INTEGER NOT NULL
  );
  CREATE INDEX run_leases_by_host ON run_leases (host, expires_ms);
`;

interface LeaseRow {
  owner: string;
  expires_ms: number;
}

export function createRunLeasesTable(db: Database.Database) {
  const lease = db.prepare<[string], LeaseRow>('SELECT owner, expires_ms FROM run_leases WHERE name = ?');
  const state = db.prepare<[string], { next_run_ms: number | null; consecutive_failures: number; not_before_ms: number | null }>(
    'SELECT next_run_ms, consecutive_failures, not_before_ms FROM sources WHERE name = ?',
  );
  const liveOnHost = db.prepare<[string, number, string], { n: number }>(
    'SELECT count(*) AS n FROM run_leases WHERE host = ? AND expires_ms > ? AND name <> ?',
  );
  const write = db.prepare('INSERT OR REPLACE INTO run_leases (name, host, owner, expires_ms) VALUES (?, ?, ?, ?)');
  const drop = db.prepare('DELETE FROM run_leases WHERE name = ?');
  const release = db.prepare('DELETE FROM run_leases WHERE name = ? AND owner = ?');
  const renew = db.prepare('UPDATE run_leases SET expires_ms = ? WHERE owner = ?');
  const all = db.prepare<[], { name: string; owner: string; expires_ms: number }>('SELECT name, owner, expires_ms FROM run_leases ORDER BY expires_ms, name');

  const claim = db.transaction((request: RunClaim, nowMs: number): ClaimResult => {
    const row = lease.get(request.name);
    const current = state.get(request.name);
    const { result, action } = decideClaim(request, {
      nowMs,
      state: current ? { nextRunMs: current.next_run_ms, consecutiveFailures: current.consecutive_failures, notBeforeMs: current.not_before_ms } : null,
      lease: row ? { owner: row.owner, expiresMs: row.expires_ms } : null,
      liveOnHost: request.host === null ? 0 : liveOnHost.get(request.host, nowMs, request.name)!.n,
    });
    if (action === 'write') write.run(request.name, request.host, request.owner, nowMs + request.leaseMs);
    if (action === 'drop') drop.run(request.name);
    return result;
  }).immediate;

  return {
    claim,
    release: (name: string, owner: string): void => void release.run(name, owner),
    renew: (owner: string, expiresMs: number): number => renew.run(expiresMs, owner).changes,
    list: (nowMs: number): RunLease[] =>
      all.all().map((row) => ({ name: row.name, owner: row.owner, expiresAt: new Date(row.expires_ms), expired: row.expires_ms <= nowMs })),
  };
}
