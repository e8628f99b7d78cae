// A podcast feed read the way a podcast app reads our copy of it: the RSS, Atom and JSON Feed sources are
// fetched over real HTTP by the running service, stored in a real SQLite file, and our category feeds are
// read back by feedparser (RSS, Atom) and as JSON: each episode keeps its audio with url, type and length.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startService, type RunningService } from '../../src/main.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { serve, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { tempDir, writeConfig } from '../ops/harness.js';
import { buildOnce } from '../support/build-once.js';
import { freePort } from '../support/free-port.js';
import { validateAtom } from '../support/validate-atom.js';
import { validateJsonFeed } from '../support/validate-json-feed.js';
import { validateRss } from '../support/validate-rss.js';

const repo = path.resolve(import.meta.dirname, '../..');
const fixture = (name: string) => readFile(path.join(repo, 'test/fixtures/enclosures', name));

let sources: FixtureServer;
let service: RunningService;
let base: string;

beforeAll(async () => {
  await buildOnce();
  const dir = await tempDir('enclosures');
  sources = await startFixtureServer({
    '/radio.rss': serve(await fixture('podcast.rss'), 'application/rss+xml'),
    '/radio.atom': serve(await fixture('podcast.atom'), 'application/atom+xml'),
    '/radio.json': serve(await fixture('podcast.json'), 'application/feed+json'),
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const source = (name: string, file: string) => ({ name, url: sources.url(file), categories: ['Podcasts'], allowPrivateNetworks: true });
  const config = {
    server: { host: '127.0.0.1', port, baseUrl: base },
    storage: { database: path.join(dir, 'aggregator.db') },
    retention: { maxAgeDays: 3650 },
    sources: [source('Radio RSS', '/radio.rss'), source('Radio Atom', '/radio.atom'), source('Radio JSON', '/radio.json')],
    log: { level: 'warn' },
  };
  await writeConfig(path.join(dir, 'aggregator.yaml'), config);
  service = await startService(configSchema.parse(config), pino({ level: 'silent' }));
  await service.firstIngest;
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await sources?.close();
});

const feed = async (format: string) => (await fetch(`${base}/feeds/podcasts.${format}`)).text();
const episode12 = <T extends { title: string | null }>(entries: T[]): T => entries.find((e) => e.title === 'Episode 12: Tides')!;

/**
 * Episode 12 is in all three sources at the same time: one story, its enclosures the union by URL in merge
 * order (same time, so by source name: Atom, JSON, RSS), each source's own order kept.
 */
const merged = () => [
  { url: 'https://radio.example/media/episode-12.mp3', type: 'audio/mpeg', length: 48213766 },
  { url: 'https://radio.example/media/episode-12.ogg', type: 'audio/ogg', length: null },
  { url: sources.url('/media/episode-12.mp3'), type: 'audio/mpeg', length: 48213766 },
  { url: 'https://radio.example/media/episode-12.m4a', type: 'audio/x-m4a', length: null },
  { url: sources.url('/media/episode-12.mp3?src=rss'), type: 'audio/mpeg', length: 48213766 },
];
// feedparser reports attributes as written: the length as text, an absent one as null.
const asFeedparser = (e: { url: string; type: string; length: number | null }) => ({ href: e.url, type: e.type, length: e.length === null ? null : String(e.length) });

describe('podcast enclosures through the service', () => {
  it('RSS: feedparser finds one enclosure per episode, its first audio (not the image), with url, type and length', async () => {
    const rss = await feed('rss');
    expect(await validateRss(rss)).toEqual([]);
    const parsed = await parseWithFeedparser(rss);
    expect(parsed.bozoException).toBeNull();
    expect(episode12(parsed.entries).enclosures).toEqual([asFeedparser(merged()[0]!)]);
    // The video of episode 11 wins over its image enclosure (RSS allows one); its unknown length is written 0.
    const eleven = parsed.entries.find((e) => e.title === 'Episode 11: Cranes')!;
    expect(eleven.enclosures).toEqual([{ href: 'https://cdn.radio.example/11.mp4', type: 'video/mp4', length: '0' }]);
    expect(eleven.mediaThumbnail).toEqual(['https://radio.example/art/11.png']);
  });

  it('Atom: feedparser finds every enclosure of the entry, the lead image first', async () => {
    const atom = await feed('atom');
    expect(await validateAtom(atom)).toEqual([]);
    const parsed = await parseWithFeedparser(atom);
    expect(parsed.bozoException).toBeNull();
    expect(episode12(parsed.entries).enclosures).toEqual([
      { href: 'https://radio.example/art/12.jpg', type: 'image/jpeg', length: '0' },
      ...merged().map(asFeedparser),
    ]);
  });

  it('JSON Feed: attachments with url, mime_type and size_in_bytes (when known)', async () => {
    const text = await feed('json');
    expect(validateJsonFeed(text)).toEqual([]);
    const doc = JSON.parse(text) as { items: { title: string; attachments?: unknown }[] };
    expect(episode12(doc.items).attachments).toEqual(
      merged().map((e) => ({ url: e.url, mime_type: e.type, ...(e.length === null ? {} : { size_in_bytes: e.length }) })),
    );
  });

  it('the story page links each media file with its type and size', async () => {
    const doc = JSON.parse(await feed('json')) as { items: { title: string; url: string }[] };
    const page = await (await fetch(episode12(doc.items).url)).text();
    expect(page).toContain('<li>Listen: <a href="https://radio.example/media/episode-12.mp3" rel="noopener noreferrer">episode-12.mp3</a> <small>(audio/mpeg, 48.2 MB)</small><audio controls preload="none" src="https://radio.example/media/episode-12.mp3"></audio></li>');
    expect(page).toContain('<li>Listen: <a href="https://radio.example/media/episode-12.ogg" rel="noopener noreferrer">episode-12.ogg</a> <small>(audio/ogg)</small><audio controls preload="none" src="https://radio.example/media/episode-12.ogg"></audio></li>');
  });
});
