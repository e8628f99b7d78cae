// Finding 1 of issue 15: requests for made-up category names must not grow the service's memory.
// A bounded request loop (14,000 requests over the three routes that take a category name) with the
// render cache's own figures from /metrics and the heap after a full GC, before and after.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFromFile, tempDir, waitFor, type StartedService } from '../ops/harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let started: StartedService;

beforeAll(async () => {
  const dir = await tempDir('unknown-slugs');
  await mkdir(path.join(dir, 'seed'));
  await writeFile(path.join(dir, 'seed', 'one.md'), '---\ntitle: A known story\ncategories: [known]\n---\n<p>Body.</p>\n');
  started = await startFromFile(dir, { seedFolder: { path: path.join(dir, 'seed') }, sources: [] });
  await started.service.firstIngest;
});
afterAll(() => started.service.stop());

async function cacheFigures(): Promise<{ entries: number; bytes: number }> {
  const text = await (await fetch(`${started.base}/metrics`)).text();
  const value = (name: string) => Number(text.match(new RegExp(`^aggregator_render_cache_${name} (\\S+)$`, 'm'))?.[1]);
  return { entries: value('entries'), bytes: value('bytes') };
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('unknown category names', () => {
  it('leave the render cache and the heap as they were after 14,000 requests', { timeout: 120_000 }, async () => {
    for (const p of ['/feeds/known.rss', '/feeds/known/archive/1.atom', '/categories/known']) {
      expect((await fetch(`${started.base}${p}`)).status).toBe(200);
    }
    const before = await cacheFigures();
    expect(before.entries).toBe(3);
    const heapBefore = heapAfterGc();

    const routes = [(s: string) => `/feeds/${s}.rss`, (s: string) => `/feeds/${s}/archive/1.atom`, (s: string) => `/categories/${s}`];
    let next = 0;
    const statuses = new Map<number, number>();
    const worker = async () => {
      while (next < 14_000) {
        const i = next++;
        const slug = `made-up-${i}-${'n'.repeat(300)}`;
        const res = await fetch(`${started.base}${routes[i % 3]!(slug)}`);
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(statuses).toEqual(new Map([[404, 14_000]]));

    await waitFor(async () => (await cacheFigures()).entries === before.entries, 5_000, 'renders in flight to settle');
    expect(await cacheFigures()).toEqual(before);
    // The old cache kept ~12 KB per name (~160 MB for these); allow for noise, not for that.
    expect(heapAfterGc() - heapBefore).toBeLessThan(16 * 1024 * 1024);
  });
});
