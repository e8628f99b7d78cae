import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { listingSql } from '../../src/store/sqlite/stories-table.js';

// Feed pages are read on every request: they must come straight off an index, whatever the table size.
function plan(sql: string, ...params: unknown[]): string {
  const db = new Database(':memory:');
  migrate(db);
  const detail = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((row) => (row as { detail: string }).detail).join(' | ');
  db.close();
  return detail;
}

describe('listing query plans', () => {
  it('reads "all" through the publication index without sorting', () => {
    const detail = plan(listingSql.all, 10);
    expect(detail).toMatch(/USING (COVERING )?INDEX stories_by_published/);
    expect(detail).not.toMatch(/TEMP B-TREE|SCAN stories(?! USING)/);
  });

  it('reads one category through its slug index without sorting', () => {
    const detail = plan(listingSql.category, 'finance', 10);
    expect(detail).toMatch(/SEARCH sc USING (COVERING )?INDEX story_categories_by_slug \(slug=\?\)/);
    expect(detail).toMatch(/SEARCH s USING INDEX sqlite_autoindex_stories_1 \(id=\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });
});
