// Drives ingestion: everything once at start, then each source on its own cron schedule and the seed folder on
// its own. node-cron's noOverlap keeps one run per source at a time; the limiter bounds concurrency per host.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Config, SourceConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Limiter } from './limiter.js';

export interface SchedulerJobs {
  runSource(source: SourceConfig): Promise<{ changedCategories: string[] }>;
  runSeedFolder(): Promise<{ changedCategories: string[] }>;
}

export interface SchedulerDeps {
  config: Config;
  store: Store;
  jobs: SchedulerJobs;
  limiter: Limiter;
  logger: Logger;
  clock: () => Date;
  /** Called after every run that changed published content. */
  onChange: (categories: string[]) => void;
}

export interface Scheduler {
  /** Runs every source and the seed folder once; resolves when all finished. */
  runAll(): Promise<void>;
  /** Starts the cron tasks. */
  start(): void;
  /** Stops the cron tasks and waits for runs in flight to finish. */
  stop(): Promise<void>;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { config, logger } = deps;
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;

  const track = <T>(run: Promise<T>): Promise<T> => {
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run)).catch(() => undefined);
    return run;
  };

  const report = (what: string) => (result: { changedCategories: string[] }) => {
    if (result.changedCategories.length > 0) deps.onChange(result.changedCategories);
    return result;
  };
  const fail = (what: string) => (error: unknown) => {
    logger.error({ source: what, error: describeError(error) }, 'run failed unexpectedly');
  };

  const sources = config.sources.filter((source) => source.enabled);

  const runSource = (source: SourceConfig, honourNextRun: boolean) =>
    track(
      deps.limiter
        .run(new URL(source.url).hostname, async () => {
          if (stopping) return { changedCategories: [] };
          if (honourNextRun && !(await isDue(source))) return { changedCategories: [] };
          return deps.jobs.runSource(source);
        })
        .then(report(source.name), fail(source.name)),
    );

  const runSeed = () => track(deps.jobs.runSeedFolder().then(report('seed folder'), fail('seed folder')));

  async function isDue(source: SourceConfig): Promise<boolean> {
    const state = await deps.store.getSourceState(source.name);
    return !state?.nextRun || state.nextRun.getTime() <= deps.clock().getTime() + 1_000;
  }

  return {
    async runAll() {
      await Promise.all([config.seedFolder ? runSeed() : undefined, ...sources.map((source) => runSource(source, false))]);
    },
    start() {
      for (const source of sources) {
        tasks.push(
          cron.schedule(source.schedule ?? config.schedule, () => runSource(source, true), {
            name: source.name,
            noOverlap: true,
            maxRandomDelay: 30_000,
          }),
        );
      }
      if (config.seedFolder) {
        tasks.push(cron.schedule(config.seedFolder.schedule, () => runSeed(), { name: 'seed folder', noOverlap: true }));
      }
      logger.info({ sources: sources.length, seedFolder: Boolean(config.seedFolder) }, 'scheduler started');
    },
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((task) => task.stop()));
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** The next time a cron expression fires after `now`. */
export function cronNext(expression: string, now: Date): Date | null {
  const task = cron.createTask(expression, () => undefined);
  try {
    return task.getNextRuns(1).find((date) => date.getTime() > now.getTime()) ?? null;
  } finally {
    void task.destroy();
  }
}
