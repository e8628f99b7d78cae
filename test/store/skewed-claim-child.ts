// A worker on a machine whose clock is off (skewed-clock.ts): opens the PostgreSQL store at argv[2], claims the run
// named argv[3] and prints the result as JSON, with the leases it sees.
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { openDatabase } from '../../src/store/open-database.js';

const [url, name] = process.argv.slice(2) as [string, string];
const store = await openDatabase(url, createDedupPolicy(12 * 3_600_000));
try {
  const claim = await store.claimRun({ name, host: 'news.example.org', perHost: 2, owner: 'machine-b:1:skewed', leaseMs: 60_000, due: 'always' });
  const leases = await store.listRunLeases();
  console.log(JSON.stringify({ claim, expired: leases.filter((lease) => lease.expired).map((lease) => lease.name) }));
} finally {
  await store.close();
}
