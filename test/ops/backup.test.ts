// `npm run backup -- FILE` while the service runs and writes: a consistent, complete copy.
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { rss, startFromFile, tempDir, type StartedService } from './harness.js';

const run = promisify(execFile);
let feeds: FixtureServer | undefined;
let started: StartedService | undefined;
afterAll(async () => {
  await started?.service.stop();
  await feeds?.close();
});

describe('backup while running', () => {
  it('copies the live database through the online backup API, consistently', async () => {
    let n = 0;
    feeds = await startFixtureServer({
      '/wire.rss': (_req, res) => {
        n++;
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss('Wire', Array.from({ length: 10 }, (_, i) => ({ title: `Run ${n} story ${i}`, guid: `${n}-${i}` }))));
      },
    });
    const dir = await tempDir('backup');
    started = await startFromFile(dir, { sources: [{ name: 'Wire', url: feeds.url('/wire.rss'), categories: ['News'] }] });
    await started.service.firstIngest;

    // Keep the service writing while the backup runs.
    let writing = true;
    const writer = (async () => {
      while (writing) await started!.service.scheduler.refresh('Wire');
    })();
    const target = path.join(dir, 'backups', 'copy.db');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'backup', target, '--config', started.configFile]);
    writing = false;
    await writer;

    expect(stdout).toMatch(/backed up .* to .*copy\.db \(\d+ bytes\)/);
    expect(existsSync(`${target}.partial`)).toBe(false);
    const copy = new Database(target, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const stories = copy.prepare('SELECT COUNT(*) FROM stories').pluck().get() as number;
      const origins = copy.prepare('SELECT COUNT(*) FROM origins').pluck().get() as number;
      expect(stories).toBeGreaterThanOrEqual(10);
      expect(stories % 10).toBe(0); // whole runs only
      expect(origins).toBe(stories);
      expect(copy.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    } finally {
      copy.close();
    }
  }, 60_000);

  it('refuses to overwrite the live database', async () => {
    const configFile = started!.configFile;
    const database = path.join(path.dirname(configFile), 'aggregator.db');
    await expect(run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'backup', database, '--config', configFile])).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('onto itself') });
  }, 30_000);
});
