// Starts the real app behind the fast path on 127.0.0.1 (ephemeral port), baseUrl = where it listens.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRenderCache, type RenderCache } from '../../src/publish/render-cache.js';
import type { FeedPolicy } from '../../src/publish/feed-policy.js';
import { createApp } from '../../src/server/create-app.js';
import { createRequestHandler } from '../../src/server/fast-path.js';
import type { Store } from '../../src/store/store.js';

export interface Served {
  base: string;
  cache: RenderCache;
  /** Times the cache read stories from the store (renders). */
  renders: () => number;
  close(): Promise<void>;
}

export async function serveStore(store: Store, options: { policy?: FeedPolicy; archivePageSize?: number; items?: number } = {}): Promise<Served> {
  let renders = 0;
  const counted: Store = {
    ...store,
    listCategoryStoriesWithin: (slug, limit, maxTextChars) => {
      renders += 1;
      return store.listCategoryStoriesWithin(slug, limit, maxTextChars);
    },
  };
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const items = options.items ?? 50;
  const cache = createRenderCache({ store: counted, site: { baseUrl: base, title: 'Test feeds' }, items, policy: options.policy, archivePageSize: options.archivePageSize });
  const app = createApp({ store, cache, config: { server: { host: '127.0.0.1', port: 0, baseUrl: base }, feeds: { title: 'Test feeds', items } } });
  server.on('request', createRequestHandler(app, cache));
  return {
    base,
    cache,
    renders: () => renders,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A raw GET/HEAD (fetch decompresses and hides Content-Encoding details; this does not). */
export function rawRequest(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
