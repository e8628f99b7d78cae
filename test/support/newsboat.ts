// Drives the real newsboat reader (Debian package): import an OPML file, then read every feed it lists.
// newsboat keeps one copy of an item per guid across all feeds, so each feed is read into its own cache
// to count what that feed alone holds.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const run = promisify(execFile);

export interface NewsboatResult {
  /** Feed URLs newsboat imported from the OPML file, in its order. */
  imported: string[];
  /** Items newsboat read from each feed. */
  itemsByFeed: Map<string, number>;
  /** Lines of newsboat's error log. */
  errors: string[];
}

export async function readWithNewsboat(opml: string): Promise<NewsboatResult> {
  const home = await mkdtemp(path.join(tmpdir(), 'newsboat-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
  const config = path.join(home, 'config');
  const errorLog = path.join(home, 'error.log');
  await writeFile(config, `error-log "${errorLog}"\n`);
  await writeFile(path.join(home, 'feeds.opml'), opml);
  await writeFile(path.join(home, 'urls'), '');
  await run('newsboat', ['-C', config, '-u', path.join(home, 'urls'), '-c', path.join(home, 'import.db'), '-i', path.join(home, 'feeds.opml')], { env });
  const imported = (await readFile(path.join(home, 'urls'), 'utf8')).split('\n').map((line) => line.trim()).filter(Boolean);

  const itemsByFeed = new Map<string, number>();
  for (const [index, url] of imported.entries()) {
    const urls = path.join(home, `urls-${index}`);
    const cache = path.join(home, `cache-${index}.db`);
    await writeFile(urls, `${url}\n`);
    await run('newsboat', ['-C', config, '-u', urls, '-c', cache, '-x', 'reload'], { env, timeout: 60_000 });
    const db = new Database(cache, { readonly: true });
    try {
      itemsByFeed.set(url, (db.prepare('SELECT count(*) AS n FROM rss_item WHERE feedurl = ?').get(url) as { n: number }).n);
    } finally {
      db.close();
    }
  }
  const errors = (await readFile(errorLog, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { imported, itemsByFeed, errors };
}

/** The items newsboat stores for one feed URL: title and author as it will show them, the URL "open in browser" opens. */
export async function readItemsWithNewsboat(url: string): Promise<{ title: string; author: string; url: string }[]> {
  const home = await mkdtemp(path.join(tmpdir(), 'newsboat-'));
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
  const config = path.join(home, 'config');
  await writeFile(config, `error-log "${path.join(home, 'error.log')}"\n`);
  await writeFile(path.join(home, 'urls'), `${url}\n`);
  await run('newsboat', ['-C', config, '-u', path.join(home, 'urls'), '-c', path.join(home, 'cache.db'), '-x', 'reload'], { env, timeout: 60_000 });
  const db = new Database(path.join(home, 'cache.db'), { readonly: true });
  try {
    return db.prepare('SELECT title, author, url FROM rss_item WHERE feedurl = ? ORDER BY pubDate DESC').all(url) as { title: string; author: string; url: string }[];
  } finally {
    db.close();
  }
}
