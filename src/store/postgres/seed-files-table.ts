// seed_files on PostgreSQL: what the seed scan saw of each file.
import type { SeedFileRecord } from '../store.js';
import type { UnitTables } from '../table-steps.js';
import type { Sql } from './pool.js';

export function createSeedFilesTable(sql: Sql): UnitTables['seedFiles'] {
  return {
    async recordMany(files: readonly SeedFileRecord[]): Promise<void> {
      // One row per path: the last record of a path in the batch wins, as sequential upserts would.
      const last = [...new Map(files.map((file) => [file.relPath, file])).values()];
      await sql.query(
        `INSERT INTO seed_files (rel_path, size, mtime_ms, hash, error)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::text[])
         ON CONFLICT (rel_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, error = excluded.error`,
        [last.map((f) => f.relPath), last.map((f) => f.size), last.map((f) => f.mtimeMs), last.map((f) => f.hash), last.map((f) => f.error)],
      );
    },
  };
}

export async function listSeedFiles(sql: Sql): Promise<Map<string, SeedFileRecord>> {
  const { rows } = await sql.query<{ rel_path: string; size: number; mtime_ms: number; hash: string; error: string | null }>('SELECT * FROM seed_files');
  return new Map(rows.map((row) => [row.rel_path, { relPath: row.rel_path, size: row.size, mtimeMs: row.mtime_ms, hash: row.hash, error: row.error }]));
}
