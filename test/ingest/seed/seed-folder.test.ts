import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArticleFile, readCandidateText, scanSeedFolder } from '../../../src/ingest/seed/seed-folder.js';
import type { SeedFileRecord } from '../../../src/store/store.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'seed-scan-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(relPath: string, text: string | Buffer): Promise<string> {
  const abs = path.join(root, ...relPath.split('/'));
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, text);
  return abs;
}

/** Records as the store would keep them after a first scan. */
async function firstScanRecords(): Promise<Map<string, SeedFileRecord>> {
  const scan = await scanSeedFolder(root, new Map());
  return new Map(scan.candidates.map((c) => [c.relPath, { relPath: c.relPath, size: c.size, mtimeMs: c.mtimeMs, hash: c.hash, error: null }]));
}

describe('isArticleFile', () => {
  it('accepts .md .markdown .txt .html .htm in any case, nothing else', () => {
    for (const name of ['a.md', 'B.MD', 'c.markdown', 'd.txt', 'e.html', 'f.HTM']) expect(isArticleFile(name), name).toBe(true);
    for (const name of ['a.png', '.DS_Store', '.hidden.md', 'notes', 'a.md.bak']) expect(isArticleFile(name), name).toBe(false);
  });
});

describe('scanSeedFolder', () => {
  it('finds articles recursively with odd names, skips other files quietly', async () => {
    await put('金融/新浪财经/a story.md', '---\ntitle: a\n---\n');
    await put('金融/100% sure.TXT', 'x');
    await put('fun/🎉 party.markdown', 'x');
    await put(`quotes/"""'q'""".html`, 'x');
    await put('金融/cover.png', Buffer.from([0x89, 0x50]));
    await put('.DS_Store', 'x');
    await put('金融/.hidden.md', 'x');
    await put('notes', 'x');
    // Decomposed (NFD) file name: the relPath is NFC.
    await put('cafe\u0301.md', 'x');

    const scan = await scanSeedFolder(root, new Map());
    expect(scan.candidates.map((c) => c.relPath)).toEqual(
      [`quotes/"""'q'""".html`, 'café.md', 'fun/🎉 party.markdown', '金融/100% sure.TXT', '金融/新浪财经/a story.md'].sort(),
    );
    expect(scan.skipped).toBe(4);
    expect(scan.seen).toBe(5);
    expect(scan.unchanged).toBe(0);
    expect(scan.unreadable).toEqual([]);
    const story = scan.candidates.find((c) => c.relPath.endsWith('a story.md'));
    expect(story?.text).toBe('---\ntitle: a\n---\n');
    expect(story?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(story?.absPath).toBe(path.join(root, '金融', '新浪财经', 'a story.md'));
  });

  it('does not read unchanged files, re-reads changed ones, reports touched and missing ones', async () => {
    await put('same.md', 'same');
    const changed = await put('changed.md', 'before');
    const touched = await put('touched.md', 'identical');
    await put('gone.md', 'bye');
    const known = await firstScanRecords();
    known.set('touched.md', { ...known.get('touched.md')!, error: 'no recoverable title' });

    await writeFile(changed, 'after, longer');
    const later = new Date(Date.now() + 60_000);
    await utimes(touched, later, later);
    await rm(path.join(root, 'gone.md'));
    await put('new.md', 'new');

    const scan = await scanSeedFolder(root, known);
    expect(scan.candidates.map((c) => c.relPath)).toEqual(['changed.md', 'new.md']);
    expect(scan.candidates[0]?.text).toBe('after, longer');
    expect(scan.candidates[0]?.hash).not.toBe(known.get('changed.md')?.hash);
    expect(scan.unchanged).toBe(1);
    expect(scan.touched).toEqual([
      { relPath: 'touched.md', size: 9, mtimeMs: (await stat(touched)).mtimeMs, hash: known.get('touched.md')?.hash, error: 'no recoverable title' },
    ]);
    expect(scan.missing).toEqual(['gone.md']);
    expect(scan.seen).toBe(4);
  });

  it('skips dangling and looping links, naming them, and goes on', async () => {
    await put('good.md', 'ok');
    await symlink(path.join(root, 'nowhere.md'), path.join(root, 'dangling.md'));
    await symlink('loop.md', path.join(root, 'loop.md'));
    const scan = await scanSeedFolder(root, new Map(), { followSymlinks: true });
    expect(scan.candidates.map((c) => c.relPath)).toEqual(['good.md']);
    expect(scan.symlinks.map((l) => [l.relPath, l.followed])).toEqual([['dangling.md', false], ['loop.md', false]]);
    expect(scan.symlinks[0]?.target).toMatch(/ENOENT/);
    expect(scan.symlinks[1]?.target).toMatch(/ELOOP/);
  });

  it('records files above the size cap as rejected instead of reading them', async () => {
    await put('big.md', 'x'.repeat(2000));
    const scan = await scanSeedFolder(root, new Map(), { maxBytes: 1000 });
    expect(scan.candidates).toEqual([]);
    expect(scan.tooLarge).toEqual([{ relPath: 'big.md', size: 2000, mtimeMs: expect.any(Number), hash: '', error: 'file too large (2000 bytes; seedFolder.maxFileBytes is 1000)' }]);
    // Recorded with its error, the unchanged file is not looked at again, but still named.
    const again = await scanSeedFolder(root, new Map([['big.md', scan.tooLarge[0]!]]), { maxBytes: 1000 });
    expect(again.tooLarge).toEqual([]);
    expect(again.unchanged).toBe(1);
    expect(again.stillRejected).toEqual([{ relPath: 'big.md', error: 'file too large (2000 bytes; seedFolder.maxFileBytes is 1000)' }]);
    // Once it changes (here: fits a larger cap after an edit), it is read again.
    await put('big.md', 'y'.repeat(900));
    const changed = await scanSeedFolder(root, new Map([['big.md', scan.tooLarge[0]!]]), { maxBytes: 1000 });
    expect(changed.candidates.map((c) => c.relPath)).toEqual(['big.md']);
  });

  it('decodes UTF-8 (dropping a BOM) and falls back to GB18030', async () => {
    await put('bom.md', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('---\ntitle: 金融\n')]));
    await put('gbk.md', Buffer.from([0xbd, 0xf0, 0xc8, 0xda])); // 金融 in GBK
    const scan = await scanSeedFolder(root, new Map());
    expect(scan.candidates.map((c) => c.text)).toEqual(['---\ntitle: 金融\n', '金融']);
  });

  it('calls the progress callback, ending with done = total', async () => {
    for (let i = 0; i < 300; i++) await put(`many/${i}.md`, `n${i}`);
    const calls: [number, number][] = [];
    await scanSeedFolder(root, new Map(), { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[256, 300], [300, 300]]);
  });

  it('throws an error naming a missing root', async () => {
    const missing = path.join(root, 'no-such-folder');
    await expect(scanSeedFolder(missing, new Map())).rejects.toThrow(missing);
    const file = await put('plain.md', 'x');
    await expect(scanSeedFolder(file, new Map())).rejects.toThrow(/not a directory/);
  });

  it('rescans unchanged files without reading them', async () => {
    const known = new Map<string, SeedFileRecord>();
    for (let d = 0; d < 40; d++) {
      mkdirSync(path.join(root, `d${d}`));
      for (let i = 0; i < 50; i++) {
        const rel = `d${d}/${i}.md`;
        const abs = path.join(root, rel);
        writeFileSync(abs, 'x');
        const info = statSync(abs);
        // A hash no file has: had any file been read, it would come back as a candidate.
        known.set(rel, { relPath: rel, size: info.size, mtimeMs: info.mtimeMs, hash: 'never-read', error: null });
      }
    }
    // How fast this is, is `npm run bench`'s business (rescan row); here: not one file is read.
    const scan = await scanSeedFolder(root, known);
    expect(scan.unchanged).toBe(2_000);
    expect(scan.candidates).toEqual([]);
    expect(scan.touched).toEqual([]);
  }, 60_000);
});

describe('scanSeedFolder with keepText: false', () => {
  it('keeps no text, and readCandidateText reads it later (the bytes read then win)', async () => {
    await put('a.md', '---\ntitle: 甲\n---\n');
    const abs = await put('b.md', 'before');
    const known = new Map([['b.md', { relPath: 'b.md', size: 1, mtimeMs: 0, hash: 'older', error: null }]]);
    const scan = await scanSeedFolder(root, known, { keepText: false });
    expect(scan.candidates.map((c) => c.text)).toEqual([null, null]);
    // A new file is not read by the scan (it is read and hashed once, later); a known one is, for its hash.
    expect(scan.candidates.map((c) => c.hash)).toEqual(['', createHash('sha256').update('before').digest('hex')]);
    const a = await readCandidateText(scan.candidates[0]!);
    expect(a).toMatchObject({ text: '---\ntitle: 甲\n---\n', size: 19, hash: createHash('sha256').update('---\ntitle: 甲\n---\n').digest('hex') });
    await writeFile(abs, 'after, longer');
    const b = await readCandidateText(scan.candidates[1]!);
    expect(b.text).toBe('after, longer');
    expect(b.size).toBe(13);
    expect(b.hash).not.toBe(scan.candidates[1]!.hash);
  });

  it('refuses a file swapped for a symlink or a FIFO since the scan, without following it or waiting for a writer', async () => {
    await put('a.md', '---\ntitle: 甲\n---\n');
    await put('b.md', '---\ntitle: 乙\n---\n');
    await put('secret.txt', 'not in the folder');
    const scan = await scanSeedFolder(root, new Map(), { keepText: false });
    await rm(path.join(root, 'a.md'));
    await symlink(path.join(root, 'secret.txt'), path.join(root, 'a.md'));
    await rm(path.join(root, 'b.md'));
    execFileSync('mkfifo', [path.join(root, 'b.md')]);
    const [a, b] = scan.candidates.filter((c) => c.relPath !== 'secret.txt');
    await expect(readCandidateText(a!)).rejects.toThrow(/ELOOP/);
    await expect(readCandidateText(b!)).rejects.toThrow('not a regular file');
  });
});

describe('the sample folder storage/seed', () => {
  it('scans and parses every sample, and holds one story twice, 8 h apart', async () => {
    const { parseSeedFile } = await import('../../../src/ingest/seed/parse-seed-file.js');
    const sampleRoot = new URL('../../../storage/seed', import.meta.url).pathname;
    const scan = await scanSeedFolder(sampleRoot, new Map());
    expect(scan.candidates.length).toBeGreaterThanOrEqual(5);
    expect(scan.unreadable).toEqual([]);
    const parsed = scan.candidates.map((c) =>
      parseSeedFile(c.text!, { relPath: c.relPath, mtime: new Date(c.mtimeMs), timezone: 'Asia/Shanghai' }),
    );
    const key = (title: string): string => title.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
    const dcep = parsed.filter((p) => key(p.item.title ?? '') === key('数字人民币试点再扩容深圳先行'));
    expect(dcep).toHaveLength(2);
    const times = dcep.map((p) => (p.item.published as Date).getTime());
    expect(Math.abs((times[0] ?? 0) - (times[1] ?? 0))).toBe(8 * 3600_000);
    expect(parsed.filter((p) => p.dateFromMtime)).toHaveLength(1);
    const categories = new Set(parsed.flatMap((p) => p.item.categories ?? []));
    for (const name of ['金融', '新浪财经－国內', '科技', 'Tech', '免费游戏', 'Webtoons - Lantern']) expect(categories).toContain(name);
  });
});

// Issue 15 finding 2: the scan stays inside its folder.
describe('symlinks in the seed folder', () => {
  let outside: string;
  beforeEach(async () => {
    outside = await mkdtemp(path.join(tmpdir(), 'seed-outside-'));
    await writeFile(path.join(outside, 'secret.md'), '---\ntitle: Secret\n---\nnot for publishing\n');
  });
  afterEach(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  it('skips every symlink by default, naming it and its target', async () => {
    await put('real.md', '---\ntitle: Real\n---\n');
    await symlink(path.join(outside, 'secret.md'), path.join(root, 'x.md'));
    await symlink('/proc/self/environ', path.join(root, 'env.md'));
    await symlink(path.join(root, 'real.md'), path.join(root, 'alias.md'));
    const scan = await scanSeedFolder(root, new Map());
    expect(scan.candidates.map((c) => c.relPath)).toEqual(['real.md']);
    expect(scan.symlinks.map((l) => l.relPath)).toEqual(['alias.md', 'env.md', 'x.md']);
    expect(scan.symlinks.every((l) => !l.followed)).toBe(true);
    expect(scan.symlinks.find((l) => l.relPath === 'x.md')?.target).toBe(path.join(outside, 'secret.md'));
    expect(scan.unreadable).toEqual([]);
  });

  it('with followSymlinks, follows only links whose real path is inside the folder', async () => {
    await put('sub/real.md', '---\ntitle: Real\n---\n');
    await symlink(path.join(root, 'sub', 'real.md'), path.join(root, 'alias.md'));
    await symlink(path.join(outside, 'secret.md'), path.join(root, 'x.md'));
    // A link inside the folder to a link leading out is judged by where it finally leads.
    await symlink(path.join(root, 'x.md'), path.join(root, 'y.md'));
    const scan = await scanSeedFolder(root, new Map(), { followSymlinks: true });
    expect(scan.candidates.map((c) => c.relPath)).toEqual(['alias.md', 'sub/real.md']);
    expect(scan.candidates[0]?.text).toContain('title: Real');
    expect(scan.symlinks.map((l) => [l.relPath, l.followed])).toEqual([['alias.md', true], ['x.md', false], ['y.md', false]]);
    expect(JSON.stringify(scan)).not.toContain('not for publishing');
  });
});
