// WebSub pings received by a real local hub, and the polling policy derived from the config.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it, expect } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { createCategoryResolver } from '../../src/ingest/categories.js';
import { cronIntervalMinutes, feedPolicyFromConfig } from '../../src/publish/feed-policy.js';
import { changedFeedUrls, pingHub } from '../../src/publish/websub.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function startHub(status = 204) {
  const received: Array<{ method: string; type: string; body: URLSearchParams }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, type: req.headers['content-type']!, body: new URLSearchParams(Buffer.concat(chunks).toString()) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`, received };
}

describe('pingHub', () => {
  it('posts hub.mode=publish with every changed feed URL to the hub', async () => {
    const hub = await startHub();
    const urls = changedFeedUrls('https://feeds.example.org/', ['金融'], ['深圳']);
    expect(urls).toHaveLength(9);
    expect(urls).toContain('https://feeds.example.org/feeds/%E9%87%91%E8%9E%8D.atom');
    expect(urls).toContain('https://feeds.example.org/feeds/all.rss');
    const result = await pingHub(hub.url, urls);
    expect(result).toEqual({ ok: true, status: 204, error: null });
    expect(hub.received).toHaveLength(1);
    const [ping] = hub.received;
    expect(ping!.method).toBe('POST');
    expect(ping!.type).toBe('application/x-www-form-urlencoded');
    expect(ping!.body.get('hub.mode')).toBe('publish');
    expect(ping!.body.getAll('hub.url')).toEqual(urls);
  });

  it('reports a refusing or unreachable hub without throwing, and sends nothing for no change', async () => {
    const hub = await startHub(500);
    expect(await pingHub(hub.url, ['https://x/feeds/a.rss'])).toEqual({ ok: false, status: 500, error: 'hub answered HTTP 500' });
    const down = await pingHub('http://127.0.0.1:1/hub', ['https://x/feeds/a.rss']);
    expect(down.ok).toBe(false);
    expect(down.error).toBeTruthy();
    expect(changedFeedUrls('https://x', [])).toEqual([]);
    expect(await pingHub(hub.url, [])).toEqual({ ok: true, status: null, error: null });
    expect(hub.received).toHaveLength(1);
  });
});

describe('feed policy from the config', () => {
  const config = configSchema.parse({
    schedule: '*/30 * * * *',
    feeds: {},
    categories: [{ name: '金融', slug: 'finance' }, { name: '深圳', query: '深圳' }],
    sources: [
      { name: 'a', url: 'https://a.example/rss', categories: ['金融'], schedule: '*/10 * * * *' },
      { name: 'b', url: 'https://b.example/rss', categories: ['财经', 'Tech'] },
    ],
    websub: { hub: 'https://hub.example.net/' },
  });
  const policy = feedPolicyFromConfig(config, createCategoryResolver(config.categories));

  it('refuses a saved query the search would refuse, naming the category', () => {
    const bad = configSchema.parse({ ...config, categories: [{ name: '深圳', query: '深圳 q*' }] });
    expect(() => feedPolicyFromConfig(bad, createCategoryResolver(bad.categories))).toThrow(
      'invalid config categories:\n  categories: 深圳: query "深圳 q*": Bad search query (the prefix q* is too short): a prefix needs at least 2 characters before the *');
  });

  it('takes ttl from the shortest schedule of the category’s sources, else the default schedule', () => {
    expect(cronIntervalMinutes('*/15 * * * *')).toBe(15);
    expect(cronIntervalMinutes('0 * * * *')).toBe(60);
    expect(policy.ttlMinutes('finance')).toBe(10);
    expect(policy.ttlMinutes('tech')).toBe(30);
    expect(policy.ttlMinutes('unknown')).toBe(30);
    expect(policy.ttlMinutes('all')).toBe(10);
    expect(policy.maxAgeSeconds('tech')).toBe(1800);
  });

  it('bounds every category by the seed folder schedule, since seed files name their own categories', () => {
    const withSeed = feedPolicyFromConfig({ ...config, seedFolder: configSchema.parse({ sources: [], seedFolder: { schedule: '*/5 * * * *' } }).seedFolder }, createCategoryResolver(config.categories));
    expect(withSeed.ttlMinutes('tech')).toBe(5);
    expect(withSeed.ttlMinutes('unknown')).toBe(5);
    expect(withSeed.maxAgeSeconds('finance')).toBe(300);
  });

  it('knows the hub and the saved searches, and honours a configured max-age', () => {
    expect(policy.hub).toBe('https://hub.example.net/');
    expect([...policy.savedQueries]).toEqual([['深圳', '深圳']]);
    const fixed = feedPolicyFromConfig({ ...config, feeds: { ...config.feeds, maxAge: 120_000 } }, createCategoryResolver(config.categories));
    expect(fixed.maxAgeSeconds('tech')).toBe(120);
  });
});
