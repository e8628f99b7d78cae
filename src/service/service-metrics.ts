// The metrics of one service process: store-read gauges report the running config's sources (and the seed
// folder), the render cache's figures where there is one. A scrape while the database is unreachable or hung still
// answers: the process's own figures, the store-read gauges as last read, and `aggregator_database_up 0`.
import { Gauge } from 'prom-client';
import type { Config } from '../config/schema.js';
import { sourceKeyOf } from '../ingest/run-feed-source.js';
import { SEED_SOURCE_NAME } from '../ingest/run-seed-folder.js';
import { createMetrics, createRegistry, type Metrics, type RenderCacheFigures } from '../observability/metrics.js';
import type { ConfigProblems } from '../config/watch-config.js';
import type { Store } from '../store/store.js';

/** The names of the running config's sources and of its seed folder: the states of removed ones are not reported. */
export function configuredSourceNames(config: Pick<Config, 'sources' | 'seedFolder'>): string[] {
  return [...config.sources.map((source) => source.name), ...(config.seedFolder ? [SEED_SOURCE_NAME] : [])];
}

/** How long a scrape waits for a store read before it reports the last value read. */
const SCRAPE_READ_TIMEOUT_MS = 2_000;

/**
 * What `read` gives, or what it gave last time it succeeded (`initial` before that) when it fails or has not
 * answered within SCRAPE_READ_TIMEOUT_MS (a database host that stopped answering): the scrape still answers. A read
 * still pending is waited for again rather than a second one started, so a hung database holds one read, not one per scrape.
 */
function lastRead<T>(read: () => Promise<T>, initial: T): () => Promise<T> {
  let last = initial;
  let pending: Promise<T> | null = null;
  return async () => {
    pending ??= read().then((value) => (last = value)).finally(() => {
      pending = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(last), SCRAPE_READ_TIMEOUT_MS)));
    try {
      return await Promise.race([pending, late]);
    } catch {
      return last;
    } finally {
      clearTimeout(timer);
    }
  };
}

export function serviceMetrics(store: Store, running: () => Config, renderCache?: () => RenderCacheFigures, configProblems?: () => ConfigProblems | null): Metrics {
  const registry = createRegistry();
  new Gauge({
    name: 'aggregator_database_up',
    // A cluster's aggregate is down when any process cannot reach the database.
    aggregator: 'min',
    help: '1 when the database answered this scrape (as /healthz checks it), 0 when it did not.',
    registers: [registry],
    async collect() {
      this.set((await store.ping().catch(() => false)) ? 1 : 0);
    },
  });
  return createMetrics(registry, {
    listSourceStates: lastRead(() => store.listSourceStates(), []),
    sizeBytes: lastRead(() => store.sizeBytes(), Number.NaN),
    configuredSources: () => configuredSourceNames(running()),
    ...(renderCache ? { renderCache } : {}),
    ...(configProblems ? { configValid: () => configProblems() === null } : {}),
    filterCounts: lastRead(async () => {
      const names = new Map(running().sources.map((source) => [sourceKeyOf(source.name), source.name]));
      return (await store.filterCounts()).flatMap(({ sourceKey, rule, count }) => {
        const source = names.get(sourceKey);
        return source === undefined ? [] : [{ source, rule, count }];
      });
    }, []),
  });
}
