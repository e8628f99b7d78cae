// Moved story ids on PostgreSQL (as SQLite's story-moves-table.ts): the old id of a story renamed after an
// earlier copy of it arrived, so the old page redirects to the new one.
import type { UnitTables } from '../table-steps.js';
import type { Sql } from './pool.js';
import { fromPgKey } from './pg-text.js';
import { groupOldIds } from '../feed-ids.js';

/** Migration 8 (as SQLite's 14). */
export const STORY_MOVES_MIGRATION = `
  CREATE TABLE story_moves (
    old_id TEXT COLLATE "C" PRIMARY KEY,
    new_id TEXT COLLATE "C" NOT NULL,
    moved_ms BIGINT NOT NULL
  );
  CREATE INDEX story_moves_by_new_id ON story_moves (new_id);
`;

export function createStoryMoves(sql: Sql): UnitTables['moves'] {
  return {
    async record(moves, live, nowMs) {
      for (const { from, to } of moves) {
        await sql.query('UPDATE story_moves SET new_id = $1, moved_ms = $2 WHERE new_id = $3', [to, nowMs, from]);
        await sql.query(
          `INSERT INTO story_moves (old_id, new_id, moved_ms) VALUES ($1, $2, $3)
           ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id, moved_ms = excluded.moved_ms`,
          [from, to, nowMs],
        );
      }
      if (live.length > 0) await sql.query('DELETE FROM story_moves WHERE old_id = ANY($1::text[])', [live]);
    },
    async unsettled() {
      const { rows } = await sql.query<{ id: string; title_key: string; old_id: string }>(
        'SELECT s.id, s.title_key, m.old_id FROM story_moves m JOIN stories s ON s.id = m.new_id WHERE s.feed_id IS NULL ORDER BY s.id, m.old_id',
      );
      return groupOldIds(rows.map((row) => ({ ...row, title_key: fromPgKey(row.title_key) })));
    },
  };
}

/** Migration 10 (as SQLite's 16): the id feeds publish for a story; NULL is the story's own id. */
export const FEED_ID_MIGRATION = `
  ALTER TABLE stories ADD COLUMN feed_id TEXT COLLATE "C";
`;

/** Where the story that had this id is now; null when it never moved. */
export async function storyMovedTo(sql: Sql, storyId: string): Promise<string | null> {
  const { rows } = await sql.query<{ new_id: string }>('SELECT new_id FROM story_moves WHERE old_id = $1', [storyId]);
  return rows[0]?.new_id ?? null;
}
