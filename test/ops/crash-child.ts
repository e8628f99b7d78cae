// Child process of the crash test: imports a seed folder into a database and reports each stored batch
// on stdout, so the parent can SIGKILL it in the middle. Usage: node --import tsx crash-child.ts DB SEED
import { pino } from 'pino';
import { configSchema } from '../../src/config/schema.js';
import { createIngestJobs, openStore } from '../../src/ingest-jobs.js';

const [database, seed] = process.argv.slice(2);
const config = configSchema.parse({ storage: { database }, seedFolder: { path: seed }, sources: [] });
const store = await openStore(config);
const jobs = createIngestJobs(config, store, pino({ level: 'silent' }), {
  onSeedProgress: (stage, done, total) => {
    if (stage === 'store') process.stdout.write(`stored ${done}/${total}\n`);
  },
});
const summary = (await jobs.runSeedFolder()) as unknown as { added: number; merged: number; error: string | null; rejected: unknown[] };
process.stdout.write(`done ${JSON.stringify({ added: summary.added, merged: summary.merged, error: summary.error, rejected: summary.rejected.length })}\n`);
await store.close();
