// seed_files on PostgreSQL: what the seed scan saw of each file.
import type { SeedFileProblems } from '../../types.js';
import type { SeedFileRecord } from '../store.js';
import { toSeedFileRecord, type SeedFileRow } from '../stored-rows.js';
import type { UnitTables } from '../table-steps.js';
import type { Sql } from './pool.js';

export function createSeedFilesTable(sql: Sql): UnitTables['seedFiles'] {
  return {
    async recordMany(files: readonly SeedFileRecord[]): Promise<void> {
      // One row per path: the last record of a path in the batch wins, as sequential upserts would.
      const last = [...new Map(files.map((file) => [file.relPath, file])).values()];
      await sql.query(
        `INSERT INTO seed_files (rel_path, size, mtime_ms, hash, error, warning)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (rel_path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash,
           error = excluded.error, warning = excluded.warning`,
        [
          last.map((f) => f.relPath), last.map((f) => f.size), last.map((f) => f.mtimeMs), last.map((f) => f.hash),
          last.map((f) => f.error), last.map((f) => f.warning ?? null),
        ],
      );
    },
  };
}

export async function listSeedFiles(sql: Sql): Promise<Map<string, SeedFileRecord>> {
  const { rows } = await sql.query<SeedFileRow>('SELECT * FROM seed_files');
  return new Map(rows.map((row) => [row.rel_path, toSeedFileRecord(row)]));
}

/** Counts of recovered and rejected files, and the first `sample` of each by path. */
export async function seedFileProblems(sql: Sql, sample: number): Promise<SeedFileProblems> {
  const [counts, rejected, recovered] = await Promise.all([
    sql.query<{ rejected: number; recovered: number }>('SELECT count(error)::int AS rejected, count(warning)::int AS recovered FROM seed_files'),
    sql.query<{ rel_path: string; error: string }>('SELECT rel_path, error FROM seed_files WHERE error IS NOT NULL ORDER BY rel_path COLLATE "C" LIMIT $1', [sample]),
    sql.query<{ rel_path: string; warning: string }>('SELECT rel_path, warning FROM seed_files WHERE warning IS NOT NULL ORDER BY rel_path COLLATE "C" LIMIT $1', [sample]),
  ]);
  return {
    rejected: counts.rows[0]?.rejected ?? 0,
    recovered: counts.rows[0]?.recovered ?? 0,
    rejectedFiles: rejected.rows.map((row) => ({ relPath: row.rel_path, error: row.error })),
    recoveredFiles: recovered.rows.map((row) => ({ relPath: row.rel_path, warning: row.warning })),
  };
}
