// The follower keeps a serving process's render cache in step with commits made on another connection (another
// process): exactly the touched categories' documents (with `all`, saved searches and OPML) are dropped, and a
// follower that fell behind the change feed's pruning point drops everything instead of missing a change.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { followChanges, type Follower } from '../../src/publish/follow-changes.js';
import { createRenderCache } from '../../src/publish/render-cache.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { FINANCE, TECH, article } from '../fixtures/publish/articles.js';
import { waitFor } from '../ops/harness.js';

const DAY = 86_400_000;
const site = { baseUrl: 'http://feeds.test', title: 'Test feeds' };
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function twoConnections() {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'follow-')), 'aggregator.db');
  let now = Date.parse('2025-01-10T00:00:00Z');
  const policy = createDedupPolicy(12 * 3_600_000);
  const writer = await openSqliteStore(file, policy, { clock: () => new Date(now) });
  const reader = await openSqliteStore(file, policy);
  cleanup.push(() => writer.close(), () => reader.close());
  await writer.declareCategories([FINANCE, TECH]);
  await writer.storeRun({ sourceKey: 'source:Example', articles: [article('Old finance', '2025-01-01T08:00:00Z', [FINANCE]), article('Old chips', '2025-01-01T09:00:00Z', [TECH])] });
  const cache = createRenderCache({ store: reader, site, items: 20 });
  return { writer, reader, cache, advance: (ms: number) => (now += ms) };
}

const add = (store: Store, title: string, category = FINANCE) =>
  store.storeRun({ sourceKey: 'source:Example', articles: [article(title, '2025-01-05T08:00:00Z', [category])] });

async function follow(reader: Store, cache: Parameters<typeof followChanges>[1], pollMs: number): Promise<Follower> {
  const follower = await followChanges(reader, cache, { pollMs });
  cleanup.push(() => follower.stop());
  return follower;
}

describe('following the change feed', () => {
  it('drops exactly the touched categories, `all` and OPML when another connection commits', async () => {
    const { writer, reader, cache } = await twoConnections();
    await follow(reader, cache, 20);
    const oldFinance = (await cache.getFeed('金融', 'rss'))!;
    const oldTech = (await cache.getFeed('tech', 'rss'))!;
    await cache.getFeed('all', 'rss');
    await cache.getOpml();
    await add(writer, 'New finance');
    await waitFor(() => cache.peekFeed('金融', 'rss') === undefined, 5_000, 'finance dropped');
    expect(cache.peekFeed('all', 'rss')).toBeUndefined();
    expect(cache.peekOpml()).toBeUndefined();
    expect(cache.peekFeed('tech', 'rss')).toBe(oldTech);
    const fresh = (await cache.getFeed('金融', 'rss'))!;
    expect(fresh.etag).not.toBe(oldFinance.etag);
    expect(fresh.body.toString()).toContain('New finance');
  });

  it('re-renders everything when it fell behind the pruning point', async () => {
    const { writer, reader, cache, advance } = await twoConnections();
    // A follower that is not woken by polling (an hour apart): it catches up only when asked.
    const follower = await follow(reader, cache, 3_600_000);
    const oldTech = (await cache.getFeed('tech', 'rss'))!;
    await cache.getFeed('金融', 'rss');
    await add(writer, 'Finance while behind');
    advance(2 * DAY);
    await add(writer, 'Finance after a while');
    // The first change is pruned before the follower read it; the remaining one touches finance only.
    expect(await writer.pruneChanges(new Date(Date.parse('2025-01-10T00:00:00Z') + DAY))).toBeGreaterThan(0);
    expect(cache.peekFeed('tech', 'rss')).toBe(oldTech);
    await follower.catchUp();
    expect(cache.peekFeed('tech', 'rss')).toBeUndefined();
    expect(cache.peekFeed('金融', 'rss')).toBeUndefined();
    expect(follower.seq()).toBe(await writer.latestChangeSeq());
    expect((await cache.getFeed('金融', 'rss'))!.body.toString()).toContain('Finance while behind');
  });
});
