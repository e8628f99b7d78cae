// Many clients asking at once for documents that are not rendered yet (story pages, feeds of other categories,
// archive pages, `?limit=` feeds): only RENDERS_AT_ONCE renders read stories at a time, the others wait their
// turn, and every request is answered. Before, each request rendered at once: 50 parallel requests for the pages
// of 50 different 1.9 MB seed articles ran the service out of its heap.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/config/filter-rules.js';
import { fixedFeedPolicy } from '../../src/publish/feed-policy.js';
import { RENDERS_AT_ONCE, createRenderCache } from '../../src/publish/render-cache.js';
import { createApp } from '../../src/server/create-app.js';
import { createRequestHandler } from '../../src/server/fast-path.js';
import type { Store } from '../../src/store/store.js';
import { FINANCE, TECH, article, openTestStore } from '../fixtures/publish/articles.js';
import { rawRequest } from './serve.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * The real store, with every read of stories for a render held at a gate until the test opens it: what waits
 * there is what is rendering at that moment.
 */
function gated(store: Store) {
  let open = false;
  const waiting: Array<() => void> = [];
  // The event-loop turn (a setImmediate ticker's count) at which each read passed the gate.
  let turn = 0;
  let ticking = true;
  const tick = (): void => void setImmediate(() => ((turn += 1), ticking && tick()));
  tick();
  closers.push(async () => void (ticking = false));
  const passed: Array<{ read: string; turn: number }> = [];
  const gate = async <T>(name: string, read: () => Promise<T>): Promise<T> => {
    if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
    passed.push({ read: name, turn });
    return read();
  };
  const wrapped: Store = {
    ...store,
    findStory: (id) => gate('findStory', () => store.findStory(id)),
    listCategoryStoriesWithin: (slug, limit, max) => gate('listCategoryStoriesWithin', () => store.listCategoryStoriesWithin(slug, limit, max)),
    listCategoryPage: (slug, offset, limit, max) => gate('listCategoryPage', () => store.listCategoryPage(slug, offset, limit, max)),
    listCategoryStoriesAfter: (slug, after, limit, max) => gate('listCategoryStoriesAfter', () => store.listCategoryStoriesAfter(slug, after, limit, max)),
    searchStories: (query, limit, page) => gate('searchStories', () => store.searchStories(query, limit, page)),
  };
  return {
    store: wrapped,
    waiting: () => waiting.length,
    /** The turns at which reads (of this name) passed the gate. */
    passedAtTurns: (read?: string) => passed.filter((p) => read === undefined || p.read === read).map((p) => p.turn),
    open() {
      open = true;
      for (const release of waiting.splice(0)) release();
    },
  };
}

/** Eight stories in four categories (two per category, alternately in 金融 and tech): documents to ask for. */
async function storeOfEight() {
  const { store } = await openTestStore();
  const categories = Array.from({ length: 4 }, (_, i) => ({ slug: `c${i}`, name: `C${i}` }));
  await store.declareCategories(categories);
  const articles = Array.from({ length: 8 }, (_, i) => article(`Story ${i}`, `2024-12-0${i + 1}T08:00:00Z`, [categories[i % 4]!, i % 2 ? FINANCE : TECH]));
  await store.storeRun({ sourceKey: 'source:Example', articles });
  const storyIds = (await store.listCategoryStoriesWithin('all', 8, Infinity)).map((s) => s.id);
  return { store, categories, storyIds };
}

/** The real app behind the fast path on 127.0.0.1 (ephemeral port), counting the requests that arrived. */
async function serve(store: Store, limits: { rendersAtOnce?: number; rendersWaiting?: number } = {}, policy = fixedFeedPolicy()) {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const cache = createRenderCache({ store, site: { baseUrl: base, title: 'T' }, items: 50, policy, archivePageSize: 2, ...limits });
  const app = createApp({ store, cache, config: { server: { host: '127.0.0.1', port: 0, baseUrl: base }, feeds: { title: 'T', items: 50 } } });
  let arrived = 0;
  server.on('request', () => (arrived += 1));
  server.on('request', createRequestHandler(app, cache));
  return { base, arrived: () => arrived };
}

async function poll(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('renders at once', () => {
  it('at most RENDERS_AT_ONCE of many cold requests read stories at a time; every request is answered', async () => {
    const { store, categories, storyIds } = await storeOfEight();
    const held = gated(store);
    const { base, arrived } = await serve(held.store);

    const paths = [
      ...storyIds.slice(0, 4).map((id) => `/stories/${id}`),
      ...categories.map((c) => `/feeds/${c.slug}.rss`),
      '/feeds/tech/archive/1.atom', '/feeds/all/archive/2.rss', '/feeds/all.json?limit=3', '/categories/c1',
    ];
    const answers = Promise.all(paths.map((p) => rawRequest(`${base}${p}`)));
    await poll(() => arrived() === paths.length, 'every request to arrive');
    // Give every request that would start rendering now the turns to reach the gate.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(held.waiting()).toBe(RENDERS_AT_ONCE);

    held.open();
    const done = await answers;
    expect(done.map((r, i) => [paths[i], r.status])).toEqual(paths.map((p) => [p, 200]));
    expect(done[0]!.body.toString()).toContain('Story');
  });

  it('refuses a render beyond the waiting line with 503 Busy and Retry-After; those in line are answered', async () => {
    const { store, storyIds } = await storeOfEight();
    const held = gated(store);
    const { base, arrived } = await serve(held.store, { rendersAtOnce: 1, rendersWaiting: 2 });
    // Two asks for one page share its render (and its place in line): four renders for five requests.
    const paths = ['/feeds/c0.rss', `/stories/${storyIds[0]}`, `/stories/${storyIds[1]}`, `/stories/${storyIds[1]}`, `/stories/${storyIds[2]}`];
    // One after the other, so the line forms in this order.
    const answers: ReturnType<typeof rawRequest>[] = [];
    for (const p of paths) {
      answers.push(rawRequest(`${base}${p}`));
      await poll(() => arrived() === answers.length, `${p} to arrive`);
    }
    const refused = await answers.at(-1)!;
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.body.toString()).toBe('Busy: too many documents being rendered at once, retry in a moment\n');
    expect(held.waiting()).toBe(1);

    held.open();
    const answered = await Promise.all(answers.slice(0, -1));
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Nothing of the refused render was kept: asked again, it renders.
    expect((await rawRequest(`${base}${paths.at(-1)}`)).status).toBe(200);
  });

  it('starts each render in line on a later event-loop turn, so renders never run back to back without I/O between', async () => {
    const { store } = await storeOfEight();
    const held = gated(store);
    const { base, arrived } = await serve(held.store, { rendersAtOnce: 1 });
    // `?limit=` renders of the synchronous SQLite store do not wait for compression: nothing else yields between them.
    const paths = [1, 2, 3, 4].map((n) => `/feeds/all.rss?limit=${n}`);
    const answers = paths.map((p) => rawRequest(`${base}${p}`));
    await poll(() => arrived() === paths.length, 'every request to arrive');
    await poll(() => held.waiting() === 1, 'the first render to reach the store');
    held.open();
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const turns = held.passedAtTurns();
    expect(turns).toHaveLength(4);
    // Renders 2–4 each started on a turn of their own, after the one before them.
    expect(new Set(turns.slice(1)).size).toBe(3);
  });

  it('lets new connections in between renders: requests arriving behind a line of renders are answered before it ends', async () => {
    const { store } = await storeOfEight();
    const held = gated(store);
    const { base, arrived } = await serve(held.store, { rendersAtOnce: 1, rendersWaiting: 64 });
    // Distinct `?limit=` feeds: one-off renders, never shared, none waiting for compression.
    const renders = Array.from({ length: 20 }, (_, i) => rawRequest(`${base}/feeds/all.rss?limit=${i + 1}`));
    await poll(() => arrived() === 20, 'every render request to arrive');
    await poll(() => held.waiting() === 1, 'the first render to reach the store');
    held.open();
    // New connections while the line renders (a reader's cached feed, a health check): each waits in the kernel's
    // accept backlog, and Node accepts one connection per event-loop turn.
    const rendersDoneWhenAnswered: number[] = [];
    const others = Array.from({ length: 20 }, () =>
      rawRequest(`${base}/no-such-page`).then((r) => (rendersDoneWhenAnswered.push(held.passedAtTurns().length), r.status)));
    expect(await Promise.all(others)).toEqual(Array(20).fill(404));
    expect((await Promise.all(renders)).every((r) => r.status === 200)).toBe(true);
    // Before, one render ran per turn, so the twentieth new connection was answered after about twenty renders.
    expect(Math.max(...rendersDoneWhenAnswered)).toBeLessThanOrEqual(5);
  });

  it('counts a filtered category for the index page a page of stories per event-loop turn; the OPML list reads none', async () => {
    const { store } = await openTestStore();
    // Pages of the walk are cut to 1 Mi characters: eight stories of 300 K take several pages.
    const body = `<p>${'x'.repeat(300_000)}</p>`;
    await store.storeRun({ sourceKey: 'source:Big', articles: Array.from({ length: 8 }, (_, i) => article(`Long ${i}`, `2024-12-0${i + 1}T08:00:00Z`, [TECH], { contentHtml: body })) });
    const held = gated(store);
    held.open();
    const policy = fixedFeedPolicy(15, { categoryFilters: new Map([[TECH.slug, compileFilter({ block: ['title:^never'] })]]) });
    const { base } = await serve(held.store, {}, policy);

    const index = await rawRequest(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.body.toString()).toMatch(/>Tech<\/a><\/td><td class="num">8<\/td>/);
    const turns = held.passedAtTurns('listCategoryStoriesAfter');
    expect(turns.length).toBeGreaterThan(2);
    expect(new Set(turns).size).toBe(turns.length);

    const opml = await rawRequest(`${base}/feeds.opml`);
    expect(opml.status).toBe(200);
    expect(opml.body.toString()).toContain('/feeds/tech.rss');
    expect(held.passedAtTurns('listCategoryStoriesAfter')).toHaveLength(turns.length);
  });

  it('runs searches (page and feed) RENDERS_AT_ONCE at a time in slots of their own; every search is answered', async () => {
    const { store } = await storeOfEight();
    const held = gated(store);
    const { base, arrived } = await serve(held.store);
    // On PostgreSQL nothing else bounds them: 200 parallel searches of 1.9 MB stories ran the web process out of heap.
    const paths = ['Story', 'Story 1', 'Story 2', 'Story 3'].flatMap((q) => [`/search?q=${encodeURIComponent(q)}`, `/feeds/search.rss?q=${encodeURIComponent(q)}`]);
    const answers = Promise.all(paths.map((p) => rawRequest(`${base}${p}`)));
    await poll(() => arrived() === paths.length, 'every request to arrive');
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(held.waiting()).toBe(RENDERS_AT_ONCE);
    // A feed is not held up behind the searches.
    const feed = rawRequest(`${base}/feeds/c1.rss`);
    await poll(() => held.waiting() === RENDERS_AT_ONCE + 1, 'the feed render to reach the store');

    held.open();
    expect((await answers).map((r) => r.status)).toEqual(paths.map(() => 200));
    expect((await feed).status).toBe(200);
  });
});
