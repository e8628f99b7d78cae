// A serving worker under the cluster primary (`server.workers` > 1): the serving side only (service/start-web.ts),
// with its own render cache following the change feed. It never runs the scheduler: the primary is the one writer.
// /metrics answers the aggregate the primary gathers; /readyz waits for the primary's first ingest; POST
// /admin/refresh runs on the primary.
import cluster from 'node:cluster';
import { envAdminToken } from '../config/admin-token.js';
import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import { createDedupPolicy } from '../ingest/dedup.js';
import type { Logger } from '../logger.js';
import { createReadiness } from '../observability/readiness.js';
import { openSqliteStore } from '../store/sqlite/open-sqlite-store.js';
import { WORKER_CONFIG_ENV, createAsker, isMessage, type ToPrimary, type ToWorker } from './cluster-messages.js';
import { configuredSourceNames, serviceMetrics } from './service-metrics.js';
import type { ConfigProblems } from '../config/watch-config.js';
import { startWeb, type Web } from './start-web.js';

/** The config the primary forked this worker with (never the file: see cluster-primary.ts). */
export function configFromPrimary(env: NodeJS.ProcessEnv = process.env): Config {
  const json = env[WORKER_CONFIG_ENV];
  if (!json) throw new Error(`a cluster worker needs ${WORKER_CONFIG_ENV} from its primary`);
  return JSON.parse(json) as Config;
}

export async function runClusterWorker(config: Config, baseLogger: Logger, port: number | undefined): Promise<void> {
  const logger = baseLogger.child({ worker: cluster.worker?.id });
  const send = (message: ToPrimary): void => void process.send?.(message);
  const asker = createAsker();
  let adminToken = envAdminToken(process.env) || config.admin.token;
  // The primary migrates and rebuilds the search index before its first ingest, and says 'ready' after both.
  const readiness = createReadiness(['database', 'first-ingest']);
  // The primary migrated the database and declared the categories: a worker only reads (and follows).
  const store = await openSqliteStore(config.storage.database, createDedupPolicy(config.dedup.window), { searchThread: config.storage.searchThread, log: logger });
  readiness.done('database');
  let web: Web | undefined;
  // The sources and seed folder of the primary's running config (its 'settings'): the ones listed and measured.
  let running = config;
  let configProblems: ConfigProblems | null = null;
  const metrics = serviceMetrics(store, () => running, () => web!.cache.stats(), () => configProblems);

  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    const m = message as ToWorker;
    if (m.type === 'ready') {
      // The primary indexes for search before its first ingest: both are done.
      readiness.done('search-index');
      readiness.done('first-ingest');
      // Saved searches rendered while the search index was being rebuilt may miss stories: render them again.
      const saved = [...(web?.cache.policy.savedQueries.keys() ?? [])];
      if (saved.length > 0) web!.cache.invalidate(saved);
    }
    else if (m.type === 'settings') {
      if (!process.env.LOG_LEVEL) baseLogger.level = m.logLevel;
      adminToken = envAdminToken(process.env) || m.adminToken;
      running = { ...running, sources: m.sources, seedFolder: m.seedFolder };
      configProblems = m.configProblems;
      web?.reconfigure({ categories: m.categories });
    } else if (m.type === 'metrics-json') {
      // A gauge reading the database can fail (e.g. while stopping): answer with what can be had, never crash.
      void metrics.registry.getMetricsAsJSON().catch(() => []).then((json) => send({ type: 'metrics-json', id: m.id, metrics: json }));
    } else if (m.type === 'answer') asker.answered(m);
  });

  web = await startWeb({
    config, store, logger, metrics, readiness, port,
    metricsSource: { contentType: metrics.registry.contentType, metrics: async () => String(await asker.ask({ what: 'metrics' })) },
    adminToken: () => adminToken,
    configuredSources: () => configuredSourceNames(running),
    configProblems: () => configProblems,
    refresh: async (source) => (await asker.ask({ what: 'refresh', source })) as string[] | null,
  });
  const address = web.server.address();
  send({ type: 'listening', url: `http://${config.server.host}:${typeof address === 'object' && address ? address.port : 0}` });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker stopping');
    web!.stop().then(() => store.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ error: describeError(error) }, 'unclean worker stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The primary re-reads the config and passes on what concerns serving; a terminal's SIGHUP must not kill a worker.
  process.on('SIGHUP', () => undefined);
  // The primary is gone (killed): nobody writes or restarts any more, so stop serving.
  process.on('disconnect', () => stop('primary gone'));
}
