// seed_files: what the seed scan saw of each file, so unchanged files are skipped next time.
import type Database from 'better-sqlite3';
import type { SeedFileRecord } from '../store.js';

interface SeedFileRow {
  rel_path: string;
  size: number;
  mtime_ms: number;
  hash: string;
  error: string | null;
}

export function createSeedFilesTable(db: Database.Database) {
  const upsert = db.prepare<SeedFileRow>(`
    INSERT INTO seed_files (rel_path, size, mtime_ms, hash, error) VALUES (@rel_path, @size, @mtime_ms, @hash, @error)
    ON CONFLICT (rel_path) DO UPDATE SET
      size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, error = excluded.error`);
  const all = db.prepare<[], SeedFileRow>('SELECT * FROM seed_files');

  return {
    recordMany(files: readonly SeedFileRecord[]): void {
      for (const file of files) upsert.run({ rel_path: file.relPath, size: file.size, mtime_ms: file.mtimeMs, hash: file.hash, error: file.error });
    },
    all(): Map<string, SeedFileRecord> {
      const out = new Map<string, SeedFileRecord>();
      for (const row of all.iterate()) {
        out.set(row.rel_path, { relPath: row.rel_path, size: row.size, mtimeMs: row.mtime_ms, hash: row.hash, error: row.error });
      }
      return out;
    },
  };
}

export type SeedFilesTable = ReturnType<typeof createSeedFilesTable>;
