// The config file re-read while running: debounced change events, validation first, every error reported,
// a file replaced by rename still watched, and which changes apply live.
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../src/config/schema.js';
import { planConfigChange, watchConfig, type ConfigWatcher } from '../../src/config/watch-config.js';
import { tempDir, waitFor } from '../ops/harness.js';

const base = (extra: object = {}): Config => configSchema.parse({ sources: [{ name: 'A', url: 'https://a.example/feed' }], ...extra });

describe('planConfigChange', () => {
  it('applies sources, schedules, seed folder, fetch, log and admin live', () => {
    const next = base({ sources: [{ name: 'B', url: 'https://b.example/feed' }], schedule: '*/5 * * * *', log: { level: 'debug' }, seedFolder: { path: 's' }, fetch: { timeout: '10s' }, admin: { token: 'x'.repeat(20) } });
    expect(planConfigChange(base(), next)).toEqual({ live: ['admin', 'fetch', 'log', 'schedule', 'seedFolder', 'sources'], needRestart: [] });
  });

  it('names server, storage, dedup, feeds and categories as needing a restart', () => {
    const next = base({ server: { port: 9999 }, storage: { database: 'other.db' }, dedup: { window: '1h' }, feeds: { items: 10 }, categories: [{ name: 'X' }] });
    expect(planConfigChange(base(), next)).toEqual({ live: [], needRestart: ['categories', 'dedup', 'feeds', 'server', 'storage'] });
  });

  it('applies a change to category filters alone live, and any other category change after a restart', () => {
    const with_ = (filter: object | undefined, slug = 'x') => base({ categories: [{ name: 'X', slug, ...(filter ? { filter } : {}) }] });
    expect(planConfigChange(with_(undefined), with_({ block: ['ad'] }))).toEqual({ live: ['categories'], needRestart: [] });
    expect(planConfigChange(with_({ block: ['ad'] }), with_({ keep: ['news'] }))).toEqual({ live: ['categories'], needRestart: [] });
    expect(planConfigChange(with_({ block: ['ad'] }), with_({ block: ['ad'] }, 'y'))).toEqual({ live: [], needRestart: ['categories'] });
  });

  it('sees no change in an equal config', () => {
    expect(planConfigChange(base(), base())).toEqual({ live: [], needRestart: [] });
  });
});

describe('watchConfig', () => {
  let watcher: ConfigWatcher | undefined;
  afterEach(() => watcher?.close());

  const yaml = (url: string) => `sources:\n  - name: A\n    url: ${url}\n`;

  it('re-reads the file once after a burst of writes, validated', async () => {
    const dir = await tempDir('watch');
    const file = path.join(dir, 'aggregator.yaml');
    await writeFile(file, yaml('https://a.example/1'));
    const seen: Config[] = [];
    // A debounce far longer than four writes take even on a loaded machine; the test waits for the event
    // (the last version applied), not for a fixed time.
    watcher = watchConfig(file, { debounceMs: 1_000, initialText: yaml('https://a.example/1'), onConfig: (config) => void seen.push(config), onInvalid: () => undefined });
    for (let i = 2; i <= 5; i++) await writeFile(file, yaml(`https://a.example/${i}`));
    await waitFor(() => seen.at(-1)?.sources[0]?.url === 'https://a.example/5', 10_000, 'the last version applied');
    // Each write fires change events; undebounced, every one would be a reload.
    expect(seen.length).toBeLessThan(4);
    expect(seen[0]!.sources[0]!.url).toBe('https://a.example/5');
  });

  it('reports every error of an invalid file with line and column, and applies nothing', async () => {
    const dir = await tempDir('watch');
    const file = path.join(dir, 'aggregator.yaml');
    await writeFile(file, yaml('https://a.example/1'));
    const seen: Config[] = [];
    const invalid: string[][] = [];
    watcher = watchConfig(file, { debounceMs: 30, onConfig: (config) => void seen.push(config), onInvalid: (problems) => void invalid.push(problems) });
    await writeFile(file, 'schedule: nope\nsources:\n  - name: A\n    url: not a url\n');
    await waitFor(() => invalid.length > 0, 3_000, 'the error report');
    expect(seen).toEqual([]);
    expect(invalid[0]).toHaveLength(2);
    expect(invalid[0]![0]).toMatch(/aggregator\.yaml:1:\d+ schedule: Invalid cron expression/);
    expect(invalid[0]![1]).toMatch(/aggregator\.yaml:4:\d+ sources\[0\]\.url: Invalid URL/);
  });

  it('follows a file replaced by rename (how editors and deploy tools save)', async () => {
    const dir = await tempDir('watch');
    const file = path.join(dir, 'aggregator.yaml');
    await writeFile(file, yaml('https://a.example/1'));
    const seen: string[] = [];
    watcher = watchConfig(file, { debounceMs: 30, initialText: yaml('https://a.example/1'), onConfig: (config) => void seen.push(config.sources[0]!.url), onInvalid: () => undefined });
    for (const n of [2, 3]) {
      await writeFile(path.join(dir, '.tmp'), yaml(`https://a.example/${n}`));
      await rename(path.join(dir, '.tmp'), file);
      await waitFor(() => seen.includes(`https://a.example/${n}`), 3_000, `version ${n}`);
    }
  });

  it('reloads on demand and tells an unchanged file apart', async () => {
    const dir = await tempDir('watch');
    const file = path.join(dir, 'aggregator.yaml');
    await writeFile(file, yaml('https://a.example/1'));
    watcher = watchConfig(file, { debounceMs: 10_000, initialText: yaml('https://a.example/1'), onConfig: () => undefined, onInvalid: () => undefined });
    expect(await watcher.reload('SIGHUP')).toEqual({ status: 'unchanged' });
    await writeFile(file, yaml('https://a.example/2'));
    const outcome = await watcher.reload('SIGHUP');
    expect(outcome.status).toBe('applied');
  });

  it('applies a file that comes back unchanged after it could not be read, so the reported problem clears', async () => {
    const dir = await tempDir('watch');
    const file = path.join(dir, 'aggregator.yaml');
    await writeFile(file, yaml('https://a.example/1'));
    const applied: string[] = [];
    watcher = watchConfig(file, {
      debounceMs: 10_000, initialText: yaml('https://a.example/1'), onConfig: (config) => void applied.push(config.sources[0]!.url), onInvalid: () => undefined,
    });
    await rm(file);
    expect(await watcher.reload('SIGHUP')).toMatchObject({ status: 'invalid', problems: [expect.stringContaining('cannot read (ENOENT)')] });
    await writeFile(file, yaml('https://a.example/1'));
    expect((await watcher.reload('SIGHUP')).status).toBe('applied');
    expect(applied).toEqual(['https://a.example/1']);
  });
});
