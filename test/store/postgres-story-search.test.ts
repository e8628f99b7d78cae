// PostgreSQL's word index lives in story_search (story-words.ts), one row per story beside `stories`:
// a database from before migration 11 keeps its indexed words and its not-yet-indexed stories, and the
// rows follow their stories through every write (new text, a new date, a new id, prune).
import { describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { migrations } from '../../src/store/postgres/migrations.js';
import { PERIOD_MS, periodLexeme } from '../../src/store/postgres/story-words.js';
import type { Store } from '../../src/store/store.js';
import { HOUR, T0, article, cat } from '../fixtures/dedup/articles.js';
import { freshPostgresUrl, openStoreAt, withPostgresClient } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);

const withClient = withPostgresClient;

/** A story row as schema 10 stored it, its words indexed (`words` given) or not yet (NULL). */
const insertStory = (id: string, title: string, publishedMs: number, words: string | null) => ({
  text: `INSERT INTO stories (id, title_key, published_ms, updated_ms, title, link, links_json, author, categories_json,
           image, content_html, summary, content_hash, row_hash, text_hash, search_words)
         VALUES ($1, $2, $3, $3, $4, NULL, '[]', NULL, '[]', NULL, $5, $4, 'c', 'r', 't',
           CASE WHEN $6::text IS NULL THEN NULL ELSE setweight(to_tsvector('simple', $6::text), 'A') END)`,
  values: [id, title.toLowerCase(), publishedMs, title, `<p>${title}</p>`, words],
});

/** A fresh database at schema 10 (before story_search) holding these story rows. */
async function schema10Database(stories: ReturnType<typeof insertStory>[]): Promise<string> {
  const url = await freshPostgresUrl();
  await withClient(url, async (client) => {
    for (const migration of migrations.slice(0, 10)) await client.query(migration);
    await client.query('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    await client.query('INSERT INTO schema_version (version) VALUES (10)');
    for (const story of stories) await client.query(story);
  });
  return url;
}

/**
 * Stories whose story_search row is missing, extra, dated differently, or (indexed) without exactly the period
 * lexeme of its date: none, ever.
 */
async function outOfStep(url: string): Promise<number> {
  const { rows } = await withClient(url, (client) => client.query<{ published_ms: string; indexed: boolean; periods: string[]; ok: boolean }>(
    `SELECT w.published_ms, w.words IS NOT NULL AS indexed, ARRAY(SELECT u.lexeme FROM unnest(w.words) u WHERE u.lexeme LIKE '#%') AS periods,
       (s.id IS NOT NULL AND w.id IS NOT NULL AND s.published_ms = w.published_ms) AS ok
     FROM stories s FULL JOIN story_search w ON w.id = s.id`,
  ));
  const periodsOk = (row: (typeof rows)[number]) =>
    JSON.stringify(row.periods) === JSON.stringify(row.indexed ? [periodLexeme(Number(row.published_ms))] : []);
  return rows.filter((row) => !row.ok || !periodsOk(row)).length;
}

const titles = async (store: Store, query: string) => (await store.searchStories(query, 10)).stories.map((story) => story.title);

describe('story_search on PostgreSQL', () => {
  it('upgrades a schema-10 database: indexed words kept, unindexed stories rebuilt, the old column gone', async () => {
    const url = await schema10Database([
      insertStory('s-indexed', 'Harbour lights', Date.parse('2025-01-02T00:00:00Z'), 'harbour lights'),
      insertStory('s-waiting', 'Zeppelin parade', Date.parse('2025-01-01T00:00:00Z'), null),
    ]);
    const store = await openStoreAt(url, policy);
    expect(await titles(store, 'harbour')).toEqual(['Harbour lights']);
    expect((await store.searchStories('zeppelin', 10)).total).toBe(0);
    expect(await store.rebuildSearchIndex(50)).toEqual({ indexed: 1, remaining: 0 });
    expect(await titles(store, 'zeppelin')).toEqual(['Zeppelin parade']);
    expect(await outOfStep(url)).toBe(0);
    const columns = await withClient(url, async (client) => (await client.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'stories' AND table_schema = current_schema() AND column_name = 'search_words'",
    )).rows);
    expect(columns).toEqual([]);
  });

  it('tells the rebuild complete when another process indexed the last rows, even if this one indexed none', async () => {
    const url = await schema10Database(
      ['Amber tide', 'Basalt ridge', 'Cobalt vale'].map((title, i) => insertStory(`s-${i}`, title, Date.parse('2025-01-01T00:00:00Z') + i, null)),
    );
    const store = await openStoreAt(url, policy);
    const before = await store.latestChangeSeq();
    // Another process's slice: it holds the last story's row and has indexed it, not yet committed.
    await withClient(url, async (other) => {
      await other.query('BEGIN');
      await other.query("SELECT id FROM story_search WHERE id = 's-2' FOR UPDATE");
      await other.query("UPDATE story_search SET words = to_tsvector('simple', 'cobalt vale') WHERE id = 's-2'");
      // This process indexes the rest and still sees the held row unindexed.
      expect(await store.rebuildSearchIndex(50)).toEqual({ indexed: 2, remaining: 1 });
      await other.query('COMMIT');
    });
    expect(await store.rebuildSearchIndex(50)).toEqual({ indexed: 0, remaining: 0 });
    expect((await store.changesSince(before, 10)).changes.map((change) => change.categories)).toEqual([['all']]);
    // Told once: a later look at the complete index appends nothing.
    expect(await store.rebuildSearchIndex(50)).toEqual({ indexed: 0, remaining: 0 });
    expect((await store.changesSince(before, 10)).changes).toHaveLength(1);
  });

  it('follows its stories: new text, a corrected date, an earlier copy moving the story, a prune', async () => {
    const url = await freshPostgresUrl();
    const store = await openStoreAt(url, policy);
    // Around the start of a 30-day period, so a corrected date moves the story into the period before.
    const start = Math.ceil(T0 / PERIOD_MS) * PERIOD_MS;
    const t = (hours: number) => new Date(start + hours * HOUR);
    const later = article({ sourceKey: 'source:B', title: 'Harbour report', published: t(2), categories: [cat('news')], contentHtml: '<p>walrus sighting</p>' });
    await store.storeRun({ sourceKey: 'source:B', articles: [later, article({ sourceKey: 'source:B', title: 'Other story', published: t(30), categories: [cat('news')] })] });
    expect(await titles(store, 'walrus')).toEqual(['Harbour report']);
    // New text for the same item: the old words go, the new ones are found.
    const narwhal = { ...later, published: t(3), contentHtml: '<p>narwhal sighting</p>', summary: 'narwhal sighting' };
    await store.storeRun({ sourceKey: 'source:B', articles: [narwhal] });
    expect(await titles(store, 'narwhal')).toEqual(['Harbour report']);
    expect(await titles(store, 'walrus')).toEqual([]);
    expect(await outOfStep(url)).toBe(0);
    // The same text, its date corrected into the period before: the row's date and period follow.
    await store.storeRun({ sourceKey: 'source:B', articles: [{ ...narwhal, published: t(-1) }] });
    expect(await outOfStep(url)).toBe(0);
    expect(await titles(store, 'narwhal')).toEqual(['Harbour report']);
    // An earlier copy from another source: the story takes its date (and, on this backend, may take a new id).
    await store.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', title: 'Harbour report', published: t(-3), categories: [cat('news')] })] });
    expect(await outOfStep(url)).toBe(0);
    const found = (await store.searchStories('harbour report', 10)).stories;
    expect(found.map((story) => [story.title, story.published.toISOString()])).toEqual([['Harbour report', t(-3).toISOString()]]);
    // Pruned stories leave the index with them.
    expect((await store.pruneStories({ olderThan: t(20) })).pruned).toBe(1);
    expect(await titles(store, 'harbour')).toEqual([]);
    expect(await outOfStep(url)).toBe(0);
    expect(await withClient(url, async (client) => (await client.query('SELECT count(*)::int AS n FROM story_search')).rows)).toEqual([{ n: 1 }]);
  });
});
