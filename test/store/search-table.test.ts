// The search index follows the stories table (insert, update, merge) and a database migrated from
// before search is indexed on upgrade.
import Database from 'better-sqlite3';
import { describe, it, expect } from 'vitest';
import { migrate, migrations } from '../../src/store/sqlite/migrations.js';
import { htmlText } from '../../src/store/sqlite/search-table.js';
import { FINANCE, article, openTestStore } from '../fixtures/publish/articles.js';
import { BACKENDS, freshDatabase } from '../support/store-backends.js';

describe.each(BACKENDS)('story search on %s', (backend) => {
    it('follows edits of a story and matches body text, not markup', async () => {
      const { store } = await openTestStore(undefined, await freshDatabase(backend));
      await store.storeRun({ sourceKey: 'source:A', articles: [article('港口升级', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<div class="x">绿色金融 <b>力量</b></div>' })] });
      expect((await store.searchStories('绿色金融', 10)).total).toBe(1);
      expect((await store.searchStories('div', 10)).total).toBe(0);
      expect((await store.searchStories('class', 10)).total).toBe(0);
      await store.storeRun({ sourceKey: 'source:A', articles: [article('港口升级', '2024-12-01T00:00:00Z', [FINANCE], { contentHtml: '<p>蓝色经济</p>' })] });
      expect((await store.searchStories('绿色金融', 10)).total).toBe(0);
      const found = await store.searchStories('蓝色', 10);
      expect(found.stories.map((s) => s.title)).toEqual(['港口升级']);
      expect(found.lastChanged).toEqual(new Date('2025-01-01T00:00:00Z'));
    });

    it('lists a category oldest first by offset', async () => {
      const { store } = await openTestStore(undefined, await freshDatabase(backend));
      await store.storeRun({
        sourceKey: 'source:A',
        articles: ['c', 'a', 'b'].map((t, i) => article(`Story ${t}`, `2024-12-0${[3, 1, 2][i]}T00:00:00Z`, [FINANCE])),
      });
      expect((await store.listCategoryPage(FINANCE.slug, 0, 2)).map((s) => s.title)).toEqual(['Story a', 'Story b']);
      expect((await store.listCategoryPage('all', 2, 2)).map((s) => s.title)).toEqual(['Story c']);
    });
});

describe('story search on sqlite', () => {
  it('indexes the stories of a database created before search existed', () => {
    const db = new Database(':memory:');
    db.exec(migrations[0]!);
    db.pragma('user_version = 1');
    db.prepare(`INSERT INTO stories (id, title_key, published_ms, updated_ms, title, links_json, categories_json, content_html, summary, content_hash, row_hash)
      VALUES ('s1', 'k', 0, 0, 'Old title', '[]', '[]', '<p>深圳 &amp; 香港</p>', '', '', '')`).run();
    migrate(db);
    expect(db.prepare("SELECT rowid FROM story_search WHERE story_search MATCH '\"深圳 & 香港\"'").all()).toHaveLength(1);
    expect(htmlText('<p>a&nbsp;b &#x6DF1;&#22323;</p><style>x{}</style>')).toBe('a b 深圳');
  });
});
