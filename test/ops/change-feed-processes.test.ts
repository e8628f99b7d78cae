// Every process sees every change (issue 10), with real processes on one SQLite file: the built service, a
// separate `npm run ingest`, a second service on another port, and a WebSub hub stand-in that must get exactly
// one publish per change. Waits poll with generous deadlines; the 1 s bound is measured by
// `npm run bench` (serve section), not asserted here.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor, writeConfig } from './harness.js';
import { runCli } from '../process/process-harness.js';
import { seedArticle, startHub, startReadyService, type HubStandIn, type ReadyService } from './processes.js';

const TOKEN = 'change-feed-test-token-0123';
const running: ReadyService[] = [];
let hub: HubStandIn | undefined;
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
  await hub?.close();
  hub = undefined;
});

async function setUp() {
  const dir = await tempDir('change-feed');
  const seed = path.join(dir, 'seed');
  await mkdir(seed, { recursive: true });
  await writeFile(path.join(seed, 'first.md'), seedArticle('First story on the wire', '金融'));
  hub = await startHub();
  const configFile = path.join(dir, 'aggregator.yaml');
  await writeConfig(configFile, {
    server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' },
    storage: { database: path.join(dir, 'aggregator.db') },
    // Yearly: after the first ingest only the test's own commands change anything.
    seedFolder: { path: seed, schedule: '0 0 1 1 *' },
    // 港口 is not declared: only the article added by the test brings it (declaring it would be a change too).
    categories: [{ name: '金融', slug: 'finance' }],
    admin: { token: TOKEN },
    websub: { hub: hub.url },
    sources: [],
  });
  return { seed, configFile };
}

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
const etagOf = async (url: string) => (await get(url)).headers.get('etag');
const publishesNaming = (feedUrl: string) => hub!.publishes.filter((urls) => urls.includes(feedUrl)).length;
const HARBOUR = encodeURIComponent('港口');
const HARBOUR_RSS = `http://feeds.example.net/feeds/${HARBOUR}.rss`;

describe('every process sees every change', () => {
  it('serves an article added by a separate `npm run ingest` with new ETags, and the hub gets one publish', async () => {
    const { seed, configFile } = await setUp();
    const service = await startReadyService(configFile);
    running.push(service);
    const urls = [`/feeds/${HARBOUR}.rss`, `/feeds/${HARBOUR}.atom`, '/feeds/all.rss'].map((p) => `${service.base}${p}`);
    const before = await Promise.all(urls.map(etagOf));
    expect(before[0]).toBeNull(); // no such category yet: 404
    expect(await (await get(urls[2]!)).text()).not.toContain('Harbour upgrade');

    await writeFile(path.join(seed, 'harbour.md'), seedArticle('Harbour upgrade financed', '港口'));
    // `npm run ingest -- --config FILE`, from the sources (no build needed).
    const ingest = await runCli(['ingest', '--config', configFile]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expect(ingest.stdout).toContain('1 added');

    for (const [i, url] of urls.entries()) {
      await waitFor(async () => (await etagOf(url)) !== before[i], 10_000, `a new ETag for ${url}`);
      const response = await get(url);
      expect(await response.text()).toContain('Harbour upgrade financed');
      // A reader holding the old ETag gets the new document, not a 304.
      const conditional = await get(url, { 'if-none-match': before[i]! });
      expect(conditional.status).toBe(200);
      expect(conditional.headers.get('etag')).toBe(response.headers.get('etag'));
    }
    // The ingest waited until its change was claimable and someone (it, or the service) announced it.
    await waitFor(() => publishesNaming(HARBOUR_RSS) > 0, 10_000, 'a publish naming the harbour feed');
    expect(await service.stop()).toBe(0);
    expect(publishesNaming(HARBOUR_RSS)).toBe(1);
    const publish = hub!.publishes.find((feeds) => feeds.includes(HARBOUR_RSS))!;
    expect(publish).toEqual(expect.arrayContaining([`http://feeds.example.net/feeds/${HARBOUR}.atom`, 'http://feeds.example.net/feeds/all.json']));
    expect(publish).not.toContain('http://feeds.example.net/feeds/finance.rss');
  });

  it('serves from a second service on another port what the first one ingested, with one publish per change', async () => {
    const { seed, configFile } = await setUp();
    const first = await startReadyService(configFile, { AGGREGATOR_ADMIN_TOKEN: TOKEN });
    running.push(first);
    const second = await startReadyService(configFile);
    running.push(second);
    expect(second.base).not.toBe(first.base);
    const url = `${second.base}/feeds/${HARBOUR}.atom`;
    const before = await etagOf(url);

    await writeFile(path.join(seed, 'harbour.md'), seedArticle('Harbour upgrade financed', '港口'));
    const refresh = await fetch(`${first.base}/admin/refresh`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(refresh.status).toBe(200);
    await waitFor(async () => (await etagOf(url)) !== before, 10_000, 'the second service to serve the new article');
    expect(await (await get(url)).text()).toContain('Harbour upgrade financed');
    await waitFor(() => publishesNaming(HARBOUR_RSS) > 0, 10_000, 'a publish naming the harbour feed');
    // Both announce (each runs the writing side); stopping them lets any ping in flight arrive.
    expect(await Promise.all([first.stop(), second.stop()])).toEqual([0, 0]);
    expect(publishesNaming(HARBOUR_RSS)).toBe(1);
  });
});
