// Child of bench/limit-read-memory.ts: opens the store, renders 3 rounds of 4 parallel `?limit=1000` feeds through
// the real render cache, and prints its peak RSS. `before` reads as main did until the store cut the listing
// (every listed story whole, then the text budget); `after` is the code as it is.
import { createRenderCache } from '../src/publish/render-cache.js';
import { openBenchStore } from './seed-import.js';
import { memoryStatus } from './stats.js';

const [mode, file] = process.argv.slice(2);
const real = await openBenchStore(file!);
const store = mode === 'before' ? { ...real, listCategoryStoriesWithin: (slug: string, limit: number) => real.listCategoryStories(slug, limit) } : real;
const startedMB = memoryStatus().rssMB;
const cache = createRenderCache({ store, site: { baseUrl: 'http://bench.test', title: 'Bench' }, items: 50 });
let bodyBytes = 0;
let items = 0;
for (let round = 0; round < 3; round++) {
  const rendered = await Promise.all((['rss', 'atom', 'json', 'rss'] as const).map((format) => cache.getFeed('all', format, 1000)));
  for (const r of rendered) bodyBytes = Math.max(bodyBytes, r!.body.byteLength);
  items = (JSON.parse(rendered[2]!.body.toString()) as { items: unknown[] }).items.length;
}
await real.close();
process.stdout.write(`${JSON.stringify({ hwmMB: memoryStatus().hwmMB, startedMB, bodyBytes, items })}\n`);
