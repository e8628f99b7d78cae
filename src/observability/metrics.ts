// Prometheus metrics on a registry the caller owns (never prom-client's global one), so a test or a
// second service in one process gets its own. Counters are fed at composition points (main.ts wraps
// the ingest jobs and the request handler); per-source gauges and the database size are read from
// the store at scrape time, so they are right even for runs made by another process (`npm run ingest`).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SourceState } from '../types.js';

export type SourceOutcome = 'ok' | 'not_modified' | 'failed';

/** What a seed scan reports; a subset of ingest/run-seed-folder.ts `SeedRunSummary`. */
export interface SeedScanFigures {
  filesSeen: number;
  filesRead: number;
  added: number;
  rejected: readonly unknown[];
  error: string | null;
}

/** Where scrape-time figures come from. */
export interface MetricsSources {
  listSourceStates(): Promise<SourceState[]>;
  sizeBytes(): Promise<number>;
  /** Names of the sources in the running config: states of removed sources are not exported. */
  configuredSources(): readonly string[];
  /** What the render cache holds now (publish/render-cache.ts `stats`). */
  renderCache?(): RenderCacheFigures;
  /** Articles source filters dropped, per configured source and rule. */
  filterCounts?(): Promise<{ source: string; rule: string; count: number }[]>;
  /** False while the config file is invalid and the last valid config runs. */
  configValid?(): boolean;
}

export interface RenderCacheFigures {
  entries: number;
  bytes: number;
  budgetBytes: number;
  evictions: number;
}

export interface Metrics {
  readonly registry: Registry;
  sourceRun(source: string, outcome: SourceOutcome, seconds: number, added: number): void;
  seedScan(figures: SeedScanFigures, seconds: number): void;
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  renderCacheLookup(hit: boolean): void;
}

export interface MetricsOptions {
  /** Process metrics (RSS, heap, event-loop lag, file descriptors). Default true. */
  processMetrics?: boolean;
}

const PREFIX = 'aggregator_';

export function createMetrics(registry: Registry, sources: MetricsSources, options: MetricsOptions = {}): Metrics {
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const fetches = new Counter({
    name: `${PREFIX}source_fetches_total`,
    help: 'Source runs by outcome (ok, not_modified, failed).',
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  const fetchDuration = new Histogram({
    name: `${PREFIX}source_fetch_duration_seconds`,
    help: 'Duration of one source run: fetch, parse, clean and store.',
    labelNames: ['source'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const added = new Counter({
    name: `${PREFIX}source_articles_added_total`,
    help: 'New stories created by source runs.',
    labelNames: ['source'] as const,
    registers,
  });
  const seedScans = new Counter({
    name: `${PREFIX}seed_scans_total`,
    help: 'Seed folder scans by outcome (ok, failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const seedDuration = new Histogram({
    name: `${PREFIX}seed_scan_duration_seconds`,
    help: 'Duration of one seed folder scan.',
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers,
  });
  const seedFiles = new Counter({
    name: `${PREFIX}seed_files_total`,
    help: 'Seed files by what a scan did with them: seen (listed), changed (new or changed, read), rejected.',
    labelNames: ['state'] as const,
    registers,
  });
  const seedAdded = new Counter({ name: `${PREFIX}seed_articles_added_total`, help: 'New stories created by seed scans.', registers });
  const requests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration by route pattern.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const cacheLookups = new Counter({
    name: `${PREFIX}render_cache_lookups_total`,
    help: 'Feed requests answered from already rendered bytes (hit) or passed on to render (miss).',
    labelNames: ['result'] as const,
    registers,
  });

  // The request path's series, with their label children made once (no label objects per request).
  const cacheHits = cacheLookups.labels({ result: 'hit' });
  const cacheMisses = cacheLookups.labels({ result: 'miss' });
  const series = new Map<string, Map<string, Map<number, { observe(seconds: number): void }>>>();
  const requestSeries = (route: string, method: string, status: number) => {
    const byMethod = series.get(route) ?? series.set(route, new Map()).get(route)!;
    const byStatus = byMethod.get(method) ?? byMethod.set(method, new Map()).get(method)!;
    let one = byStatus.get(status);
    if (!one) {
      const count = requests.labels({ route, method, status: String(status) });
      const duration = requestDuration.labels({ route, method });
      byStatus.set(status, (one = { observe: (seconds) => (count.inc(), duration.observe(seconds)) }));
    }
    return one;
  };

  // Scrape-time gauges: one store read serves both.
  let pendingStates: Promise<SourceState[]> | null = null;
  const states = (): Promise<SourceState[]> => {
    pendingStates ??= sources.listSourceStates().finally(() => {
      pendingStates = null;
    });
    return pendingStates;
  };
  new Gauge({
    name: `${PREFIX}source_consecutive_failures`,
    // Every process reads the same database: with cluster workers the aggregate is any one of them.
    aggregator: 'max',
    help: 'Failed runs in a row per source (0 after a success).',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      this.reset();
      const configured = new Set(sources.configuredSources());
      for (const state of await states()) if (configured.has(state.name)) this.set({ source: state.name }, state.consecutiveFailures);
    },
  });
  new Gauge({
    name: `${PREFIX}source_last_success_timestamp_seconds`,
    aggregator: 'max',
    help: 'Unix time of the last successful run per source (absent before the first).',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      this.reset();
      const configured = new Set(sources.configuredSources());
      for (const state of await states()) {
        if (configured.has(state.name) && state.lastSuccess) this.set({ source: state.name }, state.lastSuccess.getTime() / 1000);
      }
    },
  });
  const filterCounts = sources.filterCounts;
  if (filterCounts) {
    new Gauge({
      name: `${PREFIX}source_filtered_articles`,
      aggregator: 'max',
      help: 'Articles a source filter dropped (each counted once, not per poll), per source and rule.',
      labelNames: ['source', 'rule'] as const,
      registers,
      async collect() {
        this.reset();
        const configured = new Set(sources.configuredSources());
        for (const { source, rule, count } of await filterCounts()) if (configured.has(source)) this.set({ source, rule }, count);
      },
    });
  }
  new Gauge({
    name: `${PREFIX}database_size_bytes`,
    aggregator: 'max',
    help: 'Size of the database (pages in use and free).',
    registers,
    async collect() {
      this.set(await sources.sizeBytes());
    },
  });

  const configValid = sources.configValid;
  if (configValid) {
    new Gauge({
      name: `${PREFIX}config_last_reload_successful`,
      // The primary reads the file for its workers: its 0 must win the cluster's aggregate.
      aggregator: 'min',
      help: '1 when the config file was valid when last read, 0 while it is invalid (the last valid config runs).',
      registers,
      collect() {
        this.set(configValid() ? 1 : 0);
      },
    });
  }

  const cacheStats = sources.renderCache;
  if (cacheStats) {
    const gauge = (name: string, help: string, read: (stats: RenderCacheFigures) => number): void => {
      new Gauge({ name: `${PREFIX}${name}`, help, registers, collect() { this.set(read(cacheStats())); } });
    };
    gauge('render_cache_bytes', 'Bytes of rendered documents the render cache keeps (all codings).', (s) => s.bytes);
    gauge('render_cache_budget_bytes', 'The render cache byte budget; least recently used documents go beyond it.', (s) => s.budgetBytes);
    gauge('render_cache_entries', 'Documents the render cache keeps.', (s) => s.entries);
    gauge('render_cache_evictions', 'Documents dropped to stay within the budget since start.', (s) => s.evictions);
  }

  return {
    registry,
    sourceRun(source, outcome, seconds, count) {
      fetches.inc({ source, outcome });
      fetchDuration.observe({ source }, seconds);
      // Touch the series so every source shows up at 0 before its first new story.
      added.inc({ source }, count);
    },
    seedScan(figures, seconds) {
      seedScans.inc({ outcome: figures.error === null ? 'ok' : 'failed' });
      seedDuration.observe(seconds);
      seedFiles.inc({ state: 'seen' }, figures.filesSeen);
      seedFiles.inc({ state: 'changed' }, figures.filesRead);
      seedFiles.inc({ state: 'rejected' }, figures.rejected.length);
      seedAdded.inc(figures.added);
    },
    httpRequest(route, method, status, seconds) {
      requestSeries(route, method, status).observe(seconds);
    },
    renderCacheLookup(hit) {
      (hit ? cacheHits : cacheMisses).inc();
    },
  };
}

/** A fresh registry; exported so callers need not import prom-client themselves. */
export function createRegistry(): Registry {
  return new Registry();
}
