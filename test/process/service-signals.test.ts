// The service as a process: start-up exit codes, a graceful stop on SIGTERM/SIGINT while a run is in
// flight (a fetch not answered yet is given up, nothing half-stored, exit 0; the next start stores the run whole),
// and SIGHUP re-reading the config.
import Database from 'better-sqlite3';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempDir, waitFor } from '../ops/harness.js';
import { rssFeed, serveRss, startHeldFeedServer, startServiceProcess, type HeldFeedServer } from './process-harness.js';

let feeds: HeldFeedServer;
beforeAll(async () => {
  feeds = await startHeldFeedServer();
  feeds.setFeed('slow', serveRss(rssFeed('slow', 40)));
});
afterAll(() => feeds.close());

async function configIn(dir: string, extra: object = {}): Promise<string> {
  const file = path.join(dir, 'aggregator.yaml');
  await writeFile(file, stringify({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    sources: [{ name: 'slow', url: feeds.url('slow'), categories: ['news'] }],
    ...extra,
  }));
  return file;
}

describe('start-up', () => {
  it('exits 2 on an invalid config, printing every problem', async () => {
    const dir = await tempDir('startup');
    const file = path.join(dir, 'aggregator.yaml');
    await writeFile(file, 'schedule: nope\nsources:\n  - name: A\n    url: not a url\n');
    const run = await startServiceProcess(file).exited;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('schedule: Invalid cron expression');
    expect(run.stderr).toContain('sources[0].url: Invalid URL');
  });

  it('exits 1 naming the database when it cannot be opened', async () => {
    const dir = await tempDir('startup');
    const blocker = path.join(dir, 'file');
    await writeFile(blocker, 'x');
    const run = await startServiceProcess(await configIn(dir, { storage: { database: path.join(blocker, 'aggregator.db') } })).exited;
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain(`cannot open database ${path.join(blocker, 'aggregator.db')} (storage.database): cannot create its folder: ${blocker} is a file, not a folder`);
  });

  it('exits 1 naming storage.database, the file and the folder for a path under /proc, where a folder cannot be made', async () => {
    // Node's recursive mkdir loops forever there (mkdir answers ENOENT inside /proc, which exists): the process hung.
    const service = startServiceProcess(await configIn(await tempDir('startup'), { storage: { database: '/proc/nope/x.db' } }));
    let run: Awaited<typeof service.exited> | undefined;
    void service.exited.then((finished) => (run = finished));
    try {
      await waitFor(() => run !== undefined, 25_000, 'the process to exit (it hung creating /proc/nope)');
    } finally {
      if (run === undefined) service.child.kill('SIGKILL');
    }
    expect(run!.code).toBe(1);
    expect(`${run!.stdout}${run!.stderr}`).toContain("cannot open database /proc/nope/x.db (storage.database): cannot create its folder /proc/nope: ENOENT");
  });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('%s with a run in flight', (signal) => {
  it('stops without waiting for a feed that has not answered, records no failure, and the next start stores the run whole', async () => {
    const dir = await tempDir('signal');
    feeds.hold('slow');
    const before = feeds.hits('slow');
    // A fetch timeout far past every deadline below: only giving the unanswered request up lets the process exit.
    const file = await configIn(dir, { fetch: { timeout: '10m' } });
    const service = startServiceProcess(file);
    try {
      await service.base();
      // The start-up ingest is waiting for the feed's answer: the run is in flight.
      await waitFor(() => feeds.waiting('slow') === 1, 20_000, 'the feed request');
      service.child.kill(signal);
      await service.logged((line) => line.msg === 'stopping: waiting for runs in flight' && line.signal === signal, 'the stop message');
      await waitFor(() => service.child.exitCode !== null, 20_000, 'the service to exit while the feed still holds its answer');
      const run = await service.exited;
      expect(run.code, run.stderr).toBe(0);
      expect(service.lines.some((line) => line.msg === 'source run stopped: the process is stopping' && line.source === 'slow')).toBe(true);
      // The log says the stop finished, as its last line.
      expect(service.lines.at(-1)).toMatchObject({ msg: 'stopped', signal });
    } finally {
      feeds.release('slow');
      service.child.kill('SIGKILL');
    }
    const db = new Database(path.join(dir, 'aggregator.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) FROM stories').pluck().get()).toBe(0);
      // The stop is not the source's failure: no error, no backoff; it is still due.
      expect(db.prepare("SELECT count(*) FROM sources WHERE name = 'slow' AND (consecutive_failures > 0 OR last_error IS NOT NULL)").pluck().get()).toBe(0);
    } finally {
      db.close();
    }

    // Started again, the run is made whole.
    const again = startServiceProcess(file);
    try {
      await again.logged((line) => line.msg === 'first ingest finished', 'the first ingest', 30_000);
    } finally {
      again.child.kill(signal);
      expect((await again.exited).code).toBe(0);
    }
    expect(feeds.hits('slow')).toBe(before + 2);
    const stored = new Database(path.join(dir, 'aggregator.db'), { readonly: true });
    try {
      const titles = stored.prepare('SELECT title FROM stories ORDER BY title').pluck().all() as string[];
      expect(titles).toHaveLength(40);
      expect(titles).toContain('slow story 40');
    } finally {
      stored.close();
    }
  });
});

describe('SIGTERM during a seed import', () => {
  it('ends the import after the batch being stored, exits 0, and the next start stores the rest', async () => {
    const dir = await tempDir('signal-import');
    const seed = path.join(dir, 'seed');
    await mkdir(seed);
    // 3,000 files: thirty batches of 100 (a serving process's batch), each stored in its own transaction.
    const FILES = 3_000;
    for (let i = 0; i < FILES; i++) {
      await writeFile(path.join(seed, `post-${i}.md`), `---\ntitle: Imported post ${i}\ndate: 2025-06-02 08:00:00\n---\n<p>Body of post ${i}, with a few more words.</p>\n`);
    }
    const file = await configIn(dir, { sources: [], seedFolder: { path: seed } });
    const stored = () => {
      const db = new Database(path.join(dir, 'aggregator.db'), { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT count(*) FROM seed_files').pluck().get() as number;
      } catch {
        return 0;
      } finally {
        db.close();
      }
    };
    const service = startServiceProcess(file);
    try {
      await service.base();
      await waitFor(() => stored() >= 500, 60_000, 'the first batch stored');
      service.child.kill('SIGTERM');
      const run = await service.exited;
      expect(run.code, run.stderr).toBe(0);
    } finally {
      service.child.kill('SIGKILL');
    }
    // Stopped, not run to its end: the files stored are those of whole batches, as the log says.
    expect(stored()).toBeLessThan(FILES);
    const interrupted = service.lines.find((line) => line.msg === 'seed import stopped: the process is stopping; the next scan goes on');
    expect(interrupted?.stored).toBe(stored());

    const again = startServiceProcess(file);
    try {
      await again.logged((line) => line.msg === 'first ingest finished', 'the first ingest', 60_000);
    } finally {
      again.child.kill('SIGTERM');
      expect((await again.exited).code).toBe(0);
    }
    expect(stored()).toBe(FILES);
    const db = new Database(path.join(dir, 'aggregator.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM stories').pluck().get()).toBe(FILES);
    } finally {
      db.close();
    }
  });
});

describe('SIGHUP', () => {
  it('re-reads the config file: a new source is added and run, the process stays up', async () => {
    const dir = await tempDir('sighup');
    feeds.setFeed('added', serveRss(rssFeed('added', 2)));
    // The config path is a symlink into another folder (as a Kubernetes ConfigMap mounts it): the file
    // watcher sees no change there, so what applies the new file below is the signal, nothing else.
    const real = await configIn(await tempDir('sighup-real'), { storage: { database: path.join(dir, 'aggregator.db') } });
    const file = path.join(dir, 'aggregator.yaml');
    await symlink(real, file);
    const service = startServiceProcess(file);
    try {
      const base = await service.base();
      await service.logged((line) => line.msg === 'first ingest finished', 'the first ingest');
      const hitsBefore = feeds.hits('added');
      await writeFile(real, stringify({
        server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
        storage: { database: path.join(dir, 'aggregator.db') },
        sources: [{ name: 'slow', url: feeds.url('slow'), categories: ['news'] }, { name: 'added', url: feeds.url('added'), categories: ['news'] }],
      }));
      service.child.kill('SIGHUP');
      const reloaded = await service.logged((line) => line.msg === 'config reloaded', 'the reload');
      expect(reloaded).toMatchObject({ reason: 'SIGHUP', added: ['added'] });
      await waitFor(async () => {
        const state = (await (await fetch(`${base}/api/sources`)).json()) as { name: string; addedTotal: number }[];
        return state.some((source) => source.name === 'added' && source.addedTotal === 2);
      }, 20_000, 'the added source stored');
      expect(feeds.hits('added')).toBe(hitsBefore + 1);
      expect(service.child.exitCode).toBeNull();
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});
