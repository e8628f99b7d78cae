// The SQLite connection of the store: WAL (readers never wait for the writer), foreign keys, a 5 s wait for the
// write lock, and the schema migrated to the current version before anything reads it.
import Database from 'better-sqlite3';
import { makeFolderOf } from '../make-folder.js';
import { migrate } from './migrations.js';
import type { StoreLog } from '../store-log.js';

/** Opens (creating its folder and migrating as needed) the database at `path`; closed again if that fails. */
export function openConnection(path: string, log?: StoreLog): Database.Database {
  if (path !== ':memory:' && !path.startsWith('file:')) makeFolderOf(path);
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, log);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
