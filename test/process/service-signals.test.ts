// The service as a process: start-up exit codes, a graceful stop on SIGTERM/SIGINT while a run is in
// flight (the run finishes and is stored whole, exit 0), and SIGHUP re-reading the config.
import Database from 'better-sqlite3';
import { symlink, writeFile } from 'node:fs/promises';
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
    expect(`${run.stdout}${run.stderr}`).toContain(`cannot open database ${path.join(blocker, 'aggregator.db')}`);
  });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('%s with a run in flight', (signal) => {
  it('lets the run finish, stores it whole, and exits 0', async () => {
    const dir = await tempDir('signal');
    feeds.hold('slow');
    const before = feeds.hits('slow');
    const service = startServiceProcess(await configIn(dir));
    try {
      await service.base();
      // The start-up ingest is waiting for the feed's answer: the run is in flight.
      await waitFor(() => feeds.waiting('slow') === 1, 20_000, 'the feed request');
      service.child.kill(signal);
      await service.logged((line) => line.msg === 'stopping: waiting for runs in flight' && line.signal === signal, 'the stop message');
      feeds.release('slow');
      const run = await service.exited;
      expect(run.code, run.stderr).toBe(0);
    } finally {
      feeds.release('slow');
      service.child.kill('SIGKILL');
    }
    expect(feeds.hits('slow')).toBe(before + 1);
    const db = new Database(path.join(dir, 'aggregator.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const titles = db.prepare('SELECT title FROM stories ORDER BY title').pluck().all() as string[];
      expect(titles).toHaveLength(40);
      expect(titles).toContain('slow story 40');
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
