// vitest global setup, first of all: the run's temporary files (databases, seed folders, configs, the PostgreSQL
// cluster, browser profiles, child services' files) go into one folder of their own, removed when the run ends.
// Test files and the processes they start inherit TMPDIR, so os.tmpdir() points there for all of them; without it
// every run left ~90 folders (~280 MB) in the machine's /tmp.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Set while the run's folder exists: vitest runs the global setup once per project too, and one folder serves all. */
const RUN_FOLDER = 'AGGREGATOR_TEST_RUN_TMPDIR';

export default function setup(): () => void {
  if (process.env[RUN_FOLDER]) return () => undefined;
  const root = mkdtempSync(path.join(tmpdir(), 'aggregator-tests-'));
  // Others may pass through, as through /tmp: the PostgreSQL cluster runs as the postgres user when tests run as root.
  chmodSync(root, 0o755);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  process.env[RUN_FOLDER] = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    delete process.env[RUN_FOLDER];
    rmSync(root, { recursive: true, force: true });
  };
}
