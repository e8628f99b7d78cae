// The index page shows what is current on every request, but is rendered again only when that changed: a flood of
// `GET /` (200 at once held the event loop 5 s with 300 categories, ~22 ms a render) costs one render.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createRenderCache } from '../../src/publish/render-cache.js';
import { createApp } from '../../src/server/create-app.js';
import type { CategorySummary, SourceState } from '../../src/types.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { rawRequest } from './serve.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Counts reads of the categories' names: the index page reads each once per render. */
function countingNames() {
  let reads = 0;
  const seen = new WeakMap<CategorySummary[], CategorySummary[]>();
  const wrap = (list: CategorySummary[]): CategorySummary[] => {
    let wrapped = seen.get(list);
    if (!wrapped) {
      wrapped = list.map((c) => new Proxy(c, { get: (target, key, receiver) => ((key === 'name' && (reads += 1)), Reflect.get(target, key, receiver)) }));
      seen.set(list, wrapped);
    }
    return wrapped;
  };
  return { wrap, reads: () => reads };
}

const state = (name: string, lastError: string | null): SourceState => ({
  name, url: 'https://news.example.com/feed.xml', lastAttempt: new Date('2025-01-01T00:00:00Z'), lastSuccess: null, httpStatus: lastError ? 500 : 200,
  lastError, consecutiveFailures: lastError ? 1 : 0, nextRun: null, etag: null, lastModified: null, addedLastRun: 0, addedTotal: 0, discoveredUrl: null,
});

describe('the index page', () => {
  it('is rendered once for many requests, and again as soon as what it shows changes', async () => {
    const { store } = await openTestStore();
    await store.storeRun({ sourceKey: 'source:Example', articles: [article('First story', '2024-12-30T08:00:00Z', [FINANCE])] });
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cache = createRenderCache({ store, site: { baseUrl: base, title: 'T' }, items: 50 });
    const names = countingNames();
    let sources = [state('Wire', null)];
    const app = createApp({
      store,
      cache: { ...cache, listCategories: async () => names.wrap(await cache.listCategories()) },
      config: { server: { host: '127.0.0.1', port: 0, baseUrl: base }, feeds: { title: 'T', items: 50 } },
      listSources: async () => sources,
    });
    server.on('request', app);

    const first = await rawRequest(`${base}/`);
    expect(first.status).toBe(200);
    const oneRender = names.reads();
    expect(oneRender).toBeGreaterThan(0);
    const many = await Promise.all(Array.from({ length: 20 }, () => rawRequest(`${base}/`, { 'accept-encoding': 'gzip' })));
    expect(many.map((r) => r.status)).toEqual(Array(20).fill(200));
    // One page, made once (and compressed once: 20 identical gzip bodies of the same page).
    expect(names.reads()).toBe(oneRender);
    expect(new Set(many.map((r) => r.headers.etag)).size).toBe(1);
    expect(many[0]!.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(many[0]!.body).toString()).toBe(first.body.toString());

    // A source state changed: the next request shows it.
    sources = [state('Wire', 'HTTP 500 Internal Server Error')];
    const failed = (await rawRequest(`${base}/`)).body.toString();
    expect(failed).toContain('HTTP 500 Internal Server Error');
    expect(names.reads()).toBe(2 * oneRender);

    // A story stored in another category (and the cache told): the next request lists it.
    await store.storeRun({ sourceKey: 'source:Example', articles: [article('Second story', '2024-12-31T08:00:00Z', [TECH])] });
    cache.invalidate([TECH.slug]);
    expect((await rawRequest(`${base}/`)).body.toString()).toContain(`>${TECH.name}</a>`);
  });
});
