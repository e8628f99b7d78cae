// copy-store sends each table in batches bounded by their text, not only by rows: 500 stories of 2 MB in one
// JSON parameter would be a 1 GB string, over V8's string limit and a small machine's memory.
import Database from 'better-sqlite3';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { batches } from '../../src/store/copy-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { FINANCE, article } from '../fixtures/publish/articles.js';
import { tempDir } from '../ops/harness.js';

it('cuts a table of big stories into batches of at most the given characters, every row copied once', async () => {
  const file = path.join(await tempDir('copy-batches'), 'big.db');
  const store = await openSqliteStore(file, createDedupPolicy(12 * 3_600_000));
  await store.declareCategories([FINANCE]);
  const body = `<p>${'x'.repeat(100_000)}</p>`;
  const titles = Array.from({ length: 10 }, (_, i) => `Big story ${i}`);
  await store.storeRun({
    sourceKey: 'source:Example',
    articles: titles.map((title, i) => article(title, `2025-01-0${1 + (i % 9)}T08:00:00Z`, [FINANCE], { contentHtml: body })),
  });
  await store.close();
  const db = new Database(file, { readonly: true });
  try {
    const sizes: number[] = [];
    const copied: string[] = [];
    for (const batch of batches(db, 'stories', 250_000)) {
      sizes.push(batch.length);
      copied.push(...batch.map((row) => String(row.title)));
    }
    // Each story holds its body (and summary text): two fit in 250,000 characters, three do not.
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    expect(copied.sort()).toEqual([...titles].sort());
  } finally {
    db.close();
  }
});
