// A future date in the input (a year typed 2031 in a seed file, a feed whose clock or zone is 8 hours
// ahead) must not head the feeds nor date them in the future: the service, a real HTTP feed and a seed folder.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { RunningService } from '../../src/main.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { startQuietService } from '../support/quiet-service.js';

const HOUR = 3_600_000;
let feeds: FixtureServer;
let service: RunningService;
let base: string;
let startedMs: number;

const seedFile = (title: string, date: string) => `---\ntitle: '${title}'\ndate: ${date}\n---\n<p>${title}, the body.</p>\n`;

beforeAll(async () => {
  startedMs = Date.now();
  const dir = await mkdtemp(path.join(tmpdir(), 'future-dates-'));
  await mkdir(path.join(dir, 'seed'), { recursive: true });
  await writeFile(path.join(dir, 'seed', 'typo.md'), seedFile('Quarterly report with a typo', '2031-03-01 09:00:00'));
  await writeFile(path.join(dir, 'seed', 'ordinary.md'), seedFile('An ordinary article', new Date(startedMs - 30 * HOUR).toUTCString()));
  const item = (guid: string, title: string, ms: number) =>
    `<item><title>${title}</title><link>http://wire.example/${guid}</link><guid>${guid}</guid><pubDate>${new Date(ms).toUTCString()}</pubDate><description>${title}.</description></item>`;
  const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>http://wire.example/</link><description>d</description>
    ${item('ahead', 'Dated eight hours ahead', startedMs + 8 * HOUR)}${item('behind', 'Dated two hours ago', startedMs - 2 * HOUR)}</channel></rss>`;
  feeds = await startFixtureServer({ '/wire.rss': serve(rss, 'application/rss+xml') });
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    seedFolder: { path: path.join(dir, 'seed'), categories: ['news'] },
    sources: [{ name: 'Wire', url: feeds.url('/wire.rss'), categories: ['news'] }],
  });
  ({ service, base } = await startQuietService(config));
});

afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

/** The text of every `<name>` element, CDATA or not. */
const tag = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>(?:<!\\[CDATA\\[)?(.*?)(?:\\]\\]>)?</${name}>`, 'gs'))].map((m) => m[1]!);

describe('future-dated items', () => {
  it('neither head the RSS feed nor date it in the future', async () => {
    const rss = await (await fetch(`${base}/feeds/news.rss`)).text();
    const fetchedMs = Date.now();
    const [lastBuild] = tag(rss, 'lastBuildDate');
    expect(Date.parse(lastBuild!)).toBeLessThanOrEqual(fetchedMs);
    const dates = tag(rss, 'pubDate').map((date) => Date.parse(date));
    expect(dates).toHaveLength(4);
    for (const ms of dates) expect(ms).toBeLessThanOrEqual(fetchedMs);
    // Both future items are dated when the service first saw them: after the one stated two hours ago.
    expect(tag(rss, 'title').slice(1, 3).sort()).toEqual(['Dated eight hours ahead', 'Quarterly report with a typo']);
    for (const ms of dates.slice(0, 2)) expect(ms).toBeGreaterThanOrEqual(startedMs - 1000);
  });

  it('do not date the Atom feed or the JSON Feed in the future', async () => {
    const atom = await (await fetch(`${base}/feeds/all.atom`)).text();
    const json = (await (await fetch(`${base}/feeds/all.json`)).json()) as { items: { date_published: string }[] };
    const fetchedMs = Date.now();
    for (const updated of tag(atom, 'updated')) expect(Date.parse(updated)).toBeLessThanOrEqual(fetchedMs);
    for (const item of json.items) expect(Date.parse(item.date_published)).toBeLessThanOrEqual(fetchedMs);
  });

  it('are named on the source state shown on the index page', async () => {
    const state = await service.store.getSourceState('Wire');
    expect(state?.lastError).toMatch(/^Dated eight hours ahead: dated \S+Z, after it was received \(\S+Z\): published as first seen$/);
  });

  it('keep their date and the feed its ETag when everything is polled again', async () => {
    const before = await fetch(`${base}/feeds/news.rss`);
    const beforeText = await before.text();
    expect(await service.scheduler.refresh()).toEqual(expect.arrayContaining(['Wire']));
    const after = await fetch(`${base}/feeds/news.rss`);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(await after.text()).toBe(beforeText);
  });
});
