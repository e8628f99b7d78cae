import { describe, expect, it } from 'vitest';
import { createSeedWorkerPool, prepareSeedFiles, type SeedTextFile } from '../../../src/ingest/seed/seed-workers.js';

const config = { timezone: 'Asia/Shanghai', rules: { remove: ['.ad'], dropText: [], stripAttributes: [], builtin: true } };

function files(count: number): SeedTextFile[] {
  const out: SeedTextFile[] = [];
  for (let i = 0; i < count; i++) {
    const relPath = `news/${String(i).padStart(4, '0')}.md`;
    // Every seventh file has no title and no text: rejected by name.
    const text =
      i % 7 === 3
        ? '---\ncomments: false\n---\n'
        : `---\ntitle: 'Story ${i}'\ncategories:\n - 金融\n - Tech ${i % 3}\n${i % 2 ? 'date: 2022-04-27 08:30:00\n' : ''}---\n<p>Body ${i}<span class="ad">buy now</span><script>x()</script></p>\n`;
    out.push({ relPath, text, mtimeMs: Date.UTC(2022, 0, 1) + i * 60_000 });
  }
  return out;
}

describe('seed worker pool', () => {
  it('returns, in input order, exactly what the main thread computes, with Dates intact', async () => {
    const input = files(230);
    const pool = createSeedWorkerPool(config, { size: 2 });
    try {
      const fromWorkers = await pool.prepare(input);
      const local = prepareSeedFiles(input, config);
      expect(fromWorkers).toEqual(local);
      expect(fromWorkers.map((r) => r.relPath)).toEqual(input.map((f) => f.relPath));
      const first = fromWorkers[0]!;
      expect(first.article?.published).toBeInstanceOf(Date);
      expect(first.article?.contentHtml).not.toMatch(/buy now|script/);
      expect(first.article?.categories).toEqual([]);
      expect(first.article && first.itemCategories).toEqual(['金融', 'Tech 0']);
      const rejected = fromWorkers.filter((r) => r.error !== undefined);
      expect(rejected.map((r) => r.relPath)).toEqual(input.filter((_, i) => i % 7 === 3).map((f) => f.relPath));
      expect(rejected[0]!.error).toMatch(/news\/0003\.md|title/);
      // Two batches in flight at once, as the pipelined import does.
      const [a, b] = await Promise.all([pool.prepare(input.slice(0, 120)), pool.prepare(input.slice(120))]);
      expect([...a, ...b]).toEqual(local);
    } finally {
      await pool.close();
    }
  });

  it('records a rejected file\'s error without its name, which every listing of it adds', () => {
    const [rejected] = prepareSeedFiles([{ relPath: 'notes/untitled.md', text: '---\ndate: 2026-12-04\n---\n', mtimeMs: 0 }], config);
    // Listed as `notes/untitled.md: no recoverable title …`, not `notes/untitled.md: notes/untitled.md: …`.
    expect(rejected).toEqual({ relPath: 'notes/untitled.md', error: 'no recoverable title in front matter, nor a # heading or <h1> in the body' });
  });

  it('rejects with a clear error when a worker crashes', async () => {
    // A heap far too small to even load the parser: the worker dies.
    const pool = createSeedWorkerPool(config, { size: 1, resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 } });
    try {
      await expect(pool.prepare(files(20))).rejects.toThrow(/seed worker 0 (crashed|exited)/);
      // The pool stays failed rather than hanging.
      await expect(pool.prepare(files(2))).rejects.toThrow(/seed worker 0/);
    } finally {
      await pool.close();
    }
  });

  it('rejects work after close', async () => {
    const pool = createSeedWorkerPool(config, { size: 1 });
    await pool.close();
    await expect(pool.prepare(files(1))).rejects.toThrow(/closed/);
  });
});
