// Which backend `storage.database` names: a postgres:// or postgresql:// URL is PostgreSQL, anything
// else a SQLite file path (the default). The PostgreSQL modules (and pg) load only when a URL asks for them.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { StoreError, describeError } from '../errors.js';
import { migrations as sqliteMigrations } from './sqlite/migrations.js';
import { openSqliteStore, type OpenStoreOptions } from './sqlite/open-sqlite-store.js';
import type { DedupPolicy, Store } from './store.js';

export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database);

export interface OpenDatabaseOptions extends OpenStoreOptions {
  /**
   * This process serves searches (roles all and web): a PostgreSQL store warms its kept connections with a search
   * and reads the newest stories' search rows at open (postgres/search.ts). An ingest or worker process never
   * searches and skips that.
   */
  servesSearches?: boolean;
}

/** Opens (creating and migrating as needed) the store `database` names. `onOpen` applies to SQLite only. */
export async function openDatabase(database: string, policy: DedupPolicy, options: OpenDatabaseOptions = {}): Promise<Store> {
  const { servesSearches, ...sqliteOptions } = options;
  if (!isPostgresUrl(database)) return openSqliteStore(database, policy, sqliteOptions);
  const { openPostgresStore } = await import('./postgres/open-postgres-store.js');
  return openPostgresStore(database, policy, { clock: options.clock, warmSearch: servesSearches === true, log: options.log });
}

/** Brings the database to the latest schema (what every process also does on start) and says from which version. */
export async function migrateDatabase(database: string, policy: DedupPolicy): Promise<{ from: number; to: number }> {
  if (isPostgresUrl(database)) {
    const [{ migrate: migratePostgres }, { redactUrl }, { createPool }] = await Promise.all([
      import('./postgres/migrations.js'), import('./postgres/open-postgres-store.js'), import('./postgres/pool.js'),
    ]);
    const where = redactUrl(database);
    const pool = createPool(database, 1);
    try {
      return await migratePostgres(pool, where);
    } catch (error) {
      // As every process names it at start: which database refused (a wrong password, host or name in the URL).
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open database ${where}: ${describeError(error)}`, { cause: error });
    } finally {
      await pool.end();
    }
  }
  let from = 0;
  if (existsSync(database)) {
    const db = new Database(database, { readonly: true });
    try {
      from = db.pragma('user_version', { simple: true }) as number;
    } finally {
      db.close();
    }
  }
  await (await openSqliteStore(database, policy)).close();
  return { from, to: Math.max(from, sqliteMigrations.length) };
}
