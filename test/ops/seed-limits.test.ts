// Issue 15 findings 2 and 3 through the real command: `npm run ingest` (the built CLI under the
// package's heap flags) over a folder holding a 15 MiB seed file and symlinks leading out of it.
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { tempDir, writeConfig } from './harness.js';
import { buildOnce } from '../support/build-once.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

let dir: string;
let configFile: string;

async function ingest(): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'ingest', '--', '--config', configFile], { cwd: repo, env: { ...process.env, LOG_FORMAT: 'json' }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  await buildOnce();
  dir = await tempDir('seed-limits');
  const seed = path.join(dir, 'seed');
  await mkdir(path.join(dir, 'elsewhere'), { recursive: true });
  await mkdir(seed);
  await writeFile(path.join(dir, 'elsewhere', 'secret.md'), '---\ntitle: Secret outside\n---\n<p>private words</p>\n');
  await writeFile(path.join(seed, 'ok.md'), '---\ntitle: A normal story\n---\n<p>Body.</p>\n');
  // 15 MiB of HTML paragraphs: what crashed the ingest (exit 134) on every scan.
  const paragraph = '<p>金融科技力量 深圳速度 '.padEnd(200, 'x') + '</p>\n';
  await writeFile(path.join(seed, 'big.md'), `---\ntitle: A huge story\n---\n${paragraph.repeat(Math.ceil((15 * 1024 * 1024) / Buffer.byteLength(paragraph)))}`);
  await symlink(path.join(dir, 'elsewhere', 'secret.md'), path.join(seed, 'x.md'));
  await symlink('/proc/self/environ', path.join(seed, 'env.md'));
  configFile = path.join(dir, 'aggregator.yaml');
  await writeConfig(configFile, { storage: { database: path.join(dir, 'aggregator.db') }, seedFolder: { path: seed }, sources: [], log: { level: 'warn' } });
}, 180_000);

describe('npm run ingest over a hostile seed folder', () => {
  it('rejects the 15 MiB file by name without reading it, skips the symlinks, and exits 0; the next scan does not retry it', { timeout: 120_000 }, async () => {
    const first = await ingest();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('big.md: file too large (');
    expect(first.stdout).toContain('symlink skipped: x.md -> ');
    expect(first.stdout).toContain('symlink skipped: env.md -> /proc/');
    expect(first.stdout).toMatch(/2 files seen, 1 read/);
    // Logs are JSON lines on stdout, between the summary lines.
    const warnings = first.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; file?: string });
    expect(warnings.filter((w) => w.msg.startsWith('seed symlink skipped')).map((w) => w.file).sort()).toEqual(['env.md', 'x.md']);

    const second = await ingest();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/2 files seen, 0 read, 2 unchanged/);
    expect(second.stdout).toContain('still rejected (unchanged since): 1 files, first big.md: file too large');

    const store = await openSqliteStore(path.join(dir, 'aggregator.db'), createDedupPolicy(0));
    try {
      const titles = (await store.listCategoryStories('all', 10)).map((s) => s.title);
      expect(titles).toEqual(['A normal story']);
      // Named where the user looks: the seed folder's row on the index page and /api/sources.
      expect((await store.getSourceState('seed folder'))?.lastError).toMatch(/^1 file rejected; first: big\.md: file too large/);
    } finally {
      await store.close();
    }
  });
});
