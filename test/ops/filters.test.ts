// Filters in a running service: a source filter decides what is stored, a category filter what that
// category publishes (`all` unfiltered), and editing a category filter re-renders the category at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { rss, startFromFile, tempDir, waitFor, writeConfig, type StartedService } from './harness.js';

let feeds: FixtureServer;
let started: StartedService;
let dir: string;

const configWith = (categoryFilter: object) => ({
  server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
  storage: { database: `${dir}/aggregator.db` },
  categories: [{ name: '金融', slug: 'finance', filter: categoryFilter }],
  sources: [{ name: 'Fin', url: feeds.url('/fin.rss'), categories: ['金融'], filter: { block: ['(?i)sponsored', 'title:(a+)+$'] } }],
});
const titles = async (slug: string) =>
  ((await (await fetch(`${started.base}/feeds/${slug}.json`)).json()) as { items: { title: string }[] }).items.map((item) => item.title).sort();

beforeAll(async () => {
  dir = await tempDir('filters');
  const items = ['Bitcoin climbs', 'SPONSORED: Bitcoin wallet', 'Gold steady', '比特币 update', `${'a'.repeat(40)}!`];
  feeds = await startFixtureServer({ '/fin.rss': serve(rss('Fin', items.map((title, i) => ({ title, guid: `g${i}` }))), 'application/rss+xml') });
  started = await startFromFile(dir, configWith({ keep: ['title:(?i)bitcoin|比特币'] }));
  await started.service.firstIngest;
});

afterAll(async () => {
  await started?.service.stop();
  await feeds?.close();
});

describe('filters in the running service', () => {
  it('stores what the source filter lets through and publishes what the category filter keeps', async () => {
    expect(await titles('all')).toEqual(['Bitcoin climbs', 'Gold steady', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', '比特币 update']);
    expect(await titles('finance')).toEqual(['Bitcoin climbs', '比特币 update']);
    const [fin] = (await (await fetch(`${started.base}/api/sources`)).json()) as { name: string; filtered: unknown }[];
    expect(fin).toMatchObject({ name: 'Fin', filtered: { total: 1, byRule: [{ rule: 'block: (?i)sponsored', count: 1 }] } });
    const metrics = await (await fetch(`${started.base}/metrics`)).text();
    expect(metrics).toContain('aggregator_source_filtered_articles{source="Fin",rule="block: (?i)sponsored"} 1');
    // A filtered category's positions are not fixed: it has no archive pages.
    expect((await fetch(`${started.base}/feeds/finance/archive/1.atom`)).status).toBe(404);
  });

  it('re-renders the category when a reload changes its filter, without a restart', async () => {
    await writeConfig(started.configFile, configWith({ block: ['比特币'], keep: ['title:(?i)gold|比特币'] }));
    await waitFor(async () => (await titles('finance')).join() === 'Gold steady', 5_000, 'finance re-rendered with the new filter');
    expect(started.service.config().categories[0]!.filter?.block).toEqual(['比特币']);
    expect(await titles('all')).toHaveLength(4);
  });
});
