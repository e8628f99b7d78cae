// The database commands of the CLI: `migrate`, `copy-store`, and `backup` (SQLite online backup, or
// pg_dump for PostgreSQL). Each prints one line saying what it did, or the error, and exits non-zero on failure.
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from './config/schema.js';
import { createDedupPolicy } from './ingest/dedup.js';
import { copySqliteToPostgres } from './store/copy-store.js';
import { isPostgresUrl, migrateDatabase, openDatabase } from './store/open-database.js';
import { redactUrl } from './store/postgres/open-postgres-store.js';

/** How the database is named in messages: a path, or a URL without its password. */
export const databaseName = (database: string): string => (isPostgresUrl(database) ? redactUrl(database) : database);

/** `migrate [--config FILE]`: applies pending migrations and exits (processes also migrate on start, under a lock). */
export async function migrate(config: Config): Promise<void> {
  const { from, to } = await migrateDatabase(config.storage.database, createDedupPolicy(config.dedup.window));
  const where = databaseName(config.storage.database);
  console.log(from === to ? `${where} is at schema version ${to}: nothing to migrate` : `migrated ${where} from schema version ${from} to ${to}`);
}

/** `copy-store --from FILE --to URL`: an SQLite database into an empty PostgreSQL one. */
export async function copyStore(argv: string[], config: Config | null): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' }, config: { type: 'string' } }, strict: true });
  const to = values.to ?? (config && isPostgresUrl(config.storage.database) ? config.storage.database : undefined);
  if (!values.from || !to || isPostgresUrl(values.from) || !isPostgresUrl(to)) {
    throw new Error('usage: npm run copy-store -- --from SQLITE_FILE --to postgres://… (or --config FILE whose storage.database is the URL)');
  }
  // Progress on stderr every 50,000 rows of a table: a database of a million stories takes minutes to copy.
  const shown = new Map<string, number>();
  const progress = (table: string, copied: number) => {
    const step = Math.floor(copied / 50_000);
    if (step > (shown.get(table) ?? 0)) console.error(`copy-store: ${copied} ${table} copied`);
    shown.set(table, step);
  };
  const report = await copySqliteToPostgres(values.from, to, createDedupPolicy(config?.dedup.window ?? 12 * 3_600_000), progress);
  const counts = Object.entries(report.rows).map(([table, n]) => `${n} ${table}`).join(', ');
  console.log(`copied ${values.from} to ${redactUrl(to)}: ${counts}; change feed at ${report.latestChangeSeq}`);
}

/**
 * `backup FILE`: SQLite through its online backup API, PostgreSQL through pg_dump (custom format; restore
 * with pg_restore), both safe while the service writes. Written beside FILE first and renamed, so FILE is
 * never a partial copy.
 */
export async function backup(target: string, config: Config): Promise<void> {
  const database = config.storage.database;
  if (!isPostgresUrl(database) && path.resolve(database) === target) throw new Error(`refusing to back up ${target} onto itself`);
  // Not openStore: a backup writes nothing to the live database (no category declarations).
  const store = await openDatabase(database, createDedupPolicy(config.dedup.window));
  const partial = `${target}.partial`;
  try {
    await store.backup(partial);
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await store.close();
  }
  console.log(`backed up ${databaseName(database)} to ${target} (${(await stat(target)).size} bytes)`);
}
