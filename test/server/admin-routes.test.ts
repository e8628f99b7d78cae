// Admin routes: no route without the token, 404 when no token is configured, refresh of all or one source.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { adminRoutes, bearerMatches } from '../../src/server/admin-routes.js';

const TOKEN = 'k3y-0123456789abcdef';
let server: Server | undefined;

async function serveAdmin(token: string | undefined, known: string[] = ['A', 'B']): Promise<{ base: string; calls: (string | undefined)[] }> {
  const calls: (string | undefined)[] = [];
  const app = express();
  app.use(adminRoutes({
    token: () => token,
    refresh: async (name) => {
      calls.push(name);
      if (name === undefined) return known;
      return known.includes(name) ? [name] : null;
    },
  }));
  app.use((_req, res) => void res.status(404).send('fallthrough'));
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const post = (url: string, authorization?: string) => fetch(url, { method: 'POST', headers: authorization ? { authorization } : {} });

describe('admin routes', () => {
  it('do not exist when no token is configured', async () => {
    const { base, calls } = await serveAdmin(undefined);
    expect((await post(`${base}/admin/refresh`)).status).toBe(404);
    expect((await post(`${base}/admin/refresh`, 'Bearer anything')).status).toBe(404);
    expect(calls).toEqual([]);
  });

  it('answer 401 without the right token, on every admin path', async () => {
    const { base, calls } = await serveAdmin(TOKEN);
    const missing = await post(`${base}/admin/refresh`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await post(`${base}/admin/refresh`, `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await post(`${base}/admin/refresh`, `Bearer ${TOKEN.replace('k', 'K')}`)).status).toBe(401);
    expect((await post(`${base}/admin/refresh`, TOKEN)).status).toBe(401);
    expect((await post(`${base}/admin/refresh`, `Basic ${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${base}/admin/anything-else`)).status).toBe(401);
    expect((await fetch(`${base}/admin`)).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('refresh every source, or the one named', async () => {
    const { base, calls } = await serveAdmin(TOKEN);
    const all = await post(`${base}/admin/refresh`, `Bearer ${TOKEN}`);
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ refreshed: ['A', 'B'] });
    const one = await post(`${base}/admin/refresh?source=B`, `bearer  ${TOKEN}`);
    expect(await one.json()).toEqual({ refreshed: ['B'] });
    expect((await post(`${base}/admin/refresh?source=Nope`, `Bearer ${TOKEN}`)).status).toBe(404);
    expect((await post(`${base}/admin/refresh?source=`, `Bearer ${TOKEN}`)).status).toBe(400);
    expect(calls).toEqual([undefined, 'B', 'Nope']);
  });

  it('leave other paths alone', async () => {
    const { base } = await serveAdmin(TOKEN);
    expect(await (await fetch(`${base}/feeds/all.rss`)).text()).toBe('fallthrough');
  });
});

describe('bearerMatches', () => {
  it('accepts exactly the token', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
    expect(bearerMatches('Bearer ', TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
    expect(bearerMatches(`Bearer ${TOKEN} extra`, TOKEN)).toBe(false);
  });
});
