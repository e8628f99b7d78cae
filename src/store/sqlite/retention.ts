// Retention: pruning old stories, and the tombstones that keep a pruned story from coming back while a
// source still lists it (storeRun skips an origin a tombstone covers).
import type Database from 'better-sqlite3';
import type { PruneOptions, PruneResult } from '../store.js';
import type { CategoriesTable } from './categories-table.js';
import type { StoriesTable } from './stories-table.js';

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

/** The dedup window used when the policy does not name one (DESIGN §4 default). */
export const DEFAULT_TOMBSTONE_WINDOW_MS = 12 * 3_600_000;

/** Tombstone look-ups for storeRun: an origin is covered when its key has one within the window. */
export function createTombstones(db: Database.Database, windowMs: number) {
  const near = db.prepare<[string, number, number], { n: number }>(
    'SELECT 1 AS n FROM tombstones WHERE title_key = ? AND published_ms BETWEEN ? AND ? LIMIT 1',
  );
  const byStory = db.prepare<[string], { pruned_ms: number }>('SELECT max(pruned_ms) AS pruned_ms FROM tombstones WHERE story_id = ?');
  return {
    covers(titleKey: string, publishedMs: number): boolean {
      return near.get(titleKey, publishedMs - windowMs, publishedMs + windowMs) !== undefined;
    },
    /** When the story with this id was pruned; null when it never was. */
    prunedAt(storyId: string): Date | null {
      const ms = byStory.get(storyId)?.pruned_ms;
      return ms === null || ms === undefined ? null : new Date(ms);
    },
  };
}

export type Tombstones = ReturnType<typeof createTombstones>;

interface PrunedRow {
  id: string;
  title_key: string;
  published_ms: number;
  categories_json: string;
}

/**
 * `Store.pruneStories` in one transaction: stories published before `olderThan`, and those past the
 * newest `maxItemsPerCategory` of any category, are deleted with their origins; each leaves a tombstone
 * (its title key and publication time). A story over the limit in one category leaves all of them.
 * The caller runs it in a transaction (open-sqlite-store.ts, which also appends the change record).
 */
export function createPruner(
  db: Database.Database,
  tables: { stories: StoriesTable; categories: CategoriesTable },
): (options: PruneOptions, nowMs: number) => PruneResult {
  const older = db.prepare<[number], { id: string }>('SELECT id FROM stories WHERE published_ms < ?');
  const overflow = db.prepare<[number], { id: string }>(`
    SELECT DISTINCT story_id AS id FROM (
      SELECT story_id, row_number() OVER (PARTITION BY slug ORDER BY published_ms DESC, story_id DESC) AS rank
      FROM story_categories
    ) WHERE rank > ?`);
  const story = db.prepare<[string], PrunedRow>('SELECT id, title_key, published_ms, categories_json FROM stories WHERE id = ?');
  const bury = db.prepare<[string, number, number, string]>(
    'INSERT OR REPLACE INTO tombstones (title_key, published_ms, pruned_ms, story_id) VALUES (?, ?, ?, ?)',
  );
  const dropOrigins = db.prepare<[string]>('DELETE FROM origins WHERE story_id = ?');

  return (options: PruneOptions, nowMs: number): PruneResult => {
    const ids = new Set<string>();
    if (options.olderThan) for (const row of older.all(options.olderThan.getTime())) ids.add(row.id);
    const limit = options.maxItemsPerCategory;
    if (limit !== undefined && Number.isFinite(limit) && limit >= 0) {
      for (const row of overflow.all(Math.floor(limit))) ids.add(row.id);
    }
    const changed = new Set<string>();
    let pruned = 0;
    // Sorted so the writes, and the database file, do not depend on query order.
    for (const id of [...ids].sort()) {
      const row = story.get(id);
      if (!row) continue;
      bury.run(row.title_key, row.published_ms, nowMs, id);
      dropOrigins.run(id);
      tables.stories.remove(id);
      pruned++;
      changed.add('all');
      for (const ref of JSON.parse(row.categories_json) as { slug: string }[]) changed.add(ref.slug);
    }
    for (const slug of changed) tables.categories.changed(slug, tables.stories.count(slug), nowMs);
    const changedCategories = [...changed].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    return { pruned, changedCategories };
  };
}

const DAY_MS = 86_400_000;

/** The prune to run now for the `retention` config section; null when retention is off. */
export function retentionPruneOptions(
  retention: { maxAgeDays?: number | undefined; maxItemsPerCategory?: number | undefined } | undefined,
  now: Date,
): PruneOptions | null {
  if (!retention || (retention.maxAgeDays === undefined && retention.maxItemsPerCategory === undefined)) return null;
  return {
    olderThan: retention.maxAgeDays === undefined ? undefined : new Date(now.getTime() - retention.maxAgeDays * DAY_MS),
    maxItemsPerCategory: retention.maxItemsPerCategory,
  };
}
