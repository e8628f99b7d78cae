// Store.backup on PostgreSQL: pg_dump (custom format, one consistent snapshot) when it is installed;
// otherwise an error saying how to take the dump by hand.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StoreError, describeError } from '../../errors.js';
import { makeFolderOf } from '../make-folder.js';

const run = promisify(execFile);

/** The pg_dump command for `url` into `file` (restore with `pg_restore -d URL FILE`). */
export const pgDumpCommand = (file: string): string => `pg_dump --format=custom --file=${JSON.stringify(file)} "$DATABASE_URL"`;

export async function backupDatabase(url: string, file: string): Promise<void> {
  try {
    makeFolderOf(file);
  } catch (error) {
    throw new StoreError(`backup to ${file} failed: ${describeError(error)}`, { cause: error });
  }
  try {
    // The password goes in the environment, not on a command line other users can read (ps).
    const dbname = new URL(url);
    const password = decodeURIComponent(dbname.password);
    dbname.password = '';
    const env = password ? { ...process.env, PGPASSWORD: password } : process.env;
    await run('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${dbname.href}`], { maxBuffer: 1 << 20, env });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const how = `run ${pgDumpCommand(file)} with DATABASE_URL set to storage.database`;
    throw new StoreError(
      missing ? `pg_dump is not installed (Debian: apt-get install postgresql-client); ${how}` : `backup to ${file} failed: ${describeError(error)}; ${how}`,
      { cause: error },
    );
  }
}
