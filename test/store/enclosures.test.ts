// Media enclosures kept per story on both backends: written, read back by every listing, merged across copies.
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { migrations as pgMigrations } from '../../src/store/postgres/migrations.js';
import { migrations as sqliteMigrations } from '../../src/store/sqlite/migrations.js';
import type { Article, Enclosure } from '../../src/types.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { tempDir } from '../ops/harness.js';
import { BACKENDS, freshPostgresUrl, openBackendStore, openStoreAt, withPostgresClient, type Backend } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const mp3: Enclosure = { url: 'https://a.example/12.mp3', type: 'audio/mpeg', length: 48213766 };
const ogg: Enclosure = { url: 'https://b.example/12.ogg', type: 'audio/ogg', length: null };

const episode = (sourceKey: string, hours: number, enclosures: Enclosure[]): Article => ({
  ...article({ sourceKey, originId: `${sourceKey}/12`, title: 'Episode 12: Tides', published: at(hours), categories: [cat('podcasts')] }),
  enclosures,
});
const other = article({ sourceKey: 'source:A', originId: 'a/text', title: 'A text story', published: at(2), categories: [cat('podcasts')] });

describe.each(BACKENDS)('enclosures on %s', (backend) => {
  it('are stored with the story and read back by listings and the story page', async () => {
    const store = await openBackendStore(backend, policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [episode('source:A', 0, [mp3, ogg]), other] });
    const listed = await store.listCategoryStories('podcasts', 10);
    expect(listed.find((s) => s.title.startsWith('Episode'))!.enclosures).toEqual([mp3, ogg]);
    expect(listed.find((s) => s.title === 'A text story')!.enclosures).toBeUndefined();
    const found = await store.findStory(listed.find((s) => s.title.startsWith('Episode'))!.id);
    expect(found.state === 'found' && found.story.enclosures).toEqual([mp3, ogg]);
    expect((await store.listCategoryPage('podcasts', 0, 10))[0]!.enclosures).toEqual([mp3, ogg]);
  });

  it('merge as the union by URL in merge order, whichever copy arrives first', async () => {
    const a = episode('source:A', 0, [{ ...mp3, length: null }]);
    const b = episode('source:B', 1, [ogg, mp3]);
    for (const order of [[a, b], [b, a]]) {
      const store = await openBackendStore(backend, policy);
      for (const copy of order) await store.storeRun({ sourceKey: copy.sourceKey, articles: [copy] });
      const [story] = await store.listCategoryStories('all', 10);
      expect(story!.enclosures).toEqual([mp3, ogg]);
    }
  });

  it('a changed enclosure updates the story and its category', async () => {
    let ms = Date.parse('2026-12-08T00:00:00Z');
    const store = await openBackendStore(backend, policy, { clock: () => new Date((ms += 1000)) });
    await store.storeRun({ sourceKey: 'source:A', articles: [episode('source:A', 0, [])] });
    const [before] = await store.listCategoryStories('all', 10);
    expect(before!.enclosures).toBeUndefined();
    const result = await store.storeRun({ sourceKey: 'source:A', articles: [episode('source:A', 0, [mp3])] });
    expect(result).toMatchObject({ updated: 1, changedCategories: ['all', 'podcasts'] });
    const [after] = await store.listCategoryStories('all', 10);
    expect(after!.enclosures).toEqual([mp3]);
    expect(after!.updated.getTime()).toBeGreaterThan(before!.updated.getTime());
  });
});

/** Takes a database back to the schema before enclosures: the columns gone, the version one lower. */
async function downgrade(backend: Backend, database: string): Promise<void> {
  const undo = 'ALTER TABLE origins DROP COLUMN enclosures_json; ALTER TABLE stories DROP COLUMN enclosures_json;';
  if (backend === 'sqlite') {
    const db = new Database(database);
    db.exec(undo);
    db.pragma(`user_version = ${sqliteMigrations.length - 1}`);
    db.close();
  } else {
    await withPostgresClient(database, async (client) => {
      await client.query(undo);
      await client.query('UPDATE schema_version SET version = $1', [pgMigrations.length - 1]);
    });
  }
}

describe.each(BACKENDS)('upgrading to enclosures on %s', (backend) => {
  it('forgets every source\'s validators, so the next poll reads the feed whole and fills in its enclosures', async () => {
    const database = backend === 'sqlite' ? path.join(await tempDir('enclosures'), 'agg.db') : await freshPostgresUrl();
    const source = { name: 'Radio', url: 'https://radio.example/feed.rss' };
    const before = await openStoreAt(database, policy);
    await before.storeRun({ sourceKey: 'source:Radio', articles: [episode('source:Radio', 0, [])] });
    await before.recordFetchOutcome(source, {
      at: new Date(), ok: true, httpStatus: 200, error: null, etag: '"v1"', lastModified: 'Mon, 07 Dec 2026 06:00:00 GMT', nextRun: null, added: 1,
    });
    await before.close();
    await downgrade(backend, database);

    const after = await openStoreAt(database, policy);
    expect(await after.getSourceState('Radio')).toMatchObject({ etag: null, lastModified: null });
    expect((await after.listCategoryStories('all', 10)).map((s) => s.title)).toEqual(['Episode 12: Tides']);
    await after.storeRun({ sourceKey: 'source:Radio', articles: [episode('source:Radio', 0, [mp3])] });
    expect((await after.listCategoryStories('all', 10))[0]!.enclosures).toEqual([mp3]);
  });
});
