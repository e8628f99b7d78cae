// Drives the real newsboat reader (Debian package): import an OPML file, reload every feed, count items per feed.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const run = promisify(execFile);

export interface NewsboatResult {
  /** Items per feed URL as newsboat stored them. */
  itemsByFeed: Map<string, number>;
  /** Feeds newsboat could not read, with its error. */
  errors: string[];
}

export async function readWithNewsboat(opml: string): Promise<NewsboatResult> {
  const home = await mkdtemp(path.join(tmpdir(), 'newsboat-'));
  const files = { opml: path.join(home, 'feeds.opml'), urls: path.join(home, 'urls'), cache: path.join(home, 'cache.db'), config: path.join(home, 'config'), log: path.join(home, 'error.log') };
  await writeFile(files.opml, opml);
  await writeFile(files.urls, '');
  await writeFile(files.config, `error-log "${files.log}"\n`);
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
  const common = ['-u', files.urls, '-c', files.cache, '-C', files.config];
  await run('newsboat', [...common, '-i', files.opml], { env });
  await run('newsboat', [...common, '-x', 'reload'], { env, timeout: 60_000 });
  const db = new Database(files.cache, { readonly: true });
  try {
    const rows = db.prepare('SELECT feedurl, count(*) AS n FROM rss_item GROUP BY feedurl').all() as { feedurl: string; n: number }[];
    const errorLog = await import('node:fs/promises').then((fs) => fs.readFile(files.log, 'utf8').catch(() => ''));
    return { itemsByFeed: new Map(rows.map((row) => [row.feedurl, row.n])), errors: errorLog.split('\n').filter(Boolean) };
  } finally {
    db.close();
  }
}
