import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import type { Store } from '../../src/store/store.js';
import type { Article } from '../../src/types.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { BACKENDS, freshDatabase, openBackendStore, openStoreAt } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const NOW = at(24 * 30);

describe.each(BACKENDS)('retention on %s', (backend) => {
  async function openStore(): Promise<Store> {
    let ms = NOW.getTime();
    return openBackendStore(backend, policy, { clock: () => new Date((ms += 1000)) });
  }

  const titles = async (store: Store, slug = 'all') => (await store.listCategoryStories(slug, 100)).map((story) => story.title).sort();

  // A source that keeps listing an old story next to newer ones.
  const feed: Article[] = [
    article({ sourceKey: 'source:A', originId: 'old', title: '旧闻：港口扩建', published: at(0), categories: [cat('finance')] }),
    article({ sourceKey: 'source:A', originId: 'mid', title: 'Mid story', published: at(24 * 20), categories: [cat('finance'), cat('tech')] }),
    article({ sourceKey: 'source:A', originId: 'new', title: 'New story', published: at(24 * 29), categories: [cat('tech')] }),
  ];
  // The seed folder has the old story too, re-dated by the crawler and with `_` substitutes.
  const seed: Article[] = [
    article({ sourceKey: 'seed', originId: 'x.md', title: '旧闻_港口扩建', published: at(6), categories: [cat('sina')], link: null }),
  ];

  describe('listStoryOrigins (the merge record)', () => {
    it('lists each merged origin with the shared title key and its time difference', async () => {
      const store = await openStore();
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      await store.storeRun({ sourceKey: 'seed', articles: seed });
      const story = (await store.listCategoryStories('all', 10)).find((candidate) => candidate.title === '旧闻：港口扩建')!;
      const origins = await store.listStoryOrigins(story.id);
      expect(origins).toEqual([
        { sourceKey: 'source:A', originId: 'old', title: '旧闻：港口扩建', link: feed[0]!.link, published: at(0), titleKey: '旧闻港口扩建', differenceHours: 0 },
        { sourceKey: 'seed', originId: 'x.md', title: '旧闻_港口扩建', link: null, published: at(6), titleKey: '旧闻港口扩建', differenceHours: 6 },
      ]);
      expect(await store.listStoryOrigins('no-such-story')).toEqual([]);
    });
  });

  describe('findStory', () => {
    it('finds a stored story, knows a pruned one by its tombstone, and nothing else', async () => {
      const store = await openStore();
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      const stories = await store.listCategoryStories('all', 10);
      const old = stories.find((candidate) => candidate.title === '旧闻：港口扩建')!;
      const found = await store.findStory(old.id);
      expect(found).toEqual({ state: 'found', story: old });
      await store.pruneStories({ olderThan: at(24) });
      const gone = await store.findStory(old.id);
      expect(gone.state).toBe('pruned');
      expect(gone.state === 'pruned' && gone.prunedAt.getTime()).toBeGreaterThan(NOW.getTime());
      expect(await store.findStory('no-such-story')).toEqual({ state: 'unknown' });
    });
  });

  describe('pruneStories', () => {
    it('prunes by age; the pruned story stays gone when its sources list it again', async () => {
      const store = await openStore();
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      await store.storeRun({ sourceKey: 'seed', articles: seed });
      const before = (await store.listCategoryStories('all', 10)).find((story) => story.title === '旧闻：港口扩建')!;

      const result = await store.pruneStories({ olderThan: at(24 * 10) });
      expect(result).toEqual({ pruned: 1, changedCategories: ['all', 'finance', 'sina'] });
      expect(await titles(store)).toEqual(['Mid story', 'New story']);
      expect(await store.listStoryOrigins(before.id)).toEqual([]);
      expect((await store.getCategory('sina'))?.count).toBe(0);

      // Same source, same items, and the seed copy from another angle (an 8-hour slip): nothing comes back.
      const again = await store.storeRun({ sourceKey: 'source:A', articles: feed });
      expect(again.added).toBe(0);
      const seedAgain = await store.storeRun({ sourceKey: 'seed', articles: [{ ...seed[0]!, published: at(-8), originId: 'y.md' }] });
      expect(seedAgain).toMatchObject({ added: 0, merged: 0, changedCategories: [] });
      expect(await titles(store)).toEqual(['Mid story', 'New story']);
    });

    it('does not block a later story with the same title (the next issue of a column)', async () => {
      const store = await openStore();
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      await store.pruneStories({ olderThan: at(24 * 10) });
      const nextIssue = article({ sourceKey: 'source:A', originId: 'old-2', title: '旧闻：港口扩建', published: at(13), categories: [cat('finance')] });
      expect((await store.storeRun({ sourceKey: 'source:A', articles: [nextIssue] })).added).toBe(1);
      expect(await titles(store)).toContain('旧闻：港口扩建');
    });

    it('keeps the newest maxItemsPerCategory of every category, in one transaction', async () => {
      const store = await openStore();
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      const result = await store.pruneStories({ maxItemsPerCategory: 1 });
      // finance keeps "Mid story"; tech keeps "New story" and would drop "Mid story", so it goes everywhere.
      expect(result.pruned).toBe(2);
      expect(await titles(store)).toEqual(['New story']);
      expect(result.changedCategories).toEqual(['all', 'finance', 'tech']);
      expect((await store.listCategories()).map((c) => [c.slug, c.count])).toEqual([['finance', 0], ['tech', 1]]);
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      expect(await titles(store)).toEqual(['New story']);
    });

    it('does nothing without limits, and is idempotent', async () => {
      const store = await openStore();
      await store.storeRun({ sourceKey: 'source:A', articles: feed });
      expect(await store.pruneStories({})).toEqual({ pruned: 0, changedCategories: [] });
      await store.pruneStories({ olderThan: at(24 * 10) });
      expect(await store.pruneStories({ olderThan: at(24 * 10) })).toEqual({ pruned: 0, changedCategories: [] });
    });

    it('survives reopening: tombstones are stored', async () => {
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const path = backend === 'sqlite' ? `${mkdtempSync(`${tmpdir()}/retention-`)}/db.sqlite` : await freshDatabase(backend);
      const first = await openStoreAt(path, policy, { clock: () => NOW });
      await first.storeRun({ sourceKey: 'source:A', articles: feed });
      await first.pruneStories({ olderThan: at(24 * 10) });
      await first.close();
      const second = await openStoreAt(path, policy, { clock: () => NOW });
      await second.storeRun({ sourceKey: 'source:A', articles: feed });
      expect(await titles(second)).toEqual(['Mid story', 'New story']);
      await second.close();
    });
  });
});

describe('retention config', () => {
  it('is off by default and turns maxAgeDays into a cut-off before now', async () => {
    const { retentionPruneOptions } = await import('../../src/store/prune-run.js');
    const { configSchema } = await import('../../src/config/schema.js');
    expect(configSchema.parse({ sources: [] }).retention).toBeUndefined();
    expect(retentionPruneOptions(undefined, NOW)).toBeNull();
    expect(retentionPruneOptions({}, NOW)).toBeNull();
    const retention = configSchema.parse({ sources: [], retention: { maxAgeDays: 30, maxItemsPerCategory: 500 } }).retention;
    expect(retentionPruneOptions(retention, at(24 * 40))).toEqual({ olderThan: at(24 * 10), maxItemsPerCategory: 500 });
    expect(() => configSchema.parse({ sources: [], retention: { maxItemsPerCategory: 0 } })).toThrow();
  });
});
