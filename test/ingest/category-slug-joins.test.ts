// A category met at run time whose name differs from a configured one only by what a slug drops (`finance!` and
// `Finance`) joins it: one category, as a user wants. The log says so once per name, naming both.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFromFile, tempDir } from '../ops/harness.js';

describe('a run-time category with a configured category\'s slug', () => {
  it('joins it, and the log names both once', async () => {
    const dir = await tempDir('slug-joins');
    const seed = path.join(dir, 'seed');
    await mkdir(seed);
    for (const name of ['a', 'b']) {
      await writeFile(path.join(seed, `${name}.md`), `---\ntitle: Rates ${name}\ncategories: ['finance!', Markets]\ndate: 2022-04-27 10:00\n---\n<p>${name}</p>\n`);
    }
    const { service, base, lines } = await startFromFile(dir, { categories: [{ name: 'Finance' }], seedFolder: { path: seed }, sources: [] });
    try {
      await service.firstIngest;
      const joins = lines.filter((line) => line.msg.startsWith('category "'));
      expect(joins.map(({ category, joins: into, slug, msg }) => ({ category, into, slug, msg }))).toEqual([
        { category: 'finance!', into: 'Finance', slug: 'finance', msg: 'category "finance!" joins "Finance" (same slug finance); add it to that category\'s aliases to say so' },
      ]);
      const feed = (await (await fetch(`${base}/feeds/finance.json`)).json()) as { title: string; items: unknown[] };
      expect(feed.items).toHaveLength(2);
    } finally {
      await service.stop();
    }
  });
});
