// Refresh requests on each backend: POST /admin/refresh on a web process records one, a worker finishes it; two
// stores on one database stand for the two processes.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { REFRESH_KEPT_MS } from '../../src/store/refresh-rows.js';
import { BACKENDS, freshDatabase, openStoreAt, type Backend } from '../support/store-backends.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
let now = T0;
const clock = () => new Date(now);
const shared = async (backend: Backend) =>
  backend === 'sqlite' ? path.join(await mkdtemp(path.join(tmpdir(), 'refresh-requests-')), 'aggregator.db') : freshDatabase(backend);

describe.each(BACKENDS)('refresh requests on %s', (backend) => {
  it('are recorded by one process, listed open oldest first by another, and finished once', async () => {
    now = T0;
    const database = await shared(backend);
    const [web, worker] = [await openStoreAt(database, createDedupPolicy(0), { clock }), await openStoreAt(database, createDedupPolicy(0), { clock })];
    const everything = await web.requestRefresh(null);
    const one = await web.requestRefresh('Wire');
    expect(one.id).toBeGreaterThan(everything.id);
    expect(everything).toEqual({ id: everything.id, source: null, requestedAt: new Date(T0), finishedAt: null, refreshed: null });
    expect((await worker.listOpenRefreshRequests(10)).map((r) => r.id)).toEqual([everything.id, one.id]);
    expect((await worker.listOpenRefreshRequests(1)).map((r) => r.id)).toEqual([everything.id]);

    now += 5_000;
    expect(await worker.finishRefreshRequest(one.id, ['Wire'])).toBe(true);
    expect(await worker.finishRefreshRequest(one.id, ['Wire', 'again'])).toBe(false);
    expect(await web.getRefreshRequest(one.id)).toEqual({ ...one, finishedAt: new Date(T0 + 5_000), refreshed: ['Wire'] });
    expect((await worker.listOpenRefreshRequests(10)).map((r) => r.id)).toEqual([everything.id]);
    // A source the worker's config does not have: finished with nothing refreshed.
    expect(await worker.finishRefreshRequest(everything.id, null)).toBe(true);
    expect(await web.getRefreshRequest(everything.id)).toMatchObject({ finishedAt: new Date(T0 + 5_000), refreshed: null });
    expect(await worker.listOpenRefreshRequests(10)).toEqual([]);
    expect(await web.getRefreshRequest(everything.id + 100)).toBeUndefined();
  });

  it('keeps finished requests a day, open ones until they are run', async () => {
    now = T0;
    const store = await openStoreAt(await freshDatabase(backend), createDedupPolicy(0), { clock });
    const finished = await store.requestRefresh('Wire');
    const open = await store.requestRefresh('Wire');
    await store.finishRefreshRequest(finished.id, ['Wire']);
    now += REFRESH_KEPT_MS + 1;
    await store.requestRefresh(null);
    expect(await store.getRefreshRequest(finished.id)).toBeUndefined();
    expect(await store.getRefreshRequest(open.id)).toMatchObject({ id: open.id, finishedAt: null });
  });
});
