// `copy-store`: moves an existing SQLite database into an empty PostgreSQL one, in one PostgreSQL
// transaction: every story, origin, category, source state, seed file record, tombstone, moved story id, change
// record and full-text page, with the change feed's position (the newest sequence and the pruned-through watermark), so
// followers and the seed scan carry on where they were. The search index is not copied: it is rebuilt.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { StoreError, describeError } from '../errors.js';
import { migrate } from './postgres/migrations.js';
import { redactUrl } from './postgres/open-postgres-store.js';
import { pgValue } from './postgres/pg-text.js';
import { createPool, inTransaction } from './postgres/pool.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { DedupPolicy } from './store.js';

/** Tables copied as they are (same columns on both backends), parents before children. */
const TABLES = ['stories', 'story_categories', 'origins', 'categories', 'sources', 'seed_files', 'tombstones', 'story_moves', 'filtered_origins', 'changes', 'full_text_pages'] as const;
const BATCH = 500;
/**
 * Characters of text per batch, whatever the row count: a batch is one JSON parameter, and 500 stories of
 * 2 MB would make a 1 GB string (over V8's ~512 MB string limit, and far over a small machine's memory).
 */
export const BATCH_CHARS = 8 * 1024 * 1024;

export interface CopyReport {
  rows: Record<string, number>;
  latestChangeSeq: number;
}

/** A table's rows in batches of at most BATCH rows and, past its first row, `maxChars` characters of text. */
export function* batches(db: Database.Database, table: string, maxChars = BATCH_CHARS): Generator<Record<string, unknown>[]> {
  let batch: Record<string, unknown>[] = [];
  let chars = 0;
  for (const row of db.prepare(`SELECT * FROM ${table}`).iterate() as IterableIterator<Record<string, unknown>>) {
    const copied: Record<string, unknown> = {};
    let rowChars = 0;
    for (const [column, value] of Object.entries(row)) {
      copied[column] = pgValue(value);
      rowChars += typeof value === 'string' ? value.length : 8;
    }
    // The change record's categories: JSON text on SQLite, text[] on PostgreSQL.
    if (table === 'changes') copied.categories = JSON.parse(row.categories as string);
    if (batch.length > 0 && chars + rowChars > maxChars) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(copied);
    chars += rowChars;
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
      chars = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/** Copies the SQLite database `from` into the PostgreSQL database `to`, which must hold no data yet. */
export async function copySqliteToPostgres(
  from: string, to: string, policy: DedupPolicy, progress: (table: string, copied: number) => void = () => undefined,
): Promise<CopyReport> {
  // Opening would create a missing file: a mistyped path would copy an empty database and report success.
  if (!existsSync(from)) throw new StoreError(`cannot open database ${from}: no such file`);
  // Opening migrates the SQLite file to the schema this program copies from.
  await (await openSqliteStore(from, policy)).close();
  const db = new Database(from, { readonly: true, fileMustExist: true });
  const pool = createPool(to, 2);
  try {
    await migrate(pool, redactUrl(to));
    return await inTransaction(pool, async (client) => {
      const { rows: [used] } = await client.query<{ n: number }>(
        "SELECT (SELECT count(*) FROM stories) + (SELECT count(*) FROM origins) + (SELECT count(*) FROM sources) + (SELECT count(*) FROM seed_files) + (SELECT count(*) FROM changes) + (SELECT count(*) FROM categories WHERE slug <> 'all') AS n",
      );
      if (used!.n > 0) throw new StoreError(`${redactUrl(to)} already holds data: copy-store only fills an empty database`);
      // The `all` row exists from the migration; the copy brings its counts.
      await client.query("DELETE FROM categories WHERE slug = 'all'");
      const rows: Record<string, number> = {};
      for (const table of TABLES) {
        rows[table] = 0;
        for (const batch of batches(db, table)) {
          await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(batch)]);
          rows[table] += batch.length;
          progress(table, rows[table]);
        }
      }
      // Every story gets its word index row, not indexed yet (NULL words): the rebuild indexes them.
      await client.query('INSERT INTO story_search (id, published_ms) SELECT id, published_ms FROM stories');
      const watermark = (db.prepare('SELECT through_seq FROM changes_pruned WHERE id = 1').pluck().get() as number | undefined) ?? 0;
      await client.query('UPDATE change_feed SET pruned_through = $1', [watermark]);
      // Sequences go on after the copied ones (and after pruned ones: a follower's position stays valid).
      const { rows: [top] } = await client.query<{ seq: number }>(
        'SELECT greatest((SELECT max(seq) FROM changes), $1::bigint, 0) AS seq', [watermark],
      );
      await client.query("SELECT setval(pg_get_serial_sequence('changes', 'seq'), $1::bigint, $2)", [Math.max(top!.seq, 1), top!.seq > 0]);
      return { rows, latestChangeSeq: top!.seq };
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`copying ${from} to ${redactUrl(to)} failed: ${describeError(error)}`, { cause: error });
  } finally {
    db.close();
    await pool.end();
  }
}
