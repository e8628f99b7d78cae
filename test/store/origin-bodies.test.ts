import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { migrate, migrations } from '../../src/store/sqlite/migrations.js';
import { HOUR, article, at } from '../fixtures/dedup/articles.js';

const policy = createDedupPolicy(12 * HOUR);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDb = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'origin-bodies-'));
  dirs.push(dir);
  return path.join(dir, 'store.db');
};

interface OriginBody { origin_id: string; content_html: string | null; text_length: number }
const bodies = (file: string): OriginBody[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT origin_id, content_html, text_length FROM origins ORDER BY origin_id').all() as OriginBody[];
  } finally {
    db.close();
  }
};

describe('one body per origin', () => {
  it('keeps no copy for an origin alone in its story, and every body of a merged story', async () => {
    const file = tempDb();
    const store = await openSqliteStore(file, policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [
      article({ sourceKey: 'source:A', originId: 'a1', title: 'Rates cut', published: at(0), contentHtml: '<p>short</p>' }),
      article({ sourceKey: 'source:A', originId: 'a2', title: 'Alone', published: at(0), contentHtml: '<p>alone body</p>' }),
    ] });
    expect(bodies(file)).toEqual([
      { origin_id: 'a1', content_html: null, text_length: 5 },
      { origin_id: 'a2', content_html: null, text_length: 10 },
    ]);

    // A second origin joins a1's story: both bodies are kept, the fuller one is published.
    await store.storeRun({ sourceKey: 'source:B', articles: [
      article({ sourceKey: 'source:B', originId: 'b1', title: 'Rates cut!', published: at(1), contentHtml: '<p>the fuller body</p>' }),
    ] });
    expect(bodies(file).map((row) => [row.origin_id, row.content_html])).toEqual([
      ['a1', '<p>short</p>'], ['a2', null], ['b1', '<p>the fuller body</p>'],
    ]);
    let story = (await store.listCategoryStories('all', 10)).find((s) => s.title.startsWith('Rates'))!;
    expect(story.contentHtml).toBe('<p>the fuller body</p>');

    // The fuller origin is retitled away: a1 is alone again, its own body back on its story, no copy kept.
    await store.storeRun({ sourceKey: 'source:B', articles: [
      article({ sourceKey: 'source:B', originId: 'b1', title: 'Something else', published: at(1), contentHtml: '<p>the fuller body</p>' }),
    ] });
    expect(bodies(file).map((row) => [row.origin_id, row.content_html])).toEqual([['a1', null], ['a2', null], ['b1', null]]);
    story = (await store.listCategoryStories('all', 10)).find((s) => s.title === 'Rates cut')!;
    expect(story.contentHtml).toBe('<p>short</p>');
    await store.close();
  });

  it('an origin updated in place keeps its new body when its story merges again', async () => {
    const store = await openSqliteStore(':memory:', policy);
    await store.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', originId: 'a1', title: 'T', published: at(0), contentHtml: '<p>one</p>' })] });
    await store.storeRun({ sourceKey: 'source:A', articles: [article({ sourceKey: 'source:A', originId: 'a1', title: 'T', published: at(0), contentHtml: '<p>one, longer now</p>' })] });
    await store.storeRun({ sourceKey: 'source:B', articles: [article({ sourceKey: 'source:B', originId: 'b1', title: 'T', published: at(2), contentHtml: '<p>two</p>' })] });
    const [story] = await store.listCategoryStories('all', 10);
    expect(story!.contentHtml).toBe('<p>one, longer now</p>');
    await store.close();
  });

  it('migration 7 drops the copies of origins alone in their story and measures every text', async () => {
    const file = tempDb();
    const old = new Database(file);
    // A database at schema 6 with a merged story (two origins) and a story of its own.
    old.function('html_text', (html: unknown) => String(html));
    for (const sql of migrations.slice(0, 6)) old.exec(sql);
    old.pragma('user_version = 6');
    const insertOrigin = old.prepare(`INSERT INTO origins (source_key, origin_id, title_key, title, published_ms, categories_json,
      content_html, summary, content_hash, story_id, first_seen_ms) VALUES (?, ?, ?, ?, 0, '[]', ?, '', 'h', ?, 0)`);
    insertOrigin.run('source:A', 'a1', 'k', 'K', '<p>ab</p>', 's1');
    insertOrigin.run('source:B', 'b1', 'k', 'K', '<p>abcd</p>', 's1');
    insertOrigin.run('source:A', 'a2', 'm', 'M', '<p>alone</p>', 's2');
    old.close();

    const db = new Database(file);
    migrate(db);
    expect(db.prepare('SELECT origin_id, content_html, text_length FROM origins ORDER BY origin_id').all()).toEqual([
      { origin_id: 'a1', content_html: '<p>ab</p>', text_length: 2 },
      { origin_id: 'a2', content_html: null, text_length: 5 },
      { origin_id: 'b1', content_html: '<p>abcd</p>', text_length: 4 },
    ]);
    db.close();
  });
});
