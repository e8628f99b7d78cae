// The cluster primary (`server.workers` > 1): the one writer. It opens and migrates the database, runs the
// scheduler, the config watcher, search indexing and WebSub announcements (service/start-ingest.ts), and keeps
// `workers` serving processes (service/cluster-worker.ts) running on the shared port: a worker that dies is
// logged and replaced. It gathers /metrics from every process (summed by prom-client's AggregatorRegistry),
// tells workers when the first ingest is done (/readyz), passes config reloads on, and on SIGTERM stops
// the workers first, then the scheduler.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config/schema.js';
import { envAdminToken } from '../config/admin-token.js';
import { describeError } from '../errors.js';
import { openStore } from '../ingest-jobs.js';
import type { Logger } from '../logger.js';
import { WORKER_CONFIG_ENV, isMessage, type MetricsJson, type ToPrimary, type ToWorker } from './cluster-messages.js';
import { reloadableConfig } from './reload-config.js';
import { serviceMetrics } from './service-metrics.js';
import type { ConfigProblems } from '../config/watch-config.js';
import { withServedBaseUrl } from './served-base-url.js';
import { startIngest } from './start-ingest.js';

export interface ClusterPrimaryOptions {
  workers: number;
  configFile?: string | undefined;
  /** `--port`/PORT, which the serving workers listen on (they read it from the same arguments). */
  port?: number | undefined;
  /** A worker that dies this soon after it started is restarted after a growing delay (a crash loop). */
  quickDeathMs?: number;
}

export interface ClusterPrimary {
  config(): Config;
  reload(reason: string): Promise<unknown>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const METRICS_WAIT_MS = 2_000;

export async function runClusterPrimary(config: Config, logger: Logger, options: ClusterPrimaryOptions): Promise<ClusterPrimary> {
  const env = process.env;
  const store = await openStore(config, undefined, { log: logger });
  let current = (): Config => config;
  // The file's errors while it is invalid: the primary reads it, its workers show them (index page, metrics).
  let configProblems: ConfigProblems | null = null;
  const metrics = serviceMetrics(store, () => current(), undefined, () => configProblems);
  const { registry } = metrics;
  const ingest = startIngest({ config: withServedBaseUrl(config, options.port), store, logger, metrics });
  let ready = false;
  let stopping = false;
  // What workers use of a reloaded config: the log level, the admin token, category filters, the listed sources.
  const settingsOf = (running: Config): ToWorker => ({
    type: 'settings', logLevel: running.log.level, adminToken: envAdminToken(env) || running.admin.token, categories: running.categories,
    sources: running.sources, seedFolder: running.seedFolder, configProblems,
  });
  const broadcast = (message: ToWorker): void => {
    for (const worker of Object.values(cluster.workers ?? {})) if (worker?.isConnected()) worker.send(message);
  };
  void ingest.firstIngest.then(() => {
    ready = true;
    broadcast({ type: 'ready' });
  });
  const reloader = await reloadableConfig(config, logger, {
    configFile: options.configFile, env,
    applyLive: (next) => {
      const changes = ingest.reconfigure(next);
      broadcast(settingsOf(next));
      return { ...changes };
    },
    onProblems: (problems) => {
      configProblems = problems;
      broadcast(settingsOf(current()));
    },
  });
  current = reloader.config;

  // /metrics: this process's registry plus every worker's, aggregated (counters summed; see metrics.ts).
  let nextRequest = 0;
  const metricsWaiting = new Map<number, (json: MetricsJson) => void>();
  const gatherMetrics = async (): Promise<string> => {
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => Boolean(worker?.isConnected()));
    const parts = await Promise.all(workers.map((worker) => new Promise<MetricsJson | null>((resolve) => {
      const id = nextRequest++;
      const timer = setTimeout(() => {
        metricsWaiting.delete(id);
        resolve(null);
      }, METRICS_WAIT_MS);
      metricsWaiting.set(id, (json) => {
        clearTimeout(timer);
        resolve(json);
      });
      worker.send({ type: 'metrics-json', id } satisfies ToWorker);
    })));
    const all = [await registry.getMetricsAsJSON(), ...parts.filter((part): part is MetricsJson => part !== null)];
    return AggregatorRegistry.aggregate(all).metrics();
  };

  const answer = (worker: Worker, id: number, work: () => Promise<unknown>): void => {
    work().then(
      (value) => worker.isConnected() && worker.send({ type: 'answer', id, ok: true, value } satisfies ToWorker),
      (error: unknown) => worker.isConnected() && worker.send({ type: 'answer', id, ok: false, error: describeError(error) } satisfies ToWorker),
    );
  };
  let everListened = false;
  const listened = new WeakSet<Worker>();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage(message)) return;
    const m = message as ToPrimary;
    if (m.type === 'listening') {
      // Now it listens for messages too: tell it what it missed while starting.
      if (ready) worker.send({ type: 'ready' } satisfies ToWorker);
      worker.send(settingsOf(current()));
      listened.add(worker);
      if (!everListened) logger.info({ url: m.url, workers: options.workers }, 'listening');
      everListened = true;
    } else if (m.type === 'metrics-json') metricsWaiting.get(m.id)?.(m.metrics);
    else if (m.type === 'ask' && m.what === 'metrics') answer(worker, m.id, gatherMetrics);
    else if (m.type === 'ask' && m.what === 'refresh') answer(worker, m.id, () => ingest.scheduler.refresh(m.source));
  });

  const quickDeathMs = options.quickDeathMs ?? 5_000;
  let restartDelayMs = 0;
  const started = new WeakMap<Worker, number>();
  // Every worker, first or replacement, serves with the config the primary started with (live changes reach it
  // as 'settings'): a replacement must not re-read a file that changed since, or it could serve with other
  // restart-only values, or start as a whole single-process service if the file now says `workers: 1`.
  const workerEnv = { [WORKER_CONFIG_ENV]: JSON.stringify(config) };
  const fork = (): void => {
    const worker = cluster.fork(workerEnv);
    // A send to a worker that has just died emits 'error' on it: log it rather than crash the primary.
    worker.on('error', (error) => logger.warn({ worker_pid: worker.process.pid, error: describeError(error) }, 'message to worker failed'));
    started.set(worker, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!everListened && !listened.has(worker)) {
      // Not one worker ever served (the port is taken, the database unreadable): restarting cannot help.
      logger.fatal({ worker_pid: worker.process.pid, code, signal }, 'worker failed to start; stopping');
      void stop().finally(() => process.exit(1));
      return;
    }
    const lived = Date.now() - (started.get(worker) ?? 0);
    restartDelayMs = lived < quickDeathMs ? Math.min(30_000, Math.max(500, restartDelayMs * 2)) : 0;
    // `worker_pid`: pino writes the primary's own as `pid`, and a JSON reader keeps only one of two equal keys.
    logger.error({ worker_pid: worker.process.pid, code, signal, restart_in_ms: restartDelayMs }, 'worker died; starting a new one');
    setTimeout(() => !stopping && fork(), restartDelayMs);
  });
  for (let i = 0; i < options.workers; i++) fork();

  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    reloader.close();
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    const workersGone = Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.process.kill('SIGTERM');
    })));
    // At once, not after the workers: a refresh a worker is answering waits for the runs the ingest side stops.
    await Promise.all([workersGone, ingest.stop()]);
    await store.close();
  };
  return { config: reloader.config, reload: (reason) => reloader.reload(reason), stop };
}
