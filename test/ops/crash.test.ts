// SIGKILL in the middle of a large seed import: after restart the database is intact, every stored batch is
// whole (file records and stored articles agree), no story is stored twice, and the import completes.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './harness.js';

const FILES = 3_000;
const BATCH = 500; // run-seed-folder.ts stores this many files per transaction
const CHILD = path.resolve('test/ops/crash-child.ts');

/** 3,000 seed files; every tenth repeats the story before it with crawler punctuation and a date 2 h later. */
async function generate(root: string): Promise<{ stories: number }> {
  let stories = 0;
  for (let i = 0; i < FILES; i++) {
    const folder = path.join(root, `cat-${i % 7}`, `sub-${i % 3}`);
    await mkdir(folder, { recursive: true });
    const duplicate = i % 10 === 9;
    const n = duplicate ? i - 1 : i;
    if (!duplicate) stories++;
    const title = duplicate ? `Report_ number ${String(n).padStart(5, '0')}_ on harbour finance` : `Report: number ${String(n).padStart(5, '0')} on “harbour” finance`;
    const date = new Date(Date.UTC(2024, 0, 1) + n * 3_600_000 * 30 + (duplicate ? 2 * 3_600_000 : 0)).toUTCString();
    const body = `<div><p>${'Paragraph of the report with enough words to take some room. '.repeat(20)}</p><p>Number ${n}.</p></div>`;
    await writeFile(path.join(folder, `report ${i}.md`), `\n---\ntitle: '${title}'\ncategories:\n - 金融\n - cat ${i % 7}\ndate: ${date}\n---\n${body}\n`);
  }
  return { stories };
}

interface ChildRun {
  output: string;
  signal: NodeJS.Signals | null;
  code: number | null;
}

/**
 * Runs the child; with `killAfter`, SIGKILLs it as soon as it reports that many stored batches, so the kill
 * lands in the next batch (reading, parsing or storing it) whatever the machine's load: no fixed delays.
 */
function runChild(database: string, seed: string, killAfter: number | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, database, seed], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (killAfter !== null && !killing && (output.match(/^stored /gm)?.length ?? 0) >= killAfter) {
        killing = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ output, code, signal }));
  });
}

function inspectDatabase(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    const one = (sql: string) => (db.prepare(sql).pluck().get() as number);
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      seedFiles: one('SELECT COUNT(*) FROM seed_files'),
      origins: one("SELECT COUNT(*) FROM origins WHERE source_key = 'seed'"),
      stories: one('SELECT COUNT(*) FROM stories'),
      // Records without their article, or articles without their record: a half-stored batch.
      recordsWithoutOrigin: one("SELECT COUNT(*) FROM seed_files f WHERE f.error IS NULL AND NOT EXISTS (SELECT 1 FROM origins o WHERE o.source_key = 'seed' AND o.origin_id = f.rel_path)"),
      originsWithoutRecord: one("SELECT COUNT(*) FROM origins o WHERE o.source_key = 'seed' AND NOT EXISTS (SELECT 1 FROM seed_files f WHERE f.rel_path = o.origin_id)"),
      originsWithoutStory: one('SELECT COUNT(*) FROM origins o WHERE o.story_id IS NULL OR NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = o.story_id)'),
      duplicateStories: all<{ title_key: string }>('SELECT title_key FROM stories GROUP BY title_key HAVING COUNT(*) > 1').length,
      rejected: one('SELECT COUNT(*) FROM seed_files WHERE error IS NOT NULL'),
    };
  } finally {
    db.close();
  }
}

describe('a crash in the middle of a large seed import', () => {
  it('leaves an intact database with whole batches, and the import completes after restart', async () => {
    const dir = await tempDir('crash');
    const seed = path.join(dir, 'seed');
    const { stories } = await generate(seed);
    const database = path.join(dir, 'aggregator.db');

    // Three crashes, each one batch into a run: 3 of the 6 batches stored, the rest left for the restart.
    for (const killAfter of [1, 1, 1]) {
      const killed = await runChild(database, seed, killAfter);
      expect(killed.signal, killed.output).toBe('SIGKILL');
      expect(killed.output).not.toContain('done');
      const afterCrash = inspectDatabase(database);
      expect(afterCrash.integrity).toBe('ok');
      expect(afterCrash.seedFiles).toBeGreaterThanOrEqual(BATCH);
      expect(afterCrash.seedFiles % BATCH).toBe(0);
      expect(afterCrash.recordsWithoutOrigin).toBe(0);
      expect(afterCrash.originsWithoutRecord).toBe(0);
      expect(afterCrash.originsWithoutStory).toBe(0);
      expect(afterCrash.duplicateStories).toBe(0);
    }
    const storedBefore = inspectDatabase(database).seedFiles;
    expect(storedBefore).toBeLessThan(FILES);

    const resumed = await runChild(database, seed, null);
    expect(resumed.code, resumed.output).toBe(0);
    const summary = JSON.parse(/done (.*)/.exec(resumed.output)![1]!) as { added: number; error: string | null; rejected: number };
    expect(summary.error).toBeNull();
    expect(summary.rejected).toBe(0);
    // Only what the crashed run had not stored is read again.
    expect(resumed.output).toContain(`stored ${FILES - storedBefore}/${FILES - storedBefore}`);

    const done = inspectDatabase(database);
    expect(done.integrity).toBe('ok');
    expect(done.seedFiles).toBe(FILES);
    expect(done.origins).toBe(FILES);
    expect(done.rejected).toBe(0);
    expect(done.stories).toBe(stories);
    expect(done.duplicateStories).toBe(0);
    expect(done.recordsWithoutOrigin + done.originsWithoutRecord + done.originsWithoutStory).toBe(0);
  }, 120_000);
});
