// refresh_requests on SQLite: POST /admin/refresh recorded by a web process, claimed (through a run lease)
// and finished by a worker. README "Scaling out".
import type Database from 'better-sqlite3';
import { REFRESH_KEPT_MS, toRefreshRequest, type RefreshRow } from '../refresh-rows.js';
import type { RefreshRequest } from '../store.js';

export const REFRESH_REQUESTS_MIGRATION = `
  CREATE TABLE refresh_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT,
    requested_ms INTEGER NOT NULL,
    finished_ms INTEGER,
    refreshed TEXT
  );
  CREATE INDEX refresh_requests_open ON refresh_requests (id) WHERE finished_ms IS NULL;
`;

export function createRefreshRequestsTable(db: Database.Database) {
  const insert = db.prepare<[string | null, number], RefreshRow>('INSERT INTO refresh_requests (source, requested_ms) VALUES (?, ?) RETURNING *');
  const dropOld = db.prepare('DELETE FROM refresh_requests WHERE finished_ms < ?');
  const open = db.prepare<[number], RefreshRow>('SELECT * FROM refresh_requests WHERE finished_ms IS NULL ORDER BY id LIMIT ?');
  const byId = db.prepare<[number], RefreshRow>('SELECT * FROM refresh_requests WHERE id = ?');
  const finish = db.prepare('UPDATE refresh_requests SET finished_ms = ?, refreshed = ? WHERE id = ? AND finished_ms IS NULL');
  return {
    request: db.transaction((source: string | null, nowMs: number): RefreshRequest => {
      dropOld.run(nowMs - REFRESH_KEPT_MS);
      return toRefreshRequest(insert.get(source, nowMs)!);
    }).immediate,
    open: (limit: number): RefreshRequest[] => open.all(limit).map(toRefreshRequest),
    get: (id: number): RefreshRequest | undefined => {
      const row = byId.get(id);
      return row ? toRefreshRequest(row) : undefined;
    },
    finish: (id: number, refreshed: string[] | null, nowMs: number): boolean =>
      finish.run(nowMs, refreshed === null ? null : JSON.stringify(refreshed), id).changes === 1,
  };
}
