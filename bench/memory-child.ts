// Child process for the memory benchmark, so the peak resident set is this work's alone.
//   import <seedRoot> <dbFile> [workers]   one seed import into a fresh store (seedFolder.workers, default auto),
//                                then prints its peak RSS as JSON
//   baseline                     loads the same modules and does nothing (what node + tsx cost)
//   serve <dbFile>               starts the service on the store and prints its port; the parent requests
//                                feeds and reads /proc/<pid>/status
import { pino } from 'pino';
import { configSchema } from '../src/config/schema.js';
import { startService } from '../src/main.js';
import { openBenchStore, runSeed } from './seed-import.js';
import { memoryStatus } from './stats.js';

async function main(): Promise<void> {
  const [mode, a, b, workers] = process.argv.slice(2);
  if (mode === 'baseline') {
    process.stdout.write(`${JSON.stringify(memoryStatus())}\n`);
  } else if (mode === 'import') {
    const store = await openBenchStore(b!);
    const summary = await runSeed(store, a!, workers === undefined || workers === 'auto' ? 'auto' : Number(workers));
    await store.close();
    process.stdout.write(`${JSON.stringify({ ...memoryStatus(), maxRssMB: process.resourceUsage().maxRSS / 1024, read: summary.filesRead, error: summary.error })}\n`);
  } else if (mode === 'serve') {
    const config = configSchema.parse({ sources: [], storage: { database: a }, server: { port: 0 }, log: { level: 'silent' } });
    const service = await startService(config, pino({ level: 'silent' }));
    await service.firstIngest;
    const address = service.server.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
