// Schema versions for PostgreSQL, applied in order in one transaction under an advisory lock, so
// processes starting together migrate once; `schema_version` records how many have run.
import type { StoreLog } from '../store-log.js';
import { StoreError } from '../../errors.js';
import { LOCKS, inTransaction } from './pool.js';
import { fullTextPagesTable } from '../full-text-rows.js';
import type pg from 'pg';
import { REFRESH_REQUESTS_MIGRATION } from './refresh-requests-table.js';
import { FEED_ID_MIGRATION, STORY_MOVES_MIGRATION } from './story-moves-table.js';
import { ENCLOSURES_MIGRATION } from './enclosures-migration.js';
import { STORY_PERIODS_MIGRATION, STORY_SEARCH_MIGRATION } from './story-words.js';
import { POSTGRES_TEXT_CHARS_MIGRATION } from '../text-chars-table.js';

// Keys compared and sorted as SQLite does (code points): COLLATE "C".
const KEY = 'TEXT COLLATE "C"';

/** Append only: never edit a migration that has shipped. */
export const migrations: readonly string[] = [
  `
  CREATE TABLE origins (
    source_key ${KEY} NOT NULL,
    origin_id ${KEY} NOT NULL,
    title_key ${KEY} NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    guid TEXT,
    published_ms BIGINT NOT NULL,
    updated_ms BIGINT,
    author TEXT,
    categories_json TEXT NOT NULL,
    image TEXT,
    -- The origin's own body; NULL while it is alone in its story (the story holds it).
    content_html TEXT,
    text_length BIGINT NOT NULL,
    summary TEXT NOT NULL,
    date_is_fallback SMALLINT NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    story_id ${KEY},
    first_seen_ms BIGINT NOT NULL,
    PRIMARY KEY (source_key, origin_id)
  );
  CREATE INDEX origins_by_title_key ON origins (title_key);
  CREATE INDEX origins_by_story ON origins (story_id);

  CREATE TABLE stories (
    id ${KEY} PRIMARY KEY,
    title_key ${KEY} NOT NULL,
    published_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    links_json TEXT NOT NULL,
    author TEXT,
    categories_json TEXT NOT NULL,
    image TEXT,
    content_html TEXT NOT NULL,
    summary TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL,
    text_hash TEXT
  );
  CREATE INDEX stories_by_title_key ON stories (title_key);
  CREATE INDEX stories_by_published ON stories (published_ms, id);

  CREATE TABLE story_categories (
    story_id ${KEY} NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    slug ${KEY} NOT NULL,
    published_ms BIGINT NOT NULL,
    PRIMARY KEY (story_id, slug)
  );
  CREATE INDEX story_categories_by_slug ON story_categories (slug, published_ms, story_id);

  CREATE TABLE categories (
    slug ${KEY} PRIMARY KEY,
    name TEXT NOT NULL,
    story_count BIGINT NOT NULL DEFAULT 0,
    last_changed_ms BIGINT
  );
  INSERT INTO categories (slug, name) VALUES ('all', 'all');

  CREATE TABLE sources (
    name ${KEY} PRIMARY KEY,
    url TEXT NOT NULL,
    last_attempt_ms BIGINT,
    last_success_ms BIGINT,
    http_status INTEGER,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_run_ms BIGINT,
    etag TEXT,
    last_modified TEXT,
    added_last BIGINT NOT NULL DEFAULT 0,
    added_total BIGINT NOT NULL DEFAULT 0
  );

  CREATE TABLE seed_files (
    rel_path ${KEY} PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ms DOUBLE PRECISION NOT NULL,
    hash TEXT NOT NULL,
    error TEXT
  );

  CREATE TABLE tombstones (
    title_key ${KEY} NOT NULL,
    published_ms BIGINT NOT NULL,
    pruned_ms BIGINT NOT NULL,
    PRIMARY KEY (title_key, published_ms)
  );

  -- The change feed (changes-table.ts): one row per committed change of published content.
  CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    categories TEXT[] NOT NULL,
    announced_ms BIGINT
  );
  CREATE INDEX changes_unannounced ON changes (seq) WHERE announced_ms IS NULL;
  CREATE INDEX changes_by_time ON changes (at_ms);
  -- Every change up to pruned_through may be gone: a follower behind it has a gap.
  CREATE TABLE change_feed (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    pruned_through BIGINT NOT NULL DEFAULT 0
  );
  INSERT INTO change_feed DEFAULT VALUES;

  -- Leased runs (run-leases-table.ts): who runs which source or the seed folder until when.
  CREATE TABLE run_leases (
    name ${KEY} PRIMARY KEY,
    host ${KEY},
    owner TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
  );
  CREATE INDEX run_leases_by_host ON run_leases (host, expires_ms);
  `,
  // 2: the recovery note of each seed file, read again once (as SQLite's migration 9); tombstones name the
  // pruned story so its page can answer 410 Gone.
  `
  ALTER TABLE seed_files ADD COLUMN warning TEXT;
  UPDATE seed_files SET size = -1, hash = '';
  ALTER TABLE tombstones ADD COLUMN story_id TEXT;
  CREATE INDEX tombstones_by_story ON tombstones (story_id) WHERE story_id IS NOT NULL;
  `,
  // 3: the feed discovered on a source's HTML page (as SQLite's migration 10).
  `
  ALTER TABLE sources ADD COLUMN discovered_url TEXT;
  `,
  // 4: articles source filters dropped (filtered-origins-table.ts), as SQLite's migration 11.
  `
  CREATE TABLE filtered_origins (
    source_key ${KEY} NOT NULL,
    origin_id ${KEY} NOT NULL,
    title TEXT NOT NULL,
    rule TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    dropped_ms BIGINT NOT NULL,
    PRIMARY KEY (source_key, origin_id)
  );
  `,
  // 5: the word index (search.ts): a tsvector of the segmented title (weight A) and body (B) words,
  // 'simple' configuration, GIN. The words are cut in JavaScript (jieba), which SQL cannot run: stories
  // stored before this are indexed by the rebuild in slices (NULL = not indexed yet, found by the partial index).
  `
  ALTER TABLE stories ADD COLUMN search_words tsvector;
  CREATE INDEX stories_search_words ON stories USING gin (search_words);
  CREATE INDEX stories_unindexed ON stories (id) WHERE search_words IS NULL;
  `,
  // 6: item pages fetched for fullText sources (as SQLite's migration 12).
  fullTextPagesTable('BIGINT'),
  // 7: refresh requests recorded by web processes for the workers (as SQLite's migration 13).
  REFRESH_REQUESTS_MIGRATION,
  // 8: old ids of stories whose id changed, so their pages redirect (as SQLite's migration 14).
  STORY_MOVES_MIGRATION,
  // 9: the earliest time each source asked to be fetched again (as SQLite's migration 15).
  `
  ALTER TABLE sources ADD COLUMN not_before_ms BIGINT;
  `,
  // 10: the id a story's feed items carry (as SQLite's migration 16).
  FEED_ID_MIGRATION,
  // 11: the word index moves to a narrow table of its own (story-words.ts), its tsvectors out of line.
  STORY_SEARCH_MIGRATION,
  // 12: each indexed story's 30-day period of publication as a lexeme of its tsvector (story-words.ts).
  STORY_PERIODS_MIGRATION,
  // 13: each story's text length, as SQLite's migration 18 (text-chars-table.ts).
  POSTGRES_TEXT_CHARS_MIGRATION,
  // 14: media enclosures of origins and stories (enclosures-migration.ts).
  ENCLOSURES_MIGRATION,
];

async function currentVersion(sql: pg.ClientBase): Promise<number> {
  await sql.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const { rows } = await sql.query<{ version: number }>('SELECT version FROM schema_version');
  return rows[0]?.version ?? 0;
}

/**
 * Brings the database to the latest schema; refuses one written by a newer version. Every process
 * calls it on start: the advisory lock makes concurrent starts wait for the first one's migration.
 */
export async function migrate(pool: pg.Pool, where: string, log?: StoreLog): Promise<{ from: number; to: number }> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCKS.migrate]);
    const from = await currentVersion(client);
    if (from > migrations.length) {
      throw new StoreError(`database ${where}: schema version ${from} is newer than this program knows (${migrations.length}); upgrade the program`);
    }
    // Migrating a database that holds stories is logged at its start and end (one transaction: 13's text lengths
    // measure every story, ~2 s per 100k), so a slow start is explained in the log.
    const stories = from > 0 && from < migrations.length ? Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM stories')).rows[0]!.n) : 0;
    const started = performance.now();
    if (stories > 0) log?.info?.({ from, to: migrations.length, stories }, 'migrating the database');
    for (let version = from; version < migrations.length; version++) await client.query(migrations[version]!);
    if (stories > 0) log?.info?.({ from, to: migrations.length, stories, duration_ms: Math.round(performance.now() - started) }, 'database migrated');
    if (from === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migrations.length]);
    else await client.query('UPDATE schema_version SET version = $1', [migrations.length]);
    return { from, to: Math.max(from, migrations.length) };
  });
}
