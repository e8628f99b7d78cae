// refresh_requests on PostgreSQL: POST /admin/refresh recorded by a web process, claimed (through a run lease)
// and finished by a worker. README "Scaling out".
import type pg from 'pg';
import { REFRESH_KEPT_MS, toRefreshRequest, type RefreshRow } from '../refresh-rows.js';
import type { RefreshRequest } from '../store.js';

export const REFRESH_REQUESTS_MIGRATION = `
  CREATE TABLE refresh_requests (
    id BIGSERIAL PRIMARY KEY,
    source TEXT,
    requested_ms BIGINT NOT NULL,
    finished_ms BIGINT,
    refreshed TEXT
  );
  CREATE INDEX refresh_requests_open ON refresh_requests (id) WHERE finished_ms IS NULL;
`;

export function createRefreshRequestsTable(pool: pg.Pool) {
  return {
    async request(source: string | null, nowMs: number): Promise<RefreshRequest> {
      await pool.query('DELETE FROM refresh_requests WHERE finished_ms < $1', [nowMs - REFRESH_KEPT_MS]);
      const { rows } = await pool.query<RefreshRow>('INSERT INTO refresh_requests (source, requested_ms) VALUES ($1, $2) RETURNING *', [source, nowMs]);
      return toRefreshRequest(rows[0]!);
    },
    async open(limit: number): Promise<RefreshRequest[]> {
      const { rows } = await pool.query<RefreshRow>('SELECT * FROM refresh_requests WHERE finished_ms IS NULL ORDER BY id LIMIT $1', [limit]);
      return rows.map(toRefreshRequest);
    },
    async get(id: number): Promise<RefreshRequest | undefined> {
      const { rows } = await pool.query<RefreshRow>('SELECT * FROM refresh_requests WHERE id = $1', [id]);
      return rows[0] ? toRefreshRequest(rows[0]) : undefined;
    },
    async finish(id: number, refreshed: string[] | null, nowMs: number): Promise<boolean> {
      const result = await pool.query('UPDATE refresh_requests SET finished_ms = $1, refreshed = $2 WHERE id = $3 AND finished_ms IS NULL', [nowMs, refreshed === null ? null : JSON.stringify(refreshed), id]);
      return result.rowCount === 1;
    },
  };
}
