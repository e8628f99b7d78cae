// A story is named after its earliest copy, so an earlier copy arriving later renames it: the old id's page
// must redirect to the new one (shared links, bookmarks, feeds readers fetched before), on both backends.
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy, storyId } from '../../src/ingest/dedup.js';
import type { Store } from '../../src/store/store.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { serveStore, rawRequest, type Served } from '../server/serve.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);

// The crawler's copy comes first (seed folder), then the wire's earlier copy, then the agency's even earlier one.
const seedCopy = article({ sourceKey: 'seed', originId: 'port.md', title: '港口扩建_首期工程开工', published: at(6), categories: [cat('sina')], link: null });
const wireCopy = article({ sourceKey: 'source:wire', originId: 'w-1', title: '港口扩建：首期工程开工', published: at(2), categories: [cat('finance')] });
const agencyCopy = article({ sourceKey: 'source:agency', originId: 'a-9', title: '港口扩建：首期工程开工', published: at(0), categories: [cat('finance')] });
const [seedId, wireId, agencyId] = [seedCopy, wireCopy, agencyCopy].map(storyId) as [string, string, string];

describe.each(BACKENDS)('moved story ids on %s', (backend) => {
  let store: Store | undefined;
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    await store?.close();
    served = store = undefined;
  });

  it('a story renamed by an earlier copy is found from its old id, and a chain of renames is one hop', async () => {
    store = await openBackendStore(backend, policy);
    await store.storeRun({ sourceKey: 'seed', articles: [seedCopy] });
    expect((await store.findStory(seedId)).state).toBe('found');

    await store.storeRun({ sourceKey: 'source:wire', articles: [wireCopy] });
    expect((await store.listCategoryStories('all', 10)).map((story) => story.id)).toEqual([wireId]);
    expect(await store.findStory(seedId)).toEqual({ state: 'moved', storyId: wireId });

    await store.storeRun({ sourceKey: 'source:agency', articles: [agencyCopy] });
    expect((await store.listCategoryStories('all', 10)).map((story) => story.id)).toEqual([agencyId]);
    expect(await store.findStory(seedId)).toEqual({ state: 'moved', storyId: agencyId });
    expect(await store.findStory(wireId)).toEqual({ state: 'moved', storyId: agencyId });
    expect(await store.findStory('0123456789abcdef0123')).toEqual({ state: 'unknown' });
  });

  it('a moved story that retention pruned leads to its 410 page', async () => {
    store = await openBackendStore(backend, policy, { clock: () => at(24 * 30) });
    await store.storeRun({ sourceKey: 'seed', articles: [seedCopy] });
    await store.storeRun({ sourceKey: 'source:wire', articles: [wireCopy] });
    await store.pruneStories({ olderThan: at(24) });
    expect(await store.findStory(seedId)).toEqual({ state: 'moved', storyId: wireId });
    expect((await store.findStory(wireId)).state).toBe('pruned');
  });

  it('GET /stories/{old id} answers 301 to the new page, which answers 200', async () => {
    store = await openBackendStore(backend, policy);
    await store.storeRun({ sourceKey: 'seed', articles: [seedCopy] });
    served = await serveStore(store);
    const before = await rawRequest(`${served.base}/stories/${seedId}`);
    expect(before.status).toBe(200);

    await store.storeRun({ sourceKey: 'source:wire', articles: [wireCopy] });
    served.cache.invalidateAll(); // what the change feed does in the service
    const moved = await rawRequest(`${served.base}/stories/${seedId}`);
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe(`${served.base}/stories/${wireId}`);
    expect(moved.headers['cache-control']).toBe('public, max-age=300');
    const page = await rawRequest(moved.headers.location!);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('港口扩建：首期工程开工');
    expect((await rawRequest(`${served.base}/stories/0123456789abcdef0123`)).status).toBe(404);
  });
});
