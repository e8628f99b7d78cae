// `npm start` as a user (or a process manager that signals only the process it started) runs it: a SIGTERM
// sent to npm's process must stop the service itself, not leave it running without a parent.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempDir, waitFor } from '../ops/harness.js';
import { buildOnce } from '../support/build-once.js';
import { startServiceProcess } from './process-harness.js';

beforeAll(() => buildOnce(), 180_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('a SIGTERM to `npm start` stops the service gracefully, leaving no process behind', async () => {
  const dir = await tempDir('npm-start');
  const file = path.join(dir, 'aggregator.yaml');
  await writeFile(file, stringify({ server: { host: '127.0.0.1', port: 0 }, storage: { database: path.join(dir, 'aggregator.db') }, sources: [] }));
  const service = startServiceProcess(file, {}, [], true);
  let servicePid = 0;
  try {
    const base = await service.base();
    servicePid = Number(service.lines.find((line) => line.msg === 'listening')!.pid);
    expect(servicePid).not.toBe(service.child.pid);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    service.child.kill('SIGTERM');
    await service.logged((line) => line.msg === 'stopping: waiting for runs in flight' && line.signal === 'SIGTERM', 'the service to stop');
    await service.exited;
    await waitFor(() => !alive(servicePid), 20_000, 'the service process to exit');
  } finally {
    service.child.kill('SIGKILL');
    if (servicePid && alive(servicePid)) process.kill(servicePid, 'SIGKILL');
  }
}, 120_000);
