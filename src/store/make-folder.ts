// Creating the folder a database file or a backup goes in. Not Node's `mkdir(…, { recursive: true })`: where mkdir
// answers ENOENT inside a folder that exists (/proc: `storage.database: /proc/nope/x.db`) it tries the parent, finds
// it there, tries the child again, and loops forever — the process hangs at start without a word.
import { mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeError } from '../errors.js';

function statOrNothing(at: string): Stats | null {
  try {
    return statSync(at);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new Error(`cannot create its folder: ${describeError(error)}`, { cause: error });
  }
}

/** Creates the folder of `file` and any missing above it, one level at a time; a clear error naming the folder if it cannot. */
export function makeFolderOf(file: string): void {
  const missing: string[] = [];
  let at = resolve(dirname(file));
  for (let stats = statOrNothing(at); stats === null; stats = statOrNothing(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
    at = dirname(at);
  }
  if (!statOrNothing(at)?.isDirectory()) throw new Error(`cannot create its folder: ${at} is a file, not a folder`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statOrNothing(folder)?.isDirectory()) continue;
      // ENOENT although the folder above exists: that folder takes no new ones (/proc, /sys).
      const why = code === 'ENOENT' ? `; ${dirname(folder)} takes no new folders` : '';
      throw new Error(`cannot create its folder ${folder}: ${describeError(error)}${why}`, { cause: error });
    }
  }
}
