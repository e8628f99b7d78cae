// A seed file dated in the future (a typo'd year) is published as first seen, and the seed scan says so where
// the user looks, as it does for a feed item: the log, the index page and /api/sources name the file.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFromFile, tempDir } from '../../ops/harness.js';

describe('the seed scan and a file dated in the future', () => {
  it('names the file with its stated date in the log, on / and in /api/sources', async () => {
    const dir = await tempDir('future-seed');
    const seed = path.join(dir, 'seed');
    await mkdir(seed);
    await writeFile(path.join(seed, 'typo.md'), '---\ntitle: Quarterly report\ndate: 2031-03-01 09:00\n---\n<p>Results.</p>\n');
    await writeFile(path.join(seed, 'fine.md'), '---\ntitle: Ordinary news\ndate: 2022-04-27 10:00\n---\n<p>News.</p>\n');
    const { service, base, lines } = await startFromFile(dir, { seedFolder: { path: seed }, sources: [] });
    try {
      await service.firstIngest;
      const warned = lines.filter((line) => line.msg === 'seed file recovered');
      expect(warned.map((line) => line.file)).toEqual(['typo.md']);
      expect(String(warned[0]!.warning)).toMatch(/^dated 2031-03-01T09:00:00\.000Z, after it was received \(20\d\d-.*\): published as first seen$/);

      const sources = (await (await fetch(`${base}/api/sources`)).json()) as { name: string; seedFiles?: { recovered: number; recoveredFiles: { relPath: string; warning: string }[] } }[];
      const seedFolder = sources.find((source) => source.name === 'seed folder')!;
      expect(seedFolder.seedFiles?.recovered).toBe(1);
      expect(seedFolder.seedFiles?.recoveredFiles.map((file) => file.relPath)).toEqual(['typo.md']);
      expect(seedFolder.seedFiles?.recoveredFiles[0]!.warning).toContain('dated 2031-03-01T09:00:00.000Z');

      const page = await (await fetch(`${base}/`)).text();
      expect(page).toContain('<code>typo.md</code>: dated 2031-03-01T09:00:00.000Z, after it was received');
    } finally {
      await service.stop();
    }
  });
});
