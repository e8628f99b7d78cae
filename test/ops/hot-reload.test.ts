// Editing the config file of a running service: sources added, changed and removed take effect without a
// restart; a broken edit is reported and the old config keeps running; restart-only keys are named.
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { rss, startFromFile, tempDir, waitFor, writeConfig, type StartedService } from './harness.js';

const TOKEN = 'reload-test-token-0123';
let feeds: FixtureServer;
let started: StartedService;
let dir: string;

const configWith = (sources: object[], extra: object = {}) => ({
  server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
  storage: { database: `${dir}/aggregator.db` },
  admin: { token: TOKEN },
  sources,
  ...extra,
});
const fetched = (path: string) => feeds.requests.filter((request) => request === `GET ${path}`).length;
const titles = async () => (await (await fetch(`${started.base}/feeds/all.json`)).json() as { items: { title: string }[] }).items.map((item) => item.title).sort();

beforeAll(async () => {
  dir = await tempDir('reload');
  feeds = await startFixtureServer({
    '/a.rss': serve(rss('A', [{ title: 'Story from A', guid: 'a1' }]), 'application/rss+xml'),
    '/b.rss': serve(rss('B', [{ title: 'Story from B', guid: 'b1' }]), 'application/rss+xml'),
    '/b2.rss': serve(rss('B moved', [{ title: 'Story from B moved', guid: 'b2' }]), 'application/rss+xml'),
  });
  const a = { name: 'A', url: feeds.url('/a.rss'), categories: ['News'] };
  started = await startFromFile(dir, configWith([a]));
  await started.service.firstIngest;
});

afterAll(async () => {
  await started?.service.stop();
  await feeds?.close();
});

describe('hot reload of the config file', () => {
  it('adds, changes and removes sources in a running service', async () => {
    const { service } = started;
    expect(service.scheduler.scheduled()).toEqual(['A']);
    const a = { name: 'A', url: feeds.url('/a.rss'), categories: ['News'] };

    // Added: scheduled and fetched at once.
    await writeConfig(started.configFile, configWith([a, { name: 'B', url: feeds.url('/b.rss'), categories: ['News'] }]));
    await waitFor(() => fetched('/b.rss') === 1, 5_000, 'B fetched');
    expect(service.scheduler.scheduled()).toEqual(['A', 'B']);
    await waitFor(async () => (await titles()).includes('Story from B'), 5_000, 'B published');

    // Changed URL: the new one is fetched, the old task is gone.
    await writeConfig(started.configFile, configWith([a, { name: 'B', url: feeds.url('/b2.rss'), categories: ['News'] }]));
    await waitFor(() => fetched('/b2.rss') === 1, 5_000, 'B fetched at its new URL');
    expect(service.scheduler.scheduled()).toEqual(['A', 'B']);
    expect(service.config().sources.find((s) => s.name === 'B')?.url).toBe(feeds.url('/b2.rss'));

    // Removed: no task, not refreshed, no gauges.
    await writeConfig(started.configFile, configWith([{ name: 'B', url: feeds.url('/b2.rss'), categories: ['News'] }]));
    await waitFor(() => service.scheduler.scheduled().join() === 'B', 5_000, 'A removed');
    const aFetches = fetched('/a.rss');
    const refresh = await fetch(`${started.base}/admin/refresh`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await refresh.json()).toEqual({ refreshed: ['B'] });
    expect(fetched('/a.rss')).toBe(aFetches);
    const metrics = await (await fetch(`${started.base}/metrics`)).text();
    expect(metrics).toContain('aggregator_source_consecutive_failures{source="B"} 0');
    expect(metrics).not.toContain('aggregator_source_consecutive_failures{source="A"}');
    // Nor listed as a source on the status page and in /api/sources (its state row stays in the store).
    const listed = (await (await fetch(`${started.base}/api/sources`)).json() as { name: string }[]).map((s) => s.name);
    expect(listed).toEqual(['B']);
    const index = await (await fetch(`${started.base}/`)).text();
    expect(index).toContain('<td>B</td>');
    expect(index).not.toContain('<td>A</td>');
    // Stored stories stay published.
    expect(await titles()).toContain('Story from A');
  });

  it('keeps the running config when an edit is broken, and reports every error', async () => {
    const { service, lines } = started;
    const before = service.config();
    await writeFile(started.configFile, `admin: { token: ${TOKEN} }\nschedule: every minute\nsources:\n  - name: C\n    url: nowhere\n`);
    await waitFor(() => lines.some((line) => line.msg.startsWith('config invalid')), 5_000, 'the error report');
    const report = lines.find((line) => line.msg.startsWith('config invalid'))!;
    expect(report.errors).toEqual([
      expect.stringMatching(/aggregator\.yaml:2:\d+ schedule: Invalid cron expression/),
      expect.stringMatching(/aggregator\.yaml:5:\d+ sources\[0\]\.url: Invalid URL/),
    ]);
    expect(service.config()).toBe(before);
    expect(service.scheduler.scheduled()).toEqual(['B']);
    expect((await fetch(`${started.base}/healthz`)).status).toBe(200);
    // Also where the user looks: the index page names the file and its errors, the metrics say 0.
    const metric = async () => (await (await fetch(`${started.base}/metrics`)).text()).match(/^aggregator_config_last_reload_successful (\d)$/m)?.[1];
    expect(await metric()).toBe('0');
    const index = await (await fetch(`${started.base}/`)).text();
    expect(index).toContain(`The config file <code>${started.configFile}</code> is invalid`);
    expect(index).toMatch(/<li><code>[^<]*aggregator\.yaml:5:\d+ sources\[0\]\.url: Invalid URL<\/code><\/li>/);

    // A later valid edit applies again, and the notice goes.
    await writeConfig(started.configFile, configWith([{ name: 'B', url: feeds.url('/b2.rss'), categories: ['News'] }, { name: 'A', url: feeds.url('/a.rss'), categories: ['News'] }]));
    await waitFor(() => service.scheduler.scheduled().length === 2, 5_000, 'the fixed config');
    expect(await metric()).toBe('1');
    expect(await (await fetch(`${started.base}/`)).text()).not.toContain('is invalid');
  });

  it('names changes that need a restart and keeps the running values', async () => {
    const { service, lines } = started;
    const port = service.config().server.port;
    await writeConfig(started.configFile, { ...configWith(service.config().sources.map(({ name, url, categories }) => ({ name, url, categories }))), server: { host: '127.0.0.1', port: 1, baseUrl: 'http://other.example' } });
    expect((await service.reloadConfig('SIGHUP')).status).toBe('applied');
    const warning = lines.find((line) => typeof line.msg === 'string' && line.msg.includes('take effect after a restart'));
    expect(warning?.keys).toEqual(['server']);
    expect(service.config().server.port).toBe(port);
    expect((await fetch(`${started.base}/healthz`)).status).toBe(200);
  });
});
