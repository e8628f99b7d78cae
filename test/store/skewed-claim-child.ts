// A worker on a machine whose clock is off (skewed-clock.ts): opens the PostgreSQL store at argv[2] and claims the
// run named argv[3], printing the result as JSON with the leases it sees expired. With argv[4] `due`, it first
// records the run's next run time as now on its own clock and claims it as due, as its cron tick would.
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';

const [url, name, due = 'always'] = process.argv.slice(2) as [string, string, 'always' | 'due' | undefined];
const store = await openDatabase(url, createDedupPolicy(12 * 3_600_000));
try {
  if (due === 'due') {
    const now = new Date();
    await store.recordFetchOutcome({ name, url: 'https://news.example.org/feed' }, { at: now, ok: true, httpStatus: 200, error: null, nextRun: now, added: 0 });
  }
  const claim = await store.claimRun({ name, host: 'news.example.org', perHost: 2, owner: 'machine-b:1:skewed', leaseMs: 60_000, due });
  const leases = await store.listRunLeases();
  console.log(JSON.stringify({ claim, expired: leases.filter((lease) => lease.expired).map((lease) => lease.name) }));
} finally {
  await store.close();
}
