// Readers key items by guid: a story renamed by an earlier copy (its page moves, the old id answers 301) keeps
// the guid/id its feed items had, so no reader shows it twice. On both backends, and after an upgrade.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy, storyId } from '../../src/ingest/dedup.js';
import { storyUrn } from '../../src/publish/feed-urls.js';
import { openDatabase } from '../../src/store/open-database.js';
import { HOUR, article, at, cat } from '../fixtures/dedup/articles.js';
import { serveStore, type Served } from '../server/serve.js';
import { parseWithFeedparser } from '../support/feedparser.js';
import { BACKENDS, freshDatabase, openStoreAt, type Backend } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
// Each unit of work a second later, so first-seen times tell the runs apart.
const ticking = () => {
  let now = at(24 * 30).getTime();
  return () => new Date((now += 1000));
};

// The crawler's copy first (seed folder, no origin link), then the wire's earlier copy, then the agency's.
const seedCopy = article({ sourceKey: 'seed', originId: 'port.md', title: '港口扩建_首期工程开工', published: at(6), categories: [cat('sina')], link: null });
const wireCopy = article({ sourceKey: 'source:wire', originId: 'w-1', title: '港口扩建：首期工程开工', published: at(2), categories: [cat('finance')] });
const agencyCopy = article({ sourceKey: 'source:agency', originId: 'a-9', title: '港口扩建：首期工程开工', published: at(0), categories: [cat('finance')] });
const [seedId, wireId, agencyId] = [seedCopy, wireCopy, agencyCopy].map(storyId) as [string, string, string];

interface Item {
  guid: string;
  link: string;
}

/** The items of /feeds/all in every format: RSS guid, Atom id and JSON Feed id with the link a reader opens. */
async function readItems(base: string): Promise<Record<'rss' | 'atom' | 'json', Item[]>> {
  const text = async (format: string) => (await fetch(`${base}/feeds/all.${format}`)).text();
  const [rss, atom, json] = await Promise.all([text('rss'), text('atom'), text('json')]);
  const [fromRss, fromAtom] = await Promise.all([parseWithFeedparser(rss), parseWithFeedparser(atom)]);
  const items = (parsed: typeof fromRss) => parsed.entries.map((entry) => ({ guid: entry.id!, link: entry.link! }));
  const feed = JSON.parse(json) as { items: { id: string; url: string }[] };
  return { rss: items(fromRss), atom: items(fromAtom), json: feed.items.map((item) => ({ guid: item.id, link: item.url })) };
}

/** What a reader that keeps every item it ever fetched holds: one entry per guid. */
const distinctGuids = (...reads: Item[][]) => new Set(reads.flat().map((item) => item.guid)).size;

describe.each(BACKENDS)('feed guids of moved stories on %s', (backend: Backend) => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  it('a story renamed twice by earlier copies keeps its first guid in RSS, Atom and JSON Feed; its link follows the new page', async () => {
    const store = await openStoreAt(await freshDatabase(backend), policy, { clock: ticking() });
    await store.storeRun({ sourceKey: 'seed', articles: [seedCopy] });
    served = await serveStore(store);
    const first = await readItems(served.base);
    expect(first.rss).toEqual([{ guid: storyUrn(seedId), link: `${served.base}/stories/${seedId}` }]);

    for (const [copy, newId] of [[wireCopy, wireId], [agencyCopy, agencyId]] as const) {
      await store.storeRun({ sourceKey: copy.sourceKey, articles: [copy] });
      served.cache.invalidateAll(); // what the change feed does in the service
      const again = await readItems(served.base);
      expect((await store.findStory(seedId))).toEqual({ state: 'moved', storyId: newId });
      for (const format of ['rss', 'atom', 'json'] as const) {
        expect(again[format].map((item) => item.guid), format).toEqual([storyUrn(seedId)]);
        expect(distinctGuids(first[format], again[format]), format).toBe(1);
      }
      // The link a reader opens: the origin (the wire's copy has one); JSON Feed's url is the story's page, now the new one.
      expect(again.rss[0]!.link).toBe(copy.link);
      expect(again.json[0]!.link).toBe(`${served.base}/stories/${newId}`);
    }
  });

  it('two stories merged into one keep the guid published first', async () => {
    const store = await openStoreAt(await freshDatabase(backend), policy, { clock: ticking() });
    const late = article({ sourceKey: 'source:late', originId: 'l-1', title: 'Harbour tunnel opens', published: at(13) });
    const early = article({ sourceKey: 'source:early', originId: 'e-1', title: 'Harbour tunnel opens', published: at(0) });
    await store.storeRun({ sourceKey: 'source:late', articles: [late] });
    await store.storeRun({ sourceKey: 'source:early', articles: [early] });
    expect((await store.listCategoryStories('all', 10)).map((story) => story.feedId)).toEqual([storyId(late), storyId(early)]);

    // The late copy's date is corrected: both are now one story, named after the early copy.
    await store.storeRun({ sourceKey: 'source:late', articles: [{ ...late, published: at(5) }] });
    const stories = await store.listCategoryStories('all', 10);
    expect(stories.map((story) => [story.id, story.feedId])).toEqual([[storyId(early), storyId(late)]]);
  });

  it('when the copy a story was first named after is retitled away, each story keeps a guid of its own', async () => {
    const store = await openStoreAt(await freshDatabase(backend), policy, { clock: ticking() });
    await store.storeRun({ sourceKey: 'seed', articles: [seedCopy] });
    await store.storeRun({ sourceKey: 'source:wire', articles: [wireCopy] });
    await store.storeRun({ sourceKey: 'seed', articles: [{ ...seedCopy, title: '港口扩建二期', titleKey: '港口扩建二期' }] });
    const stories = await store.listCategoryStories('all', 10);
    expect(stories.map((story) => [story.id, story.feedId]).sort()).toEqual([[seedId, seedId], [wireId, wireId]].sort());
  });

  it('an existing database whose stories moved before feed ids were kept gives each its oldest id on upgrade', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feed-guids-'));
    try {
      const database = backend === 'sqlite' ? join(dir, 'aggregator.db') : await freshDatabase(backend);
      const store = await openDatabase(database, policy, { clock: ticking() });
      for (const copy of [seedCopy, wireCopy, agencyCopy]) await store.storeRun({ sourceKey: copy.sourceKey, articles: [copy] });
      await store.close();
      await downgrade(backend, database);

      const upgraded = await openStoreAt(database, policy);
      expect((await upgraded.listCategoryStories('all', 10)).map((story) => [story.id, story.feedId])).toEqual([[agencyId, seedId]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Turns a database back into the schema before feed ids, keeping its stories and moves. */
async function downgrade(backend: Backend, database: string): Promise<void> {
  if (backend === 'sqlite') {
    const db = new Database(database);
    // Migration 17 (story_dates, the search's dates by rowid) follows feed ids (16): undone too, so the upgrade replays both.
    // So are 18 (story_text_chars, the stories' text lengths) and 19 (the enclosures columns).
    db.exec(`DROP TRIGGER story_dates_insert; DROP TRIGGER story_dates_update; DROP TRIGGER story_dates_delete; DROP TABLE story_dates;
      DROP TRIGGER story_text_chars_insert; DROP TRIGGER story_text_chars_update; DROP TRIGGER story_text_chars_delete; DROP TABLE story_text_chars;
      ALTER TABLE origins DROP COLUMN enclosures_json; ALTER TABLE stories DROP COLUMN enclosures_json;
      ALTER TABLE stories DROP COLUMN feed_id; PRAGMA user_version = 15`);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: database });
  await client.connect();
  // The word index's migrations after feed ids (11: story_search, 12: its period lexemes) are undone too, so the
  // upgrade replays them all (a period lexeme added again merges with the one the words kept); so are 13 (story_text_chars) and 14 (the enclosures).
  await client.query(`DROP TABLE story_text_chars; DROP FUNCTION story_text_chars_write() CASCADE;
    ALTER TABLE stories ADD COLUMN search_words tsvector;
    UPDATE stories s SET search_words = w.words FROM story_search w WHERE w.id = s.id;
    DROP TABLE story_search;
    CREATE INDEX stories_search_words ON stories USING gin (search_words);
    CREATE INDEX stories_unindexed ON stories (id) WHERE search_words IS NULL;
    ALTER TABLE origins DROP COLUMN enclosures_json; ALTER TABLE stories DROP COLUMN enclosures_json;
    ALTER TABLE stories DROP COLUMN feed_id; UPDATE schema_version SET version = 9`);
  await client.end();
}
