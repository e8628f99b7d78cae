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

/** Tombstones name the pruned story too, so its page can answer 410 Gone. */
export const TOMBSTONE_STORY_MIGRATION = `
  ALTER TABLE tombstones ADD COLUMN story_id TEXT;
  CREATE INDEX tombstones_by_story ON tombstones (story_id) WHERE story_id IS NOT NULL;
`;

/** Tombstone look-ups for storeRun (an origin is covered when its key has one within the window), and burials. */
export function createTombstones(db: Database.Database, windowMs: number) {
  const near = db.prepare<[string, number, number], { n: number }>(
    'SELECT 1 AS n FROM tombstones WHERE title_key = ? AND published_ms BETWEEN ? AND ? LIMIT 1',
  );
  const bury = db.prepare<[string, number, number, string]>(
    'INSERT OR REPLACE INTO tombstones (title_key, published_ms, pruned_ms, story_id) VALUES (?, ?, ?, ?)',
  );
  const byStory = db.prepare<[string], { pruned_ms: number | null }>('SELECT max(pruned_ms) AS pruned_ms FROM tombstones WHERE story_id = ?');
  return {
    coverMany(origins: readonly { titleKey: string; publishedMs: number }[]): boolean[] {
      return origins.map(({ titleKey, publishedMs }) => near.get(titleKey, publishedMs - windowMs, publishedMs + windowMs) !== undefined);
    },
    buryMany(stories: readonly PrunedStory[], nowMs: number): void {
      for (const story of stories) bury.run(story.titleKey, story.publishedMs, nowMs, story.id);
    },
    /** When the story with this id was pruned; null when it never was. */
    prunedAt(storyId: string): Date | null {
      const ms = byStory.get(storyId)?.pruned_ms;
      return ms === null || ms === undefined ? null : new Date(ms);
    },
  };
}
