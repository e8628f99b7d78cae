// The tests that run what a user runs (`npm start`, `npm run ingest`: dist/) build it once per test run. Test
// files run in parallel worker processes: a second `tsc` rewriting dist/ while another file's child is loading
// it could hand that child a half-written module, so the first file to ask builds and the others wait for it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../ops/harness.js';

/**
 * Builds dist/ (`npm run build`) unless another file of this test run has. A run is told by the vitest process
 * that forked the test files (the `forks` pool, vitest's default) and the repository folder.
 */
export async function buildOnce(): Promise<void> {
  const mark = buildMark(process.ppid);
  const outcome = path.join(mark, 'outcome');
  try {
    mkdirSync(mark);
  } catch {
    await waitFor(() => existsSync(outcome), 180_000, 'dist/ built by another test file');
    const failed = readFileSync(outcome, 'utf8');
    if (failed) throw new Error(failed);
    return;
  }
  const build = spawnSync('npm', ['run', '--silent', 'build'], { encoding: 'utf8' });
  const failed = build.status === 0 ? '' : `npm run build failed:\n${build.stdout}${build.stderr}`;
  writeFileSync(outcome, failed);
  if (failed) throw new Error(failed);
}

/** The folder that marks a run's build: the vitest process's id and the repository folder. */
export function buildMark(vitestPid: number): string {
  return path.join(tmpdir(), `aggregator-build-${createHash('sha1').update(`${vitestPid} ${process.cwd()}`).digest('hex').slice(0, 16)}`);
}

/** vitest global setup: the run's build mark is removed when the run ends. */
export default function setup(): () => void {
  return () => rmSync(buildMark(process.pid), { recursive: true, force: true });
}
