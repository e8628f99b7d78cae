// The metrics of one service process: store-read gauges report the running config's sources (and the seed
// folder), the render cache's figures where there is one.
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

export function serviceMetrics(store: Store, running: () => Config, renderCache?: () => RenderCacheFigures, configProblems?: () => ConfigProblems | null): Metrics {
  return createMetrics(createRegistry(), {
    listSourceStates: () => store.listSourceStates(),
    sizeBytes: () => store.sizeBytes(),
    configuredSources: () => configuredSourceNames(running()),
    ...(renderCache ? { renderCache } : {}),
    ...(configProblems ? { configValid: () => configProblems() === null } : {}),
    async filterCounts() {
      const names = new Map(running().sources.map((source) => [sourceKeyOf(source.name), source.name]));
      return (await store.filterCounts()).flatMap(({ sourceKey, rule, count }) => {
        const source = names.get(sourceKey);
        return source === undefined ? [] : [{ source, rule, count }];
      });
    },
  });
}
