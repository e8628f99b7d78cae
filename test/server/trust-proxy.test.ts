// Behind a reverse proxy the per-client limit must count readers, not the proxy: with `server.trustProxy`
// the client address comes from X-Forwarded-For; without it a forged header changes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { startFromFile, tempDir, type StartedService } from '../ops/harness.js';

let started: StartedService | undefined;
afterEach(async () => {
  await started?.service.stop();
  started = undefined;
});

/** Searches as one forwarded client until the first 429 (at most `max`); returns how many were answered 200. */
async function searchUntilLimited(base: string, forwardedFor: string, max = 40): Promise<{ ok: number; limited: boolean }> {
  let ok = 0;
  for (let i = 0; i < max; i++) {
    const res = await fetch(`${base}/feeds/search.json?q=word${i}`, { headers: { 'X-Forwarded-For': forwardedFor } });
    await res.arrayBuffer();
    if (res.status === 429) return { ok, limited: true };
    expect(res.status).toBe(200);
    ok++;
  }
  return { ok, limited: false };
}

async function start(trustProxy: unknown): Promise<string> {
  const dir = await tempDir('trust-proxy');
  started = await startFromFile(dir, { sources: [], server: { host: '127.0.0.1', port: 0, trustProxy } });
  return started.base;
}

describe('server.trustProxy', () => {
  it('limits each forwarded client on its own behind a trusted proxy', async () => {
    const base = await start('loopback');
    expect(await searchUntilLimited(base, '203.0.113.1')).toEqual({ ok: 30, limited: true });
    // Another reader behind the same proxy still has its whole allowance.
    expect(await searchUntilLimited(base, '203.0.113.2')).toEqual({ ok: 30, limited: true });
  });

  it('ignores X-Forwarded-For by default, so a client cannot dodge the limit by forging it', async () => {
    const base = await start(false);
    expect(await searchUntilLimited(base, '203.0.113.1')).toEqual({ ok: 30, limited: true });
    expect(await searchUntilLimited(base, '203.0.113.2')).toEqual({ ok: 0, limited: true });
  });
});
