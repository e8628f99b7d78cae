// Issue 15 findings 10 and 12: credentials in source URLs never reach a public page, the source
// status and the metrics can be kept for the admin token, and the token's minimum length holds for
// AGGREGATOR_ADMIN_TOKEN as for the file.
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { redactText, redactUrl } from '../../src/publish/redact-source.js';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { rss, startFromFile, tempDir, type StartedService } from '../ops/harness.js';

const TOKEN = 'a-long-enough-admin-token';
const running: (StartedService | FixtureServer)[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await ('service' in r ? r.service.stop() : r.close());
});

async function withSecretSources(extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<StartedService> {
  const feeds = await startFixtureServer({ '/ok.rss': serve(rss('Ok', [{ title: 'Story', guid: 'g1' }]), 'application/rss+xml') });
  running.push(feeds);
  const port = new URL(feeds.url('/')).port;
  const started = await startFromFile(await tempDir('private'), {
    sources: [
      { name: 'Private', url: `http://reader:hunter2@127.0.0.1:${port}/ok.rss?token=s3cret`, allowPrivateNetworks: true },
      { name: 'Broken', url: `http://127.0.0.1:${port}/missing.rss?key=s3cret`, allowPrivateNetworks: true },
    ],
    ...extra,
  }, { env });
  running.push(started);
  await started.service.firstIngest;
  return started;
}

describe('source URLs on public surfaces', () => {
  it('show neither user info nor query strings, in URLs or in errors', async () => {
    const { base } = await withSecretSources();
    const page = await (await fetch(`${base}/`)).text();
    const api = await (await fetch(`${base}/api/sources`)).text();
    for (const text of [page, api]) {
      expect(text).not.toMatch(/hunter2|reader:|s3cret|token=|key=/);
      expect(text).toContain('/ok.rss?…');
      expect(text).toContain('/missing.rss?…');
    }
    const sources = JSON.parse(api) as { name: string; lastError: string | null }[];
    expect(sources.find((s) => s.name === 'Broken')!.lastError).toMatch(/missing\.rss\?…: HTTP 404/);
  });

  it('redacts URLs the same way wherever they appear', () => {
    expect(redactUrl('https://u:p@example.com/a/b.rss?x=1#f')).toBe('https://example.com/a/b.rss?…');
    expect(redactUrl('https://example.com/feed')).toBe('https://example.com/feed');
    expect(redactText('fetch https://u:p@example.com/x?t=1: HTTP 500')).toBe('fetch https://example.com/x?…: HTTP 500');
  });
});

describe('server.publicStatus: false', () => {
  it('hides /api/sources and the sources table from anonymous clients, not from the admin', async () => {
    const { base } = await withSecretSources({ server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net', publicStatus: false }, admin: { token: TOKEN } });
    const anonymous = await fetch(`${base}/api/sources`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('Private');
    const page = await (await fetch(`${base}/`)).text();
    expect(page).not.toContain('<h2>Sources</h2>');
    expect(page).not.toContain('Private');
    const auth = { authorization: `Bearer ${TOKEN}` };
    const admin = await fetch(`${base}/api/sources`, { headers: auth });
    expect(admin.status).toBe(200);
    expect((await admin.json() as { name: string }[]).map((s) => s.name).sort()).toEqual(['Broken', 'Private']);
    expect(await (await fetch(`${base}/`, { headers: auth })).text()).toContain('<h2>Sources</h2>');
  });
});

describe('metrics.requireToken', () => {
  it('answers /metrics only with the admin token', async () => {
    const { base } = await withSecretSources({ metrics: { requireToken: true } }, { AGGREGATOR_ADMIN_TOKEN: TOKEN });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('aggregator_render_cache_bytes');
  });

  it('refuses to start without any admin token to check', async () => {
    await expect(startFromFile(await tempDir('metrics-token'), { sources: [], metrics: { requireToken: true } })).rejects.toThrow(ConfigError);
  });
});

describe('AGGREGATOR_ADMIN_TOKEN', () => {
  it('is held to the minimum length of admin.token', async () => {
    const error = await startFromFile(await tempDir('short-token'), { sources: [] }, { env: { AGGREGATOR_ADMIN_TOKEN: 'short' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('AGGREGATOR_ADMIN_TOKEN: Admin token too short (at least 16 characters)');
    expect((error as { server?: Server }).server).toBeUndefined();
  });
});
