// categories: names for slugs, and each category's story count and last change, kept up to date by
// storeRun so listing categories costs one small table read instead of a join over every story.
import type Database from 'better-sqlite3';
import type { CategoryRef, CategorySummary } from '../../types.js';
import { toCategorySummary, type CategoryRow } from '../state-rows.js';

export function createCategoriesTable(db: Database.Database) {
  const declare = db.prepare<[string, string]>(
    'INSERT INTO categories (slug, name) VALUES (?, ?) ON CONFLICT (slug) DO UPDATE SET name = excluded.name WHERE name <> excluded.name',
  );
  // A name seen on an article never overrides a configured (declared) one.
  const discover = db.prepare<[string, string]>('INSERT OR IGNORE INTO categories (slug, name) VALUES (?, ?)');
  const setStats = db.prepare<[number, number | null, string]>(
    'UPDATE categories SET story_count = ?, last_changed_ms = ? WHERE slug = ?',
  );
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM stories');
  const countInCategory = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM story_categories WHERE slug = ?');
  const all = db.prepare<[], CategoryRow>("SELECT * FROM categories WHERE slug <> 'all' ORDER BY slug");
  const one = db.prepare<[string], CategoryRow>('SELECT * FROM categories WHERE slug = ?');
  const names = db.prepare<[], Pick<CategoryRow, 'slug' | 'name'>>('SELECT slug, name FROM categories');

  return {
    /** True when the category is new or its name changed (what is published changed). */
    declare(ref: CategoryRef): boolean {
      return declare.run(ref.slug, ref.name).changes > 0;
    },
    discoverMany(refs: readonly CategoryRef[]): void {
      for (const ref of refs) discover.run(ref.slug, ref.name);
    },
    /** Records a change: the new count, and the change time (null once the category is empty). */
    refresh(slugs: readonly string[], atMs: number): void {
      for (const slug of slugs) {
        const count = (slug === 'all' ? countAll.get() : countInCategory.get(slug))?.n ?? 0;
        setStats.run(count, count > 0 ? atMs : null, slug);
      }
    },
    list(): CategorySummary[] {
      return all.all().map(toCategorySummary);
    },
    get(slug: string): CategorySummary | null {
      const row = one.get(slug);
      return row ? toCategorySummary(row) : null;
    },
    names(): Map<string, string> {
      return new Map(names.all().map((row) => [row.slug, row.name]));
    },
  };
}

export type CategoriesTable = ReturnType<typeof createCategoriesTable>;
