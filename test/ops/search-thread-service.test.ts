// The search thread in the service as a user runs it (issue #15 finding 4): with one process and with
// `server.workers: 2` (each cluster worker its own thread and read-only connection), searches on fresh
// connections find what the ingest stored, and SIGTERM still stops every process with exit 0.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, writeConfig } from './harness.js';
import { seedArticle, startReadyService, type ReadyService } from './processes.js';

let service: ReadyService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

describe.each([1, 2])('server.workers: %i', (workers) => {
  it('searches in the search thread and stops cleanly on SIGTERM', { timeout: 120_000 }, async () => {
    const dir = await tempDir('search-thread');
    const seed = path.join(dir, 'seed');
    await mkdir(seed, { recursive: true });
    await writeFile(path.join(seed, 'first.md'), seedArticle('Zeppelin over the harbour', '金融'));
    await writeFile(path.join(seed, 'second.md'), seedArticle('Second zeppelin sighted', '港口'));
    const configFile = path.join(dir, 'aggregator.yaml');
    await writeConfig(configFile, {
      server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net', workers },
      storage: { database: path.join(dir, 'aggregator.db') },
      seedFolder: { path: seed, schedule: '0 0 1 1 *' },
      sources: [],
    });
    service = await startReadyService(configFile);
    // Fresh connections: with two workers both serve some, each from its own thread.
    const titles = await Promise.all(Array.from({ length: 8 }, async () => {
      const res = await fetch(`${service!.base}/feeds/search.json?q=zeppelin`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: { title: string }[] }).items.map((item) => item.title).sort();
    }));
    expect(new Set(titles.map((t) => t.join('|')))).toEqual(new Set(['Second zeppelin sighted|Zeppelin over the harbour']));
    expect(await service.stop()).toBe(0);
    expect(service.lines.filter((line) => String(line.msg).startsWith('search thread'))).toEqual([]);
  });
});
