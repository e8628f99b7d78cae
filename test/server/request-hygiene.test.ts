// Issue 15 findings 4 (rate), 6, 8: what any client may send and what every response carries,
// against the whole service (fast path, express routes, admin and metrics alike).
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/server/request-guard.js';
import { startFromFile, tempDir, type StartedService } from '../ops/harness.js';
import { rawRequest } from './serve.js';

let started: StartedService;
const TOKEN = 'a-long-enough-admin-token';

beforeAll(async () => {
  const dir = await tempDir('hygiene');
  await mkdir(path.join(dir, 'seed'));
  await writeFile(path.join(dir, 'seed', 'one.md'), '---\ntitle: A known story about chips\ncategories: [known]\n---\n<p>Body about chips.</p>\n');
  started = await startFromFile(dir, { seedFolder: { path: path.join(dir, 'seed') }, sources: [], admin: { token: TOKEN } });
  await started.service.firstIngest;
});
afterAll(() => started.service.stop());

const url = (p: string) => `${started.base}${p}`;

describe('headers on every route', () => {
  const cors = ['/feeds/known.rss', '/feeds/known.atom', '/feeds/known.json', '/feeds/all.rss?limit=1', '/feeds/known/archive/1.atom', '/feeds/search.json?q=chips', '/feeds.opml', '/feeds/nope.rss'];
  const pages = ['/', '/search?q=chips', '/categories/known', '/healthz', '/readyz', '/metrics', '/api/sources', '/nowhere', '/admin/refresh'];

  it('sends nosniff everywhere, CORS on feeds and OPML only, the strict CSP on the rest', async () => {
    for (const p of cors) {
      // Twice: the second answer of a default feed comes from the fast path.
      for (const res of [await rawRequest(url(p)), await rawRequest(url(p))]) {
        expect(res.headers['x-content-type-options'], p).toBe('nosniff');
        expect(res.headers['access-control-allow-origin'], p).toBe('*');
      }
    }
    for (const p of pages) {
      const res = await rawRequest(url(p));
      expect(res.headers['x-content-type-options'], p).toBe('nosniff');
      expect(res.headers['access-control-allow-origin'], p).toBeUndefined();
      expect(res.headers['content-security-policy'], p).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
  });
});

describe('input hygiene', () => {
  it('answers 400, not 500, to control characters in a query or a slug', async () => {
    for (const p of ['/feeds/search.rss?q=%00abc', '/feeds/search.rss?q=a%0Ab', '/feeds/a%00b.rss', '/categories/x%1Fy', '/feeds/a%7F/archive/1.atom']) {
      const res = await fetch(url(p));
      expect(res.status, p).toBe(400);
      expect(await res.text()).toBe('Bad request: control characters in the URL\n');
    }
    expect(started.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('does not echo the name asked for in a 404', async () => {
    for (const p of ['/feeds/%3Cscript%3Ealert(1)%3C%2Fscript%3E.rss', '/categories/%3Cb%3Ehello', '/feeds/%3Cb%3Ehello/archive/1.atom']) {
      const res = await fetch(url(p));
      expect(res.status).toBe(404);
      const body = await res.text();
      expect(body).not.toMatch(/script|hello|<b>/);
    }
  });

  it('refuses a request body early, on a route that takes none', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(url('/feeds/known.rss'), { method: 'GET', headers: { 'content-length': '100000' } }, resolve);
      req.on('error', reject);
      req.write('x'.repeat(10)); // the rest never comes: the answer must not wait for it
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers.connection).toBe('close');
    res.resume();
  });

  it('limits searches and ?limit= feeds per client with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const paths = [`/feeds/all.json?limit=${i + 1}`, `/feeds/search.json?q=chips${i}`, `/search?q=chips${i}`];
      const res = await fetch(url(paths[i % 3]!));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    // This file's earlier requests count too: at most 30 in the window were rendered.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(30);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Cached feeds are not limited.
    expect((await fetch(url('/feeds/known.rss'))).status).toBe(200);
  });
});
