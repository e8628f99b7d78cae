// `server.workers: 2` (node:cluster) as a user runs it: every worker follows the change feed (requests on fresh
// connections, spread over the workers, all see the new ETag), a worker killed with SIGKILL is replaced while
// the others keep answering, and SIGTERM stops every process cleanly.
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor, writeConfig } from './harness.js';
import { runCli } from '../process/process-harness.js';
import { seedArticle, startReadyService, type ReadyService } from './processes.js';

let service: ReadyService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** GET on a new connection each time, so the cluster spreads requests over its workers. */
function freshGet(url: string): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
    }).on('error', reject);
  });
}

/** The source names /api/sources lists, asked on a new connection (any worker). */
function listedSources(base: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    http.get(`${base}/api/sources`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve((JSON.parse(body) as { name: string }[]).map((source) => source.name)));
    }).on('error', reject);
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('server.workers: 2', () => {
  it('follows the change feed in every worker, replaces a killed worker, and stops cleanly', { timeout: 180_000 }, async () => {
    const dir = await tempDir('workers');
    const seed = path.join(dir, 'seed');
    await mkdir(seed, { recursive: true });
    await writeFile(path.join(seed, 'first.md'), seedArticle('First story on the wire', '金融'));
    const configFile = path.join(dir, 'aggregator.yaml');
    await writeConfig(configFile, {
      server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net', workers: 2 },
      storage: { database: path.join(dir, 'aggregator.db') },
      seedFolder: { path: seed, schedule: '0 0 1 1 *' },
      // Nothing listens there: a failing source, listed until the config drops it.
      sources: [{ name: 'Gone', url: 'http://127.0.0.1:9/feed.rss' }],
    });
    service = await startReadyService(configFile);
    const listening = () => service!.lines.filter((line) => line.msg === 'listening' && line.worker !== undefined);
    await waitFor(() => listening().length === 2, 60_000, 'both workers to listen');
    const url = `${service.base}/feeds/all.rss`;
    const before = (await freshGet(url)).etag;
    expect((await listedSources(service.base)).sort()).toEqual(['Gone', 'seed folder']);

    await writeFile(path.join(seed, 'second.md'), seedArticle('Second story on the wire', '港口'));
    expect((await runCli(['ingest', '--config', configFile])).code).toBe(0);
    await waitFor(async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, () => freshGet(url)));
      return answers.every((answer) => answer.status === 200 && answer.etag !== before);
    }, 10_000, '50 requests all with the new ETag');

    // The file now says one process; the primary keeps running with two workers until restarted, and so must a
    // replacement worker: it serves with the primary's config, never as a second whole service (scheduler, writer).
    await writeConfig(configFile, {
      server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net', workers: 1 },
      storage: { database: path.join(dir, 'aggregator.db') },
      seedFolder: { path: seed, schedule: '0 0 1 1 *' },
      sources: [],
    });
    await waitFor(() => service!.lines.some((line) => String(line.msg).includes('take effect after a restart')), 10_000, 'the primary to keep its server settings');
    // The source dropped from the file is no longer listed, whichever worker answers.
    await waitFor(async () => {
      const lists = await Promise.all(Array.from({ length: 20 }, () => listedSources(service!.base)));
      return lists.every((names) => names.join() === 'seed folder');
    }, 10_000, 'every worker to stop listing the removed source');

    // A broken edit: every worker's index page names it, and the cluster's metrics say so.
    await writeFile(configFile, 'server: { workers: two }\nsources: []\n');
    const page = (url: string) => new Promise<string>((resolve, reject) => {
      http.get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    await waitFor(async () => {
      const pages = await Promise.all(Array.from({ length: 20 }, () => page(`${service!.base}/`)));
      return pages.every((html) => html.includes('aggregator.yaml:1:20 server.workers:'));
    }, 10_000, 'every worker to show the config error');
    expect(await page(`${service.base}/metrics`)).toMatch(/^aggregator_config_last_reload_successful 0$/m);

    // SIGKILL one worker: the primary logs it and starts another; the other keeps answering meanwhile.
    const victim = Number(listening()[0]!.pid);
    process.kill(victim, 'SIGKILL');
    // The dead worker is named as worker_pid; pid stays the primary's own (a second `pid` key was written before).
    await waitFor(() => service!.lines.some((line) => line.msg === 'worker died; starting a new one' && line.worker_pid === victim), 10_000, 'the death to be logged');
    expect(service.lines.find((line) => line.msg === 'worker died; starting a new one')!.pid).toBe(service.process.child.pid);
    // Bounded by time, not by a request count: how many requests fit in a worker's start depends on the speed
    // of both (a faster fast path on a loaded machine went past 2,000).
    const during: number[] = [];
    const deadline = Date.now() + 60_000;
    while (listening().length < 3) {
      during.push((await freshGet(url)).status);
      expect(Date.now(), 'the replacement worker to listen').toBeLessThan(deadline);
    }
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((status) => status === 200)).toBe(true);
    const replacement = Number(listening()[2]!.pid);
    expect(replacement).not.toBe(victim);
    expect(alive(replacement)).toBe(true);
    expect((await freshGet(`${service.base}/readyz`)).status).toBe(200);
    expect(service.lines.filter((line) => line.msg === 'scheduler started')).toHaveLength(1);

    const pids = listening().slice(1).map((line) => Number(line.pid));
    expect(await service.stop()).toBe(0);
    await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'every worker to exit');
    expect(service.lines.filter((line) => line.msg === 'worker stopping')).toHaveLength(2);
  });
});
