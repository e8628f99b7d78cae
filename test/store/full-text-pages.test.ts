// The pages fetched for full text, on both backends: stored by item link, replaced on upsert, and pruned with
// the stories whose origins link to them.
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import type { FullTextPage } from '../../src/store/store.js';
import { HOUR, article, at } from '../fixtures/dedup/articles.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const page = (link: string, extra: Partial<FullTextPage> = {}): FullTextPage => ({
  link, sourceKey: 'source:Harbour', state: 'ok', html: '<article><p>Body \u0000 text</p></article>', etag: '"v1"',
  lastModified: 'Wed, 01 May 2024 05:00:00 GMT', error: null, failures: 0, fetchedAt: at(1), retryAt: null, ...extra,
});

describe.each(BACKENDS)('full-text pages on %s', (backend) => {
  it('returns the stored pages of the links asked for, and upserts by link', async () => {
    const store = await openBackendStore(backend, policy);
    expect(await store.getFullTextPages([])).toEqual(new Map());
    await store.saveFullTextPages([page('https://h.example/a'), page('https://h.example/b', { state: 'failed', html: null, etag: null, lastModified: null, error: 'HTTP 404', failures: 1, retryAt: at(2) })]);
    await store.saveFullTextPages([page('https://h.example/b', { state: 'failed', html: null, etag: null, lastModified: null, error: 'HTTP 404', failures: 2, retryAt: at(3) })]);
    const found = await store.getFullTextPages(['https://h.example/a', 'https://h.example/b', 'https://h.example/unknown']);
    expect([...found.keys()].sort()).toEqual(['https://h.example/a', 'https://h.example/b']);
    // U+0000 cannot be stored on PostgreSQL: it reads back as U+0001 there (pg-text.ts).
    expect(found.get('https://h.example/a')).toEqual(page('https://h.example/a', backend === 'postgres' ? { html: '<article><p>Body \u0001 text</p></article>' } : {}));
    expect(found.get('https://h.example/b')).toMatchObject({ state: 'failed', failures: 2, retryAt: at(3), error: 'HTTP 404' });
  });

  it('deletes a page when retention prunes the story linking to it', async () => {
    const store = await openBackendStore(backend, policy);
    const key = 'source:Harbour';
    await store.storeRun({ sourceKey: key, articles: [
      article({ sourceKey: key, title: 'Old story', link: 'https://h.example/old', published: at(0) }),
      article({ sourceKey: key, title: 'New story', link: 'https://h.example/new', published: at(48) }),
    ] });
    await store.saveFullTextPages([page('https://h.example/old'), page('https://h.example/new')]);
    expect((await store.pruneStories({ olderThan: at(24) })).pruned).toBe(1);
    expect([...(await store.getFullTextPages(['https://h.example/old', 'https://h.example/new'])).keys()]).toEqual(['https://h.example/new']);
  });
});
