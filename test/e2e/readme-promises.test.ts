// Run-level promises of the README, checked through the running service (HTTP) as a user meets them:
// stored articles survive a source turning bad, a rejected seed file and a permanent redirect are shown on
// the index page, HEAD works on every route, ?limit is capped, AGGREGATOR_ADMIN_TOKEN overrides the config.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LIMIT } from '../../src/server/feed-routes.js';
import { article } from '../fixtures/dedup/articles.js';
import { rssFeed, serveRss, startHeldFeedServer, type HeldFeedServer } from '../process/process-harness.js';
import { startFromFile, tempDir, type StartedService } from '../ops/harness.js';

let feeds: HeldFeedServer | undefined;
let started: StartedService | undefined;
afterEach(async () => {
  await started?.service.stop();
  await feeds?.close();
  started = feeds = undefined;
});

const titles = async (base: string, slug = 'all') =>
  ((await (await fetch(`${base}/feeds/${slug}.json`)).json()) as { items: { title: string }[] }).items.map((item) => item.title).sort();

describe('stored articles stay when a source turns bad', () => {
  // Not valid UTF-8 (a Latin-1 é), so no fallback can read it: the label decides, and it is unknown.
  const unknownEncoding = Buffer.from(rssFeed('wire', 1).replace('utf-8', 'x-no-such-charset').replace('wire story 1', 'caf\u00e9'), 'latin1');
  // [what, content type, body, what the recorded error says]
  const bad: [string, string, string | Buffer, RegExp][] = [
    ['malformed XML', 'application/rss+xml', '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>broken', /^http:\/\/127\.0\.0\.1:\d+\/wire: /],
    ['a document declaring DTD entities', 'application/rss+xml', '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0"><channel><title>&a;</title></channel></rss>', /^http:\/\/127\.0\.0\.1:\d+\/wire: .*(DTD|entit)/i],
    ['an unknown encoding label', 'application/rss+xml; charset=x-no-such-charset', unknownEncoding, /^http:\/\/127\.0\.0\.1:\d+\/wire: unknown character encoding "x-no-such-charset"/],
  ];
  it.each(bad)('%s: the run fails with a clear error, the stored articles are still published', async (_what, type, body, error) => {
    feeds = await startHeldFeedServer();
    feeds.setFeed('wire', serveRss(rssFeed('wire', 3)));
    started = await startFromFile(await tempDir('bad-source'), { sources: [{ name: 'wire', url: feeds.url('wire'), categories: ['news'] }] });
    await started.service.firstIngest;
    const before = await titles(started.base);
    expect(before).toHaveLength(3);
    feeds.setFeed('wire', (_req, res) => void res.writeHead(200, { 'content-type': type }).end(body));
    await started.service.scheduler.refresh('wire');
    const state = (await started.service.store.getSourceState('wire'))!;
    expect(state.consecutiveFailures).toBe(1);
    expect(state.lastError).toMatch(error);
    expect(await titles(started.base)).toEqual(before);
  });
});

describe('the index page', () => {
  it('names a rejected seed file and shows a permanent redirect so the config can be fixed', async () => {
    feeds = await startHeldFeedServer();
    feeds.setFeed('new-home', serveRss(rssFeed('moved', 1)));
    feeds.setFeed('old-home', (_req, res) => void res.writeHead(301, { location: feeds!.url('new-home') }).end());
    const dir = await tempDir('index');
    await mkdir(path.join(dir, 'seed'), { recursive: true });
    await writeFile(path.join(dir, 'seed', 'good.md'), "---\ntitle: 'A good one'\n---\n<p>Body.</p>\n");
    await writeFile(path.join(dir, 'seed', 'beyond-recovery.md'), '---\ncategories: [x]\n---\n<p>No title.</p>\n');
    started = await startFromFile(dir, {
      seedFolder: { path: path.join(dir, 'seed') },
      sources: [{ name: 'moved', url: feeds.url('old-home'), categories: ['news'] }],
    });
    await started.service.firstIngest;
    const page = await (await fetch(`${started.base}/`)).text();
    expect(page).toContain('beyond-recovery.md');
    expect(page).toContain(`moved permanently to ${feeds.url('new-home')}`);
    expect(await titles(started.base)).toEqual(['A good one', 'moved story 1']);
  });
});

describe('HTTP surface', () => {
  it('answers HEAD on every route with the GET status and headers, and no body', async () => {
    const dir = await tempDir('head');
    await mkdir(path.join(dir, 'seed', 'news'), { recursive: true });
    await writeFile(path.join(dir, 'seed', 'news', 'a.md'), "---\ntitle: 'Head story'\ncategories: [news]\n---\n<p>Body.</p>\n");
    started = await startFromFile(dir, { seedFolder: { path: path.join(dir, 'seed') }, sources: [] });
    await started.service.firstIngest;
    const routes = ['/', '/feeds.opml', '/feeds/all.rss', '/feeds/news.atom', '/feeds/news.json', '/feeds/all/archive/1.atom',
      '/feeds/search.rss?q=Head', '/categories/news', '/api/sources', '/healthz', '/readyz', '/metrics', '/feeds/none.rss'];
    for (const route of routes) {
      const get = await fetch(`${started.base}${route}`);
      await get.arrayBuffer();
      const head = await fetch(`${started.base}${route}`, { method: 'HEAD' });
      expect(head.status, route).toBe(get.status);
      expect(head.headers.get('content-type'), route).toBe(get.headers.get('content-type'));
      expect((await head.arrayBuffer()).byteLength, route).toBe(0);
    }
  });

  it(`caps ?limit at ${MAX_LIMIT} and refuses a limit that is not a positive integer`, async () => {
    started = await startFromFile(await tempDir('limit'), { sources: [] });
    await started.service.firstIngest;
    const many = Array.from({ length: MAX_LIMIT + 5 }, (_, i) => article({ sourceKey: 'source:bulk', title: `Bulk story ${i}`, published: new Date(Date.UTC(2024, 0, 1) + i * 86_400_000) }));
    await started.service.store.storeRun({ sourceKey: 'source:bulk', articles: many });
    const count = async (query: string) => ((await (await fetch(`${started!.base}/feeds/all.json${query}`)).json()) as { items: unknown[] }).items.length;
    expect(await count(`?limit=${MAX_LIMIT * 5}`)).toBe(MAX_LIMIT);
    expect(await count('?limit=7')).toBe(7);
    expect((await fetch(`${started.base}/feeds/all.json?limit=0`)).status).toBe(400);
    expect((await fetch(`${started.base}/feeds/all.json?limit=ten`)).status).toBe(400);
  });

  it('takes the admin token from AGGREGATOR_ADMIN_TOKEN over the config', async () => {
    const fromEnv = 'token-from-the-environment';
    const fromFile = 'token-from-the-config-file';
    started = await startFromFile(await tempDir('token'), { admin: { token: fromFile }, sources: [] }, { env: { AGGREGATOR_ADMIN_TOKEN: fromEnv } });
    await started.service.firstIngest;
    const refresh = (token: string) => fetch(`${started!.base}/admin/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await refresh(fromFile)).status).toBe(401);
    expect((await refresh(fromEnv)).status).toBe(200);
    expect(await readFile(started.configFile, 'utf8')).toContain(fromFile);
  });
});
