// Retention on SQLite: the tombstones that keep a pruned story from coming back while a source still
// lists it (storeRun skips an origin a tombstone covers). What to prune is prune-run.ts, shared.
import type Database from 'better-sqlite3';
import type { PrunedStory } from '../table-steps.js';

/** Schema for tombstones, plus the origins → story index that pruning and listStoryOrigins walk. */
export const RETENTION_MIGRATION = `
  CREATE TABLE tombstones (
    title_key TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    pruned_ms INTEGER NOT NULL,
    PRIMARY KEY (title_key, published_ms)
  ) WITHOUT ROWID;
  CREATE INDEX origins_by_story ON origins (story_id);
`;

/** Tombstone look-ups for storeRun (an origin is covered when its key has one within the window), and burials. */
export function createTombstones(db: Database.Database, windowMs: number) {
  const near = db.prepare<[string, number, number], { n: number }>(
    'SELECT 1 AS n FROM tombstones WHERE title_key = ? AND published_ms BETWEEN ? AND ? LIMIT 1',
  );
  const bury = db.prepare<[string, number, number]>(
    'INSERT OR REPLACE INTO tombstones (title_key, published_ms, pruned_ms) VALUES (?, ?, ?)',
  );
  return {
    coverMany(origins: readonly { titleKey: string; publishedMs: number }[]): boolean[] {
      return origins.map(({ titleKey, publishedMs }) => near.get(titleKey, publishedMs - windowMs, publishedMs + windowMs) !== undefined);
    },
    buryMany(stories: readonly PrunedStory[], nowMs: number): void {
      for (const story of stories) bury.run(story.titleKey, story.publishedMs, nowMs);
    },
  };
}
