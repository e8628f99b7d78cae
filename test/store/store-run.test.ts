import { describe, it, expect } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import type { Store } from '../../src/store/store.js';
import type { Article, Story } from '../../src/types.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { BACKENDS, openBackendStore, type Backend } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);

/** A store whose clock advances one second per reading, so "updated" times are distinguishable. */
async function openStore(backend: Backend, start = Date.parse('2025-01-01T00:00:00Z')): Promise<{ store: Store; now: () => number }> {
  let ms = start;
  const store = await openBackendStore(backend, policy, { clock: () => new Date((ms += 1000)) });
  return { store, now: () => ms };
}

const run = (store: Store, sourceKey: string, articles: Article[]) => store.storeRun({ sourceKey, articles });
const titles = (stories: Story[]) => stories.map((story) => story.title);
/** Stories without their `updated` time, which depends on when (not what) was ingested. */
// The feed id records which id readers saw first (store/feed-ids.ts): history, so the one thing the run order decides.
const content = (stories: Story[]) => stories.map(({ updated: _updated, feedId: _feedId, ...rest }) => rest);

// Three sources covering one story told three ways, a daily column and unrelated items.
const feedA = [
  article({
    sourceKey: 'source:A', originId: 'a1', title: '央行“降准” 释放资金', published: at(8),
    categories: [cat('finance')], contentHtml: '<p>short</p>', link: 'https://a.example/1',
  }),
  article({ sourceKey: 'source:A', originId: 'a2', title: 'Daily column', published: at(0), categories: [cat('finance')] }),
  article({ sourceKey: 'source:A', originId: 'a3', title: 'Daily column', published: at(24), categories: [cat('finance')] }),
];
const feedB = [
  article({
    sourceKey: 'source:B', originId: 'b1', title: '央行“降准”，释放资金', published: at(1), categories: [cat('economy')],
    contentHtml: '<p>the fullest version of the body</p>', image: 'https://b.example/i.png', link: 'https://b.example/1',
  }),
  article({ sourceKey: 'source:B', originId: 'b2', title: 'Unrelated', published: at(3), categories: [cat('tech')] }),
];
const seed = [
  article({
    sourceKey: 'seed', originId: 'finance/x.md', title: '央行_降准_ 释放资金', published: at(0),
    categories: [cat('finance'), cat('sina')], link: null, contentHtml: '<p>mid body</p>',
  }),
  article({ sourceKey: 'seed', originId: 'finance/y.md', title: 'Seed only', published: at(50), categories: [cat('sina')], link: null }),
];
const runs: Array<[string, Article[]]> = [['source:A', feedA], ['source:B', feedB], ['seed', seed]];

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe.each(BACKENDS)('storeRun on %s', (backend) => {
  it('merges one story across sources: union of categories, fuller body, feed title, every link', async () => {
    const { store } = await openStore(backend);
    for (const [sourceKey, articles] of runs) await run(store, sourceKey, articles);
    const all = await store.listCategoryStories('all', 50);
    expect(all).toHaveLength(5);
    const merged = all.find((story) => story.title.includes('降准'))!;
    expect(merged.title).toBe('央行“降准”，释放资金');
    expect(merged.published).toEqual(at(0));
    expect(merged.categories.map((ref) => ref.slug)).toEqual(['finance', 'sina', 'economy']);
    expect(merged.contentHtml).toBe('<p>the fullest version of the body</p>');
    expect(merged.image).toBe('https://b.example/i.png');
    expect(merged.link).toBe('https://b.example/1');
    expect(merged.links).toEqual(['https://b.example/1', 'https://a.example/1']);
    await store.close();
  });

  it('gives the same stories for every order of runs, and again when re-ingested', async () => {
    let expected: ReturnType<typeof content> | undefined;
    for (const order of permutations(runs)) {
      const { store } = await openStore(backend);
      for (const [sourceKey, articles] of order) await run(store, sourceKey, [...articles].reverse());
      const stories = content(await store.listCategoryStories('all', 50));
      expected ??= stories;
      expect(stories).toEqual(expected);
      // Idempotent: the same inputs again change nothing.
      for (const [sourceKey, articles] of order) {
        const result = await run(store, sourceKey, articles);
        expect(result).toEqual({ added: 0, merged: 0, updated: 0, unchanged: articles.length, changedCategories: [] });
      }
      expect(content(await store.listCategoryStories('all', 50))).toEqual(expected);
      await store.close();
    }
    expect(expected).toHaveLength(5);
  });

  it('counts new stories, merges, updates and unchanged origins', async () => {
    const { store } = await openStore(backend);
    expect(await run(store, 'source:A', feedA)).toEqual({ added: 3, merged: 0, updated: 0, unchanged: 0, changedCategories: ['all', 'finance'] });
    const second = await run(store, 'source:B', feedB);
    expect(second).toMatchObject({ added: 1, merged: 1, updated: 0, unchanged: 0 });
    expect(second.changedCategories).toEqual(['all', 'economy', 'finance', 'tech']);
    const twoNewTogether = await run(store, 'source:C', [
      article({ sourceKey: 'source:C', originId: 'c1', title: 'Brand new', published: at(5) }),
      article({ sourceKey: 'source:C', originId: 'c2', title: 'Brand  new!', published: at(6) }),
    ]);
    expect(twoNewTogether).toMatchObject({ added: 1, merged: 1 });
    await store.close();
  });

  it('updates an origin in place when its guid is seen again', async () => {
    const { store } = await openStore(backend);
    const first = article({ sourceKey: 'source:A', originId: 'guid-7', title: 'Draft headline', published: at(0), contentHtml: '<p>v1</p>', categories: [cat('finance')] });
    await run(store, 'source:A', [first]);
    const [before] = await store.listCategoryStories('all', 10);
    const edited = article({ ...first, title: 'Final headline', contentHtml: '<p>v2</p>' });
    expect(await run(store, 'source:A', [edited])).toEqual({ added: 0, merged: 0, updated: 1, unchanged: 0, changedCategories: ['all', 'finance'] });
    const after = await store.listCategoryStories('all', 10);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before!.id);
    expect(after[0]!.title).toBe('Final headline');
    expect(after[0]!.contentHtml).toBe('<p>v2</p>');
    expect(after[0]!.updated.getTime()).toBeGreaterThan(before!.updated.getTime());
  });

  it('moves a retitled origin out of its old story and into the matching one', async () => {
    const { store } = await openStore(backend);
    await run(store, 'source:A', [article({ sourceKey: 'source:A', originId: 'g', title: 'Old title', published: at(0) })]);
    await run(store, 'source:B', [article({ sourceKey: 'source:B', originId: 'h', title: 'New title', published: at(1) })]);
    await run(store, 'source:A', [article({ sourceKey: 'source:A', originId: 'g', title: 'New title!', published: at(0) })]);
    const all = await store.listCategoryStories('all', 10);
    expect(titles(all)).toEqual(['New title!']);
    expect(all[0]!.links).toHaveLength(2);
  });

  it('merges within the window and keeps stories 36 hours apart separate', async () => {
    const { store } = await openStore(backend);
    await run(store, 'source:A', [article({ sourceKey: 'source:A', originId: '1', title: 'Rates', published: at(0) })]);
    expect(await run(store, 'seed', [article({ sourceKey: 'seed', originId: 'r.md', title: 'Rates', published: at(8), link: null })])).toMatchObject({ merged: 1, added: 0 });
    expect(await run(store, 'seed', [article({ sourceKey: 'seed', originId: 'r2.md', title: 'Rates', published: at(36), link: null })])).toMatchObject({ merged: 0, added: 1 });
    expect(await store.listCategoryStories('all', 10)).toHaveLength(2);
  });

  it('changes `updated` only when published content changes', async () => {
    const { store } = await openStore(backend);
    const base = article({ sourceKey: 'source:A', originId: 'u', title: 'Stable', published: at(0), contentHtml: '<p>long enough body text</p>', link: 'https://a.example/u' });
    await run(store, 'source:A', [base]);
    const [first] = await store.listCategoryStories('all', 1);
    // A later seed copy with a shorter body adds a link but changes nothing a reader sees.
    await run(store, 'seed', [article({ sourceKey: 'seed', originId: 's.md', title: 'Stable', published: at(2), contentHtml: '<p>short</p>', link: 'https://seed.example/s' })]);
    const [second] = await store.listCategoryStories('all', 1);
    expect(second!.links).toEqual(['https://a.example/u', 'https://seed.example/s']);
    expect(second!.updated).toEqual(first!.updated);
    // A new category is published content.
    await run(store, 'source:A', [{ ...base, categories: [cat('finance')] }]);
    const [third] = await store.listCategoryStories('all', 1);
    expect(third!.updated.getTime()).toBeGreaterThan(first!.updated.getTime());
  });

  it('keeps stored stories when a run brings nothing', async () => {
    const { store } = await openStore(backend);
    await run(store, 'source:A', feedA);
    expect(await run(store, 'source:A', [])).toEqual({ added: 0, merged: 0, updated: 0, unchanged: 0, changedCategories: [] });
    expect(await store.listCategoryStories('all', 10)).toHaveLength(3);
  });

  it('lets untitled articles stand alone', async () => {
    const { store } = await openStore(backend);
    const untitled = [1, 2].map((n) => article({ sourceKey: 'source:A', originId: `u${n}`, title: '…', published: at(n) }));
    expect(await run(store, 'source:A', untitled)).toMatchObject({ added: 2 });
    expect(await store.listCategoryStories('all', 10)).toHaveLength(2);
  });

  it('keeps the first of two items with one guid in the same run', async () => {
    const { store } = await openStore(backend);
    const result = await run(store, 'source:A', [
      article({ sourceKey: 'source:A', originId: 'dup', title: 'Newest version' }),
      article({ sourceKey: 'source:A', originId: 'dup', title: 'Older version' }),
    ]);
    expect(result.added).toBe(1);
    expect(titles(await store.listCategoryStories('all', 10))).toEqual(['Newest version']);
  });
});
