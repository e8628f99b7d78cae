// An origin stated after the time the store first saw it (a typo'd year, a feed in the wrong zone) counts
// as published when first seen: the stories, their order and the merge use that time; the origin keeps
// the stated one. Both are stored facts, so re-polling and the passing of the stated date change nothing.
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import type { DedupPolicy, Store } from '../../src/store/store.js';
import type { Article, Story } from '../../src/types.js';
import { HOUR, article, cat } from '../fixtures/dedup/articles.js';
import { BACKENDS, openBackendStore, type Backend } from '../support/store-backends.js';

const NOW = Date.parse('2026-12-07T22:00:00Z');
const TYPO = new Date('2031-03-01T09:00:00Z');
const finance = [cat('finance')];

/** A store whose clock the test sets. */
async function openStore(backend: Backend, policy: DedupPolicy = createDedupPolicy(12 * HOUR)) {
  const clock = { ms: NOW };
  const store = await openBackendStore(backend, policy, { clock: () => new Date(clock.ms) });
  return { store, clock };
}

const run = (store: Store, sourceKey: string, articles: Article[]) => store.storeRun({ sourceKey, articles });
const newest = (store: Store) => store.listCategoryStories('all', 10);
const brief = (stories: Story[]) => stories.map((story) => ({ title: story.title, published: story.published.toISOString() }));

const seedFiles = [
  article({ sourceKey: 'seed', originId: 'typo.md', title: 'Quarterly report', published: TYPO, categories: finance }),
  article({ sourceKey: 'seed', originId: 'one.md', title: 'Ordinary one', published: new Date(NOW - 40 * HOUR), categories: finance }),
  article({ sourceKey: 'seed', originId: 'two.md', title: 'Ordinary two', published: new Date(NOW - 20 * HOUR), categories: finance }),
];

describe.each(BACKENDS)('future publication times on %s', (backend) => {
  it('dates a story stated after its first sighting at that sighting, and keeps the stated time on its origin', async () => {
    const { store } = await openStore(backend);
    await run(store, 'seed', seedFiles);
    expect(brief(await newest(store))).toEqual([
      { title: 'Quarterly report', published: new Date(NOW).toISOString() },
      { title: 'Ordinary two', published: new Date(NOW - 20 * HOUR).toISOString() },
      { title: 'Ordinary one', published: new Date(NOW - 40 * HOUR).toISOString() },
    ]);
    const [typo] = await newest(store);
    const origins = await store.listStoryOrigins(typo!.id);
    expect(origins.map((origin) => origin.published.toISOString())).toEqual([TYPO.toISOString()]);
  });

  it('keeps that time on every re-poll, once the stated date has passed, and through an update in place', async () => {
    const { store, clock } = await openStore(backend);
    await run(store, 'seed', seedFiles);
    const first = await newest(store);
    clock.ms = NOW + 3 * HOUR;
    expect(await run(store, 'seed', seedFiles)).toMatchObject({ added: 0, updated: 0, unchanged: 3, changedCategories: [] });
    clock.ms = Date.parse('2032-01-01T00:00:00Z');
    expect(await run(store, 'seed', seedFiles)).toMatchObject({ added: 0, updated: 0, unchanged: 3, changedCategories: [] });
    expect(await newest(store)).toEqual(first);
    // The file is edited after the stated date passed: still dated when it was first seen.
    const edited = { ...seedFiles[0]!, contentHtml: '<p>Edited body</p>', summary: 'Edited body' };
    expect(await run(store, 'seed', [edited])).toMatchObject({ updated: 1 });
    const [story] = await newest(store);
    expect(story).toMatchObject({ title: 'Quarterly report', published: new Date(NOW), summary: 'Edited body' });
  });

  it('takes a corrected stated date as soon as it is no longer after the first sighting', async () => {
    const { store, clock } = await openStore(backend);
    await run(store, 'seed', seedFiles);
    clock.ms = NOW + HOUR;
    const fixed = { ...seedFiles[0]!, published: new Date(NOW - 30 * HOUR) };
    await run(store, 'seed', [fixed]);
    expect(brief(await newest(store)).map((story) => story.title)).toEqual(['Ordinary two', 'Quarterly report', 'Ordinary one']);
  });

  it('merges a copy stated 8 hours ahead with its correct copy, whichever arrives first, under a 1-hour window', async () => {
    const stated = NOW - 30 * 60_000;
    const correct = article({ sourceKey: 'source:A', originId: 'a', title: 'Rates held', published: new Date(stated), categories: finance });
    const slipped = article({ sourceKey: 'source:B', originId: 'b', title: 'Rates held', published: new Date(stated + 8 * HOUR), categories: finance });
    const stories: Story[][] = [];
    for (const [first, second] of [[correct, slipped], [slipped, correct]] as const) {
      const { store, clock } = await openStore(backend, createDedupPolicy(HOUR));
      await run(store, first.sourceKey, [first]);
      clock.ms = NOW + 10 * 60_000;
      await run(store, second.sourceKey, [second]);
      stories.push(await newest(store));
    }
    for (const listed of stories) {
      expect(listed).toHaveLength(1);
      // The earliest publication time: the correct copy's.
      expect(listed[0]).toMatchObject({ published: new Date(stated), links: expect.arrayContaining(['https://example.com/a', 'https://example.com/b']) });
    }
    expect(stories[0]![0]!.id).toBe(stories[1]![0]!.id);
  });

  it('gives the merge record\'s time apart of a copy stated in 2031 from its first sighting, keeping its stated date', async () => {
    const { store, clock } = await openStore(backend);
    await run(store, 'source:A', [article({ sourceKey: 'source:A', originId: 'a', title: 'Quarterly report', published: new Date(NOW - 30 * 60_000), categories: finance })]);
    clock.ms = NOW + 10 * 60_000;
    await run(store, 'seed', [seedFiles[0]!]);
    const [story] = await newest(store);
    const origins = await store.listStoryOrigins(story!.id);
    expect(origins.map((origin) => [origin.sourceKey, origin.published.toISOString(), origin.differenceHours])).toEqual([
      ['source:A', new Date(NOW - 30 * 60_000).toISOString(), 0],
      // Stated 2031-03-01, first seen 40 minutes after the correct copy: that is what dedup compared.
      ['seed', TYPO.toISOString(), 0.667],
    ]);
  });

  it('keeps a pruned story gone while its source lists it with the stated future date', async () => {
    const { store, clock } = await openStore(backend);
    await run(store, 'seed', seedFiles);
    clock.ms = NOW + 40 * 24 * HOUR;
    expect(await store.pruneStories({ olderThan: new Date(NOW + HOUR) })).toMatchObject({ pruned: 3 });
    expect(await run(store, 'seed', seedFiles)).toMatchObject({ added: 0, unchanged: 3 });
    expect(await newest(store)).toEqual([]);
    // Pushed out by a newer story (maxItemsPerCategory) and listed again: still gone.
    const { store: capped, clock: cappedClock } = await openStore(backend);
    await run(capped, 'seed', [seedFiles[0]!]);
    cappedClock.ms = NOW + HOUR;
    await run(capped, 'seed', [seedFiles[1]!, { ...seedFiles[2]!, published: new Date(NOW + 30 * 60_000) }]);
    expect(await capped.pruneStories({ maxItemsPerCategory: 1 })).toMatchObject({ pruned: 2 });
    cappedClock.ms = NOW + 2 * HOUR;
    expect(await run(capped, 'seed', [seedFiles[0]!])).toMatchObject({ added: 0, unchanged: 1 });
    expect(brief(await newest(capped)).map((story) => story.title)).toEqual(['Ordinary two']);
  });

  it('holds back another source\'s copy dated in the future of a story pruned within the window of now', async () => {
    const copy = (sourceKey: string, published: Date) => article({ sourceKey, originId: sourceKey, title: 'Rates held', published, categories: finance });
    const { store, clock } = await openStore(backend);
    await run(store, 'source:A', [copy('source:A', new Date(NOW - HOUR))]);
    clock.ms = NOW + HOUR;
    expect(await store.pruneStories({ olderThan: new Date(NOW) })).toMatchObject({ pruned: 1 });
    clock.ms = NOW + 2 * HOUR;
    // Published as of now, it would have merged with the pruned story: it is that story.
    expect(await run(store, 'source:B', [copy('source:B', TYPO)])).toMatchObject({ added: 0, unchanged: 1 });
    expect(await newest(store)).toEqual([]);
    // A day later the same title is another story.
    clock.ms = NOW + 30 * HOUR;
    expect(await run(store, 'source:C', [copy('source:C', TYPO)])).toMatchObject({ added: 1 });
  });

  it('gives the same store for the same inputs in any order within one sighting', async () => {
    const feed = article({ sourceKey: 'source:A', originId: 'q', title: 'Quarterly report', published: new Date(NOW - 2 * HOUR), categories: finance });
    const listings: Story[][] = [];
    for (const order of [['seed', 'source:A'], ['source:A', 'seed']]) {
      const { store } = await openStore(backend);
      for (const source of order) await run(store, source, source === 'seed' ? seedFiles : [feed]);
      listings.push((await newest(store)).map(({ updated: _updated, feedId: _feedId, ...rest }) => rest) as Story[]);
    }
    expect(listings[1]).toEqual(listings[0]);
    // The typo'd copy, seen now, merges with the feed's copy of two hours ago.
    expect(brief(listings[0]!)[0]).toEqual({ title: 'Quarterly report', published: new Date(NOW - 2 * HOUR).toISOString() });
  });
});
