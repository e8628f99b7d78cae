// The merge record of a story: which origins it was merged from, and why (shared title key, time apart).
import type Database from 'better-sqlite3';
import type { StoryOrigin } from '../store.js';

interface Row {
  source_key: string;
  origin_id: string;
  title: string;
  link: string | null;
  published_ms: number;
  /** The time it is published as: its stated time, or when first seen if that is earlier (a future date). */
  served_ms: number;
  title_key: string;
  story_published_ms: number;
}

const HOUR_MS = 3_600_000;

export function createStoryOrigins(db: Database.Database) {
  const byStory = db.prepare<[string], Row>(`
    SELECT o.source_key, o.origin_id, o.title, o.link, o.published_ms, min(o.published_ms, o.first_seen_ms) AS served_ms,
      o.title_key, s.published_ms AS story_published_ms
    FROM origins o JOIN stories s ON s.id = o.story_id
    WHERE o.story_id = ?
    ORDER BY o.published_ms, o.source_key, o.origin_id`);
  return {
    /** The origins of a story, earliest first; empty for an unknown id. */
    list(storyId: string): StoryOrigin[] {
      return byStory.all(storyId).map((row) => ({
        sourceKey: row.source_key,
        originId: row.origin_id,
        title: row.title,
        link: row.link,
        published: new Date(row.published_ms),
        // The synthetic key of an untitled origin stays inside the store.
        titleKey: row.title_key.startsWith('\u0000') ? '' : row.title_key,
        // The dates dedup compared: a copy stated in 2031 and clamped to its first sighting is not 37,000 h apart.
        differenceHours: Math.round(((row.served_ms - row.story_published_ms) / HOUR_MS) * 1000) / 1000,
      }));
    },
  };
}
