// Moved story ids on SQLite: a story is named after its earliest origin, so when an earlier copy arrives
// later the story gets a new id. Its old id is kept here so the old page (shared, bookmarked, linked from
// feeds readers fetched before) redirects to the new one instead of answering 404.
import type Database from 'better-sqlite3';
import type { UnitTables } from '../table-steps.js';
import { groupOldIds } from '../feed-ids.js';

/** Migration 14: old story id → where the story is now. */
export const STORY_MOVES_MIGRATION = `
  CREATE TABLE story_moves (
    old_id TEXT PRIMARY KEY,
    new_id TEXT NOT NULL,
    moved_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX story_moves_by_new_id ON story_moves (new_id);
`;

export function createStoryMoves(db: Database.Database) {
  const follow = db.prepare<[string, number, string]>('UPDATE story_moves SET new_id = ?, moved_ms = ? WHERE new_id = ?');
  const save = db.prepare<[string, string, number]>('INSERT OR REPLACE INTO story_moves (old_id, new_id, moved_ms) VALUES (?, ?, ?)');
  const forget = db.prepare<[string]>('DELETE FROM story_moves WHERE old_id = ?');
  const find = db.prepare<[string], { new_id: string }>('SELECT new_id FROM story_moves WHERE old_id = ?');
  const unsettled = db.prepare<[], { id: string; title_key: string; old_id: string }>(
    'SELECT s.id, s.title_key, m.old_id FROM story_moves m JOIN stories s ON s.id = m.new_id WHERE s.feed_id IS NULL ORDER BY s.id, m.old_id',
  );
  return {
    record(moves, live, nowMs) {
      for (const { from, to } of moves) {
        follow.run(to, nowMs, from);
        save.run(from, to, nowMs);
      }
      for (const id of live) forget.run(id);
    },
    unsettled() {
      return groupOldIds(unsettled.all());
    },
    /** Where the story that had this id is now; null when it never moved. */
    movedTo(storyId: string): string | null {
      return find.get(storyId)?.new_id ?? null;
    },
  } satisfies UnitTables['moves'] & { movedTo(storyId: string): string | null };
}

/** Migration 16: the id feeds publish for a story (feed-ids.ts); NULL is the story's own id. */
export const FEED_ID_MIGRATION = `
  ALTER TABLE stories ADD COLUMN feed_id TEXT;
`;
