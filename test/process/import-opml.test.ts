// `npm run import-opml` as a user runs it: a real child process over real files. The dry run prints the
// YAML and writes nothing; the import writes only what validates; a broken OPML is named with its position.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../ops/harness.js';
import { runCli } from './process-harness.js';

const FIXTURES = path.resolve('test/fixtures/opml');
let dir: string;
beforeAll(async () => {
  dir = await tempDir('import-opml');
});

async function freshConfig(name: string): Promise<{ file: string; original: string }> {
  const file = path.join(dir, name);
  await copyFile(path.join(FIXTURES, 'aggregator.yaml'), file);
  return { file, original: await readFile(file, 'utf8') };
}

describe('import-opml', () => {
  it('--dry-run prints the YAML it would write (report on stderr) and leaves the file alone', async () => {
    const { file, original } = await freshConfig('dry.yaml');
    const run = await runCli(['import-opml', path.join(FIXTURES, 'inoreader.opml'), '--config', file, '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(original)).toBe(true);
    expect(run.stdout.slice(original.length)).toContain('  # imported from inoreader.opml\n  - name: Reuters Business\n');
    expect(run.stderr).toContain('inoreader.opml: 2 sources to add, 1 skipped');
    expect(run.stderr).toContain('skipped  BBC News - Technology <https://feeds.bbci.co.uk/news/technology/rss.xml>: already configured as "BBC Technology"');
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('writes the sources, keeps every original line, and the result passes check-config', async () => {
    const { file, original } = await freshConfig('real.yaml');
    const run = await runCli(['import-opml', path.join(FIXTURES, 'freshrss.opml'), '--config', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('freshrss.opml: 3 sources to add, 0 skipped');
    expect(run.stdout).toContain('added    Ars Technica & friends <https://feeds.arstechnica.com/arstechnica/index?format=xml&tag=all> categories: Tech');
    expect(run.stdout).toContain(`${file}: written (3 sources added; valid)`);
    const written = await readFile(file, 'utf8');
    expect(written.startsWith(original)).toBe(true);
    const check = await runCli(['check-config', '--config', file]);
    expect(check.stdout).toContain(`${file}: valid (5 sources)`);
    // A second import of the same file adds nothing and writes nothing.
    const again = await runCli(['import-opml', path.join(FIXTURES, 'freshrss.opml'), '--config', file]);
    expect(again.stdout).toContain('freshrss.opml: 0 sources to add, 3 skipped');
    expect(again.stdout).toContain(`${file}: nothing to add; unchanged`);
    expect(await readFile(file, 'utf8')).toBe(written);
  });

  it('names a broken OPML file with line and column, exit 1, config untouched', async () => {
    const { file, original } = await freshConfig('broken.yaml');
    const opml = path.join(FIXTURES, 'broken.opml');
    const run = await runCli(['import-opml', opml, '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${opml}: not well-formed XML: line 7, column 9: Unexpected close tag`);
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('writes nothing when the result would not validate (exit 2, every problem listed)', async () => {
    const file = path.join(dir, 'invalid.yaml');
    const invalid = '# already broken\nschedule: nope\nsources: []\n';
    await writeFile(file, invalid);
    const run = await runCli(['import-opml', path.join(FIXTURES, 'feedly.opml'), '--config', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}: not written: with these sources the config would not validate:\n  ${file}:2:11 schedule: Invalid cron expression`);
    expect(await readFile(file, 'utf8')).toBe(invalid);
  });
});
