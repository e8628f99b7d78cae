// A JSON Feed title is plain text (JSON Feed 1.1; HTML goes in content_html): `<tags>` and `&amp;` in it are
// characters, published as written and escaped by each of our feed formats so readers show the same text.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeHTML } from 'entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { RunningService } from '../../src/main.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { startQuietService } from '../support/quiet-service.js';

const TITLE = 'JSON: “smart” & <tags> &amp; entity';
const jsonFeed = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1', title: 'JSON edge', home_page_url: 'http://json.example/',
  items: [{ id: 'j1', url: 'http://json.example/one', title: TITLE, content_html: '<p>Hello <b>there</b></p>', date_published: '2026-12-07T06:00:00Z' }],
});

let feeds: FixtureServer;
let service: RunningService;
let base: string;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'json-feed-titles-'));
  feeds = await startFixtureServer({ '/edge.json': serve(jsonFeed, 'application/feed+json') });
  const config = configSchema.parse({
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    sources: [{ name: 'JSON edge', url: feeds.url('/edge.json'), categories: ['json'] }],
  });
  ({ service, base } = await startQuietService(config));
});

afterAll(async () => {
  await service?.stop();
  await feeds?.close();
});

const get = async (format: string): Promise<Response> => {
  const res = await fetch(`${base}/feeds/json.${format}`);
  expect(res.status).toBe(200);
  return res;
};

describe('a JSON Feed title with markup-like text', () => {
  it('is published as written in our JSON Feed', async () => {
    const published = (await (await get('json')).json()) as { items: { title: string }[] };
    expect(published.items.map((item) => item.title)).toEqual([TITLE]);
  });

  it('reads in feedparser from our RSS and Atom as the same text', async () => {
    for (const format of ['rss', 'atom']) {
      const parsed = await parseWithFeedparser(new Uint8Array(await (await get(format)).arrayBuffer()));
      expect(parsed.bozoException, format).toBeNull();
      expect(parsed.entries, format).toHaveLength(1);
      // feedparser hands titles over as HTML (text escaped); what a reader shows is that HTML decoded once.
      expect(decodeHTML(parsed.entries[0]!.title!), format).toBe(TITLE);
    }
  });
});
