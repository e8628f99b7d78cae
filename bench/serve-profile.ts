// Profiles our serving process under the serve bench's load: `node --import tsx bench/serve-profile.ts [WORKERS] [SECONDS]`.
// The service (built dist/, `npm start`'s flags plus --cpu-prof) is started on the serve bench's database once per
// path, loaded by the same `wrk -t2 -c50` for full gzip responses, then 304s; on its SIGTERM every process (the
// primary and each cluster worker) writes a .cpuprofile, summarized here by self time during the wrk run only, also
// in µs per request (bench/profile-summary.ts). The profiler's times are wall-clock: time the process waited for a
// core (wrk and others share them) shows up in whatever it was doing, mostly the socket write.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { summarizeProfile } from './profile-summary.js';
import { wrk } from './load.js';
import { FEED_PATH, prepareBenchStore, startBenchService } from './serve.js';
import { request } from './service-process.js';

const workers = Number(process.argv[2] ?? 1);
const seconds = Number(process.argv[3] ?? 10);
const keep = process.env['KEEP_PROFILES'];
const dir = await mkdtemp(path.join(tmpdir(), 'bench-serve-profile-'));
try {
  const database = await prepareBenchStore(dir);
  for (const kind of ['full', '304'] as const) {
    const profiles = keep ? path.join(keep, `${kind}-${workers}w`) : path.join(dir, `prof-${kind}`);
    const service = await startBenchService(dir, database, workers, ['--cpu-prof', `--cpu-prof-dir=${profiles}`]);
    let result;
    const window = { fromUs: 0, toUs: 0, per: 0 };
    try {
      const url = `${service.base}${FEED_PATH}`;
      const gzip = { 'Accept-Encoding': 'gzip' };
      const etag = String((await request(url, gzip)).headers['etag']);
      window.fromUs = Number(process.hrtime.bigint() / 1000n);
      result = await wrk(url, seconds, kind === 'full' ? gzip : { ...gzip, 'If-None-Match': etag });
      window.toUs = Number(process.hrtime.bigint() / 1000n);
      window.per = result.requests;
    } finally {
      await service.stop();
    }
    console.log(`\n=== ${kind === 'full' ? 'full gzip responses' : '304 Not Modified'}, ${workers} worker(s): ${Math.round(result.rps)} req/s, p99 ${result.p99ms} ms`);
    for (const file of (await readdir(profiles)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
      // Only the load (start-up and shutdown left out), in µs per request served.
      console.log(`--- ${file}\n${summarizeProfile(path.join(profiles, file), 30, window)}`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
