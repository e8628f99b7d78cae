// categories on PostgreSQL: names, counts and last change, kept by the units of work as on SQLite.
import type { CategoryRef, CategorySummary } from '../../types.js';
import { toCategorySummary, type CategoryRow } from '../state-rows.js';
import type { UnitTables } from '../table-steps.js';
import type { Sql } from './pool.js';

export function createCategoriesTable(sql: Sql): UnitTables['categories'] {
  return {
    async discoverMany(refs: readonly CategoryRef[]): Promise<void> {
      // A name seen on an article never overrides a configured (declared) one; the first name seen wins.
      await sql.query(
        `INSERT INTO categories (slug, name) SELECT slug, name FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(slug, name, i)
         ORDER BY i ON CONFLICT (slug) DO NOTHING`,
        [refs.map((ref) => ref.slug), refs.map((ref) => ref.name)],
      );
    },
    async refresh(slugs: readonly string[], nowMs: number): Promise<void> {
      // Lock the rows first (in one order, against deadlocks): once another run's counts are committed,
      // the next statement's snapshot sees them, so concurrent runs never write a stale count.
      await sql.query('SELECT slug FROM categories WHERE slug = ANY($1::text[]) ORDER BY slug FOR UPDATE', [slugs]);
      await sql.query(
        `UPDATE categories c SET story_count = n.count, last_changed_ms = CASE WHEN n.count > 0 THEN $2::bigint END
         FROM (SELECT slug, CASE WHEN slug = 'all' THEN (SELECT count(*) FROM stories)
                 ELSE (SELECT count(*) FROM story_categories sc WHERE sc.slug = u.slug) END AS count
               FROM unnest($1::text[]) AS u(slug)) n
         WHERE c.slug = n.slug`,
        [slugs, nowMs],
      );
    },
  };
}

/** Reads and declarations outside storeRun. */
export function createCategoryQueries(sql: Sql) {
  return {
    /** Registers configured categories; returns the slugs that were new or renamed. */
    async declare(declared: readonly CategoryRef[]): Promise<string[]> {
      // One row per slug: the last declaration wins, as sequential upserts would.
      const refs = [...new Map(declared.map((ref) => [ref.slug, ref])).values()];
      const { rows } = await sql.query<{ slug: string }>(
        `INSERT INTO categories (slug, name) SELECT slug, name FROM unnest($1::text[], $2::text[]) AS u(slug, name)
         ON CONFLICT (slug) DO UPDATE SET name = excluded.name WHERE categories.name IS DISTINCT FROM excluded.name
         RETURNING slug`,
        [refs.map((ref) => ref.slug), refs.map((ref) => ref.name)],
      );
      return rows.map((row) => row.slug);
    },
    async list(): Promise<CategorySummary[]> {
      const { rows } = await sql.query<CategoryRow>("SELECT * FROM categories WHERE slug <> 'all' ORDER BY slug");
      return rows.map(toCategorySummary);
    },
    async get(slug: string): Promise<CategorySummary | null> {
      const { rows } = await sql.query<CategoryRow>('SELECT * FROM categories WHERE slug = $1', [slug]);
      return rows[0] ? toCategorySummary(rows[0]) : null;
    },
    async names(): Promise<Map<string, string>> {
      const { rows } = await sql.query<{ slug: string; name: string }>('SELECT slug, name FROM categories');
      return new Map(rows.map((row) => [row.slug, row.name]));
    },
  };
}
