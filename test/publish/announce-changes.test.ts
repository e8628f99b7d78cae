// WebSub once per change even when the hub is down for a while: an announcer whose pings all fail gives its claimed
// changes back, and the next claim (the sweep) announces them; nothing is announced twice once the hub answers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { announceChanges, type Announcer } from '../../src/publish/announce-changes.js';
import type { Store } from '../../src/store/store.js';
import { waitFor } from '../ops/harness.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';
import { FINANCE, article } from '../fixtures/publish/articles.js';

/** A hub stand-in that answers 503 to the first `failures` publish requests, then 204, and records each. */
async function flakyHub(failures: number): Promise<{ url: string; answered: { status: number; urls: string[] }[]; close(): Promise<void> }> {
  const answered: { status: number; urls: string[] }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = answered.length < failures ? 503 : 204;
      answered.push({ status, urls: new URLSearchParams(Buffer.concat(chunks).toString()).getAll('hub.url') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`,
    answered,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe.each(BACKENDS)('announcing changes on %s', (backend) => {
  it('gives back the changes of a failed ping and announces them once the hub answers', async () => {
    const store: Store = await openBackendStore(backend, createDedupPolicy(12 * 3_600_000));
    cleanup.push(() => store.close());
    // Every claim's three attempts fail, and the next claim's first attempt too.
    const hub = await flakyHub(4);
    cleanup.push(() => hub.close());
    await store.storeRun({ sourceKey: 'source:A', articles: [article('A story for the hub', '2025-01-02T08:00:00Z', [FINANCE])] });

    const announcer: Announcer = announceChanges(store, {
      hub: hub.url, baseUrl: 'http://feeds.example.net', savedQuerySlugs: () => [], settleMs: 0, sweepMs: 100,
    });
    cleanup.push(() => announcer.stop());
    await waitFor(() => hub.answered.some((answer) => answer.status === 204), 20_000, 'a successful publish');
    await announcer.stop();

    const delivered = hub.answered.filter((answer) => answer.status === 204);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.urls).toContain('http://feeds.example.net/feeds/all.atom');
    expect(hub.answered.slice(0, 4).every((answer) => answer.status === 503)).toBe(true);
    // Announced now: nothing is left to claim.
    expect(await store.claimHubAnnouncements(new Date(Date.now() + 60_000), 10)).toEqual([]);
  });
});
