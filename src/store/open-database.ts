// Which backend `storage.database` names: a postgres:// or postgresql:// URL is PostgreSQL, anything
// else a SQLite file path (the default).
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { openSqliteStore, type OpenStoreOptions } from './sqlite/open-sqlite-store.js';
import type { DedupPolicy, Store } from './store.js';

export const isPostgresUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database);

/** Opens (creating and migrating as needed) the store `database` names. `onOpen` applies to SQLite only. */
export function openDatabase(database: string, policy: DedupPolicy, options: OpenStoreOptions = {}): Promise<Store> {
  return isPostgresUrl(database) ? openPostgresStore(database, policy, { clock: options.clock }) : openSqliteStore(database, policy, options);
}
