// Schema versions, applied in order; PRAGMA user_version records how many have run.
import type { StoreLog } from '../store-log.js';
import type Database from 'better-sqlite3';
import { StoreError } from '../../errors.js';
import { SEARCH_MIGRATION, SEARCH_QUEUE_MIGRATION } from './legacy-search-migrations.js';
import { SEARCH_DATES_MIGRATION, SEARCH_WORDS_MIGRATION } from './search-table.js';
import { RETENTION_MIGRATION, TOMBSTONE_STORY_MIGRATION } from './retention.js';
import { RUN_LEASES_MIGRATION } from './run-leases-table.js';
import { CHANGES_MIGRATION } from './changes-table.js';
import { ORIGIN_BODIES_MIGRATION } from './origins-table.js';
import { htmlToText, textLength } from '../../text/html-text.js';
import { SEED_FILE_WARNING_MIGRATION } from './seed-files-table.js';
import { REFRESH_REQUESTS_MIGRATION } from './refresh-requests-table.js';
import { DISCOVERED_URL_MIGRATION, NOT_BEFORE_MIGRATION } from './sources-table.js';
import { FILTERED_ORIGINS_MIGRATION } from './filtered-origins-table.js';
import { FULL_TEXT_PAGES_MIGRATION } from './full-text-pages-table.js';
import { FEED_ID_MIGRATION, STORY_MOVES_MIGRATION } from './story-moves-table.js';
import { SQLITE_TEXT_CHARS_MIGRATION } from '../text-chars-table.js';
import { ENCLOSURES_MIGRATION } from './enclosures-migration.js';

/** Append only: never edit a migration that has shipped. */
export const migrations: readonly string[] = [
  `
  CREATE TABLE origins (
    source_key TEXT NOT NULL,
    origin_id TEXT NOT NULL,
    title_key TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    guid TEXT,
    published_ms INTEGER NOT NULL,
    updated_ms INTEGER,
    author TEXT,
    categories_json TEXT NOT NULL,
    image TEXT,
    content_html TEXT NOT NULL,
    summary TEXT NOT NULL,
    date_is_fallback INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    story_id TEXT,
    first_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (source_key, origin_id)
  );
  CREATE INDEX origins_by_title_key ON origins (title_key);

  CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    title_key TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    links_json TEXT NOT NULL,
    author TEXT,
    categories_json TEXT NOT NULL,
    image TEXT,
    content_html TEXT NOT NULL,
    summary TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
  );
  CREATE INDEX stories_by_title_key ON stories (title_key);
  CREATE INDEX stories_by_published ON stories (published_ms, id);

  CREATE TABLE story_categories (
    story_id TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    published_ms INTEGER NOT NULL,
    PRIMARY KEY (story_id, slug)
  );
  CREATE INDEX story_categories_by_slug ON story_categories (slug, published_ms, story_id);

  CREATE TABLE categories (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    story_count INTEGER NOT NULL DEFAULT 0,
    last_changed_ms INTEGER
  );
  INSERT INTO categories (slug, name) VALUES ('all', 'all');

  CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    last_attempt_ms INTEGER,
    last_success_ms INTEGER,
    http_status INTEGER,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_run_ms INTEGER,
    etag TEXT,
    last_modified TEXT,
    added_last INTEGER NOT NULL DEFAULT 0,
    added_total INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE seed_files (
    rel_path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    hash TEXT NOT NULL,
    error TEXT
  );
  `,
  // 2: full-text search (search-table.ts).
  SEARCH_MIGRATION,
  // 3: tombstones of pruned stories, origins by story (retention.ts).
  RETENTION_MIGRATION,
  // 4: search indexing deferred to a queue drained in the background and before each search (search-table.ts).
  SEARCH_QUEUE_MIGRATION,
  // 5: leases on source runs, so several workers share the polling (run-leases-table.ts).
  RUN_LEASES_MIGRATION,
  // 6: the change feed every process follows (changes-table.ts).
  CHANGES_MIGRATION,
  // 7: one body per origin: origins alone in their story keep none; text length kept for the merge (origins-table.ts).
  ORIGIN_BODIES_MIGRATION,
  // 8: a word index written with each story, replacing the trigram index and its queue (search-table.ts).
  SEARCH_WORDS_MIGRATION,
  // 9: seed files' recovery notes (seed-files-table.ts), pruned stories' ids in tombstones (retention.ts).
  SEED_FILE_WARNING_MIGRATION + TOMBSTONE_STORY_MIGRATION,
  // 10: the feed discovered on a source's HTML page (sources-table.ts).
  DISCOVERED_URL_MIGRATION,
  // 11: articles source filters dropped (filtered-origins-table.ts).
  FILTERED_ORIGINS_MIGRATION,
  // 12: item pages fetched for fullText sources (full-text-pages-table.ts).
  FULL_TEXT_PAGES_MIGRATION,
  // 13: refresh requests recorded by web processes for the workers (refresh-requests-table.ts).
  REFRESH_REQUESTS_MIGRATION,
  // 14: old ids of stories whose id changed, so their pages redirect (story-moves-table.ts).
  STORY_MOVES_MIGRATION,
  // 15: the earliest time each source asked to be fetched again, kept across restarts (sources-table.ts).
  NOT_BEFORE_MIGRATION,
  // 16: the id a story's feed items carry, kept when the story's id moves (story-moves-table.ts, feed-ids.ts).
  FEED_ID_MIGRATION,
  // 17: stories' dates by rowid for ranking search candidates without reading their rows (search-table.ts).
  SEARCH_DATES_MIGRATION,
  // 18: each story's text length, so listings cut to a text budget read no body to measure it (text-chars-table.ts).
  SQLITE_TEXT_CHARS_MIGRATION,
  // 19: media enclosures of origins and stories (enclosures-migration.ts).
  ENCLOSURES_MIGRATION,
];

/**
 * Brings the database to the latest schema; refuses a database written by a newer version. Migrating a database
 * that holds stories is logged at its start and end (one transaction: some migrations measure every story, e.g.
 * 18's text lengths at ~2 s per 100k stories), so a slow start is explained in the log.
 */
export function migrate(db: Database.Database, log?: StoreLog): void {
  // Migrations 2, 4 and 5 call these functions.
  db.function('html_text', { deterministic: true }, (html: unknown) => (typeof html === 'string' ? htmlToText(html) : ''));
  db.function('text_length', { deterministic: true }, (html: unknown) => (typeof html === 'string' ? textLength(html) : 0));
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new StoreError(`database schema version ${current} is newer than this program knows (${migrations.length})`);
  }
  const stories = current > 0 && current < migrations.length ? (db.prepare('SELECT count(*) AS n FROM stories').get() as { n: number }).n : 0;
  const started = performance.now();
  if (stories > 0) log?.info?.({ from: current, to: migrations.length, stories }, 'migrating the database');
  const apply = db.transaction(() => {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]!);
      // PRAGMA takes no bound parameters; the value is our own integer.
      db.pragma(`user_version = ${version + 1}`);
    }
  });
  apply.immediate();
  if (stories > 0) log?.info?.({ from: current, to: migrations.length, stories, duration_ms: Math.round(performance.now() - started) }, 'database migrated');
}
