// seed_files: what the seed scan saw of each file, so unchanged files are skipped next time, and which
// files were rejected or recovered from broken front matter (for the index page and /api/sources).
import type Database from 'better-sqlite3';
import type { SeedFileProblems, SeedFileRecord } from '../store.js';

import { toSeedFileRecord, type SeedFileRow } from '../stored-rows.js';

/** Migration: the recovery note of each file; every file is read again once, so stored articles get today's cleaning. */
export const SEED_FILE_WARNING_MIGRATION = `
  ALTER TABLE seed_files ADD COLUMN warning TEXT;
  UPDATE seed_files SET size = -1, hash = '';
`;

export function createSeedFilesTable(db: Database.Database) {
  const upsert = db.prepare<SeedFileRow>(`
    INSERT INTO seed_files (rel_path, size, mtime_ms, hash, error, warning) VALUES (@rel_path, @size, @mtime_ms, @hash, @error, @warning)
    ON CONFLICT (rel_path) DO UPDATE SET
      size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, error = excluded.error, warning = excluded.warning`);
  const all = db.prepare<[], SeedFileRow>('SELECT * FROM seed_files');
  const counts = db.prepare<[], { rejected: number; recovered: number }>(
    'SELECT count(error) AS rejected, count(warning) AS recovered FROM seed_files',
  );
  const firstRejected = db.prepare<[number], { rel_path: string; error: string }>(
    'SELECT rel_path, error FROM seed_files WHERE error IS NOT NULL ORDER BY rel_path LIMIT ?',
  );
  const firstRecovered = db.prepare<[number], { rel_path: string; warning: string }>(
    'SELECT rel_path, warning FROM seed_files WHERE warning IS NOT NULL ORDER BY rel_path LIMIT ?',
  );

  return {
    recordMany(files: readonly SeedFileRecord[]): void {
      for (const file of files) {
        upsert.run({ rel_path: file.relPath, size: file.size, mtime_ms: file.mtimeMs, hash: file.hash, error: file.error, warning: file.warning ?? null });
      }
    },
    all(): Map<string, SeedFileRecord> {
      const out = new Map<string, SeedFileRecord>();
      for (const row of all.iterate()) {
        out.set(row.rel_path, toSeedFileRecord(row));
      }
      return out;
    },
    problems(sample: number): SeedFileProblems {
      const { rejected, recovered } = counts.get() ?? { rejected: 0, recovered: 0 };
      return {
        rejected,
        recovered,
        rejectedFiles: firstRejected.all(sample).map((row) => ({ relPath: row.rel_path, error: row.error })),
        recoveredFiles: firstRecovered.all(sample).map((row) => ({ relPath: row.rel_path, warning: row.warning })),
      };
    },
  };
}

export type SeedFilesTable = ReturnType<typeof createSeedFilesTable>;
