// Drives ingestion: everything once at start, then each source on its own cron schedule and the seed folder on
// its own. One run per source at a time, whatever started it; the limiter bounds concurrency per host.
// `reconfigure` swaps in a new config while running: only the tasks of added, removed or changed sources
// change, and runs in flight finish with the config they started with.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { SEED_FOLDER_NAME, type Config, type SourceConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { Limiter } from './limiter.js';

export interface SchedulerJobs {
  runSource(source: SourceConfig): Promise<{ changedCategories: string[] }>;
  runSeedFolder(): Promise<{ changedCategories: string[] }>;
  /** Retention: run after each full pass and hourly. */
  prune?(): Promise<{ changedCategories: string[] }>;
}

/** Retention runs at this minute of every hour. */
const PRUNE_SCHEDULE = '17 * * * *';

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

/** What a reconfigure changed, by source name (`seed folder` for the seed folder). */
export interface ScheduleChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface Scheduler {
  /**
   * Runs every source and the seed folder once, then retention; resolves when all finished.
   * `skipBackedOff`: leave out sources whose last run failed and whose next run is still ahead (backoff,
   * Retry-After), so a restart does not hammer a source that asked us to wait.
   */
  runAll(options?: { skipBackedOff?: boolean }): Promise<void>;
  /** Starts the cron tasks. */
  start(): void;
  /** Stops the cron tasks and waits for runs in flight to finish. */
  stop(): Promise<void>;
  /**
   * Applies a new config (and the jobs and limiter built for it). Tasks of removed or changed sources stop,
   * new ones start; added and changed sources run once now. Runs in flight are not interrupted.
   */
  reconfigure(config: Config, jobs: SchedulerJobs, limiter?: Limiter): ScheduleChanges;
  /** Runs now, ignoring next-run times: everything, or the named source; resolves with the names run, null when unknown. */
  refresh(name?: string): Promise<string[] | null>;
  /** Names of the scheduled sources, and `seed folder` when it is scheduled. */
  scheduled(): string[];
}

export const SEED_TASK = SEED_FOLDER_NAME;
const PRUNE_TASK = 'retention';

interface Task {
  signature: string;
  task: ScheduledTask | null;
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { logger } = deps;
  let current = { config: deps.config, jobs: deps.jobs, limiter: deps.limiter };
  const tasks = new Map<string, Task>();
  let started = false;
  let stopping = false;

  const report = (result: { changedCategories: string[] }) => {
    if (result.changedCategories.length > 0) deps.onChange(result.changedCategories);
  };
  const fail = (what: string) => (error: unknown) => {
    logger.error({ source: what, error: describeError(error) }, 'run failed unexpectedly');
  };

  /**
   * One run per name at a time, whoever asks (start-up, cron, admin refresh, config reload): a request
   * while a run is in flight shares it. noOverlap alone only keeps one cron run from overlapping another.
   */
  const running = new Map<string, Promise<void>>();
  const once = (name: string, start: () => Promise<{ changedCategories: string[] }>): Promise<void> => {
    const existing = running.get(name);
    if (existing) return existing;
    const run = (async () => report(await start()))()
      .catch(fail(name))
      .finally(() => running.delete(name));
    running.set(name, run);
    return run;
  };

  const enabledSources = (config: Config) => new Map(config.sources.filter((s) => s.enabled).map((s) => [s.name, s]));
  let sources = enabledSources(current.config);

  // A run reads the config and jobs current when it starts, so a reload between runs applies to the next one.
  const runSource = (source: SourceConfig, honourNextRun: boolean | 'after-failure') => {
    const { jobs, limiter } = current;
    return once(source.name, () =>
      limiter.run(new URL(source.url).hostname, async () => {
        if (stopping) return { changedCategories: [] };
        if (honourNextRun && !(await isDue(source, honourNextRun === 'after-failure'))) return { changedCategories: [] };
        return jobs.runSource(source);
      }),
    );
  };
  const runSeed = () => {
    const { config, jobs } = current;
    if (stopping || !config.seedFolder) return Promise.resolve();
    return once(SEED_TASK, () => jobs.runSeedFolder());
  };

  const runPrune = () => {
    const prune = current.jobs.prune;
    if (stopping || !prune) return Promise.resolve();
    return once(PRUNE_TASK, () => prune());
  };

  async function isDue(source: SourceConfig, onlyAfterFailure = false): Promise<boolean> {
    const state = await deps.store.getSourceState(source.name);
    if (onlyAfterFailure && !state?.consecutiveFailures) return true;
    return !state?.nextRun || state.nextRun.getTime() <= deps.clock().getTime() + 1_000;
  }

  /** What identifies a task: a source's whole config with its effective schedule. */
  const signatures = (config: Config): Map<string, string> => {
    const out = new Map<string, string>();
    for (const source of enabledSources(config).values()) {
      out.set(source.name, JSON.stringify({ ...source, schedule: source.schedule ?? config.schedule }));
    }
    if (config.seedFolder) out.set(SEED_TASK, JSON.stringify(config.seedFolder));
    return out;
  };

  const schedule = (name: string): ScheduledTask => {
    if (name === SEED_TASK) {
      return cron.schedule(current.config.seedFolder!.schedule, () => runSeed(), { name, noOverlap: true });
    }
    const source = sources.get(name)!;
    return cron.schedule(
      source.schedule ?? current.config.schedule,
      () => {
        // The task may fire once more while a reconfigure removes it: run only what is still configured.
        const now = sources.get(name);
        return now ? runSource(now, true) : undefined;
      },
      { name, noOverlap: true, maxRandomDelay: 30_000 },
    );
  };

  const startTask = (name: string, signature: string) => {
    tasks.set(name, { signature, task: started && !stopping ? schedule(name) : null });
  };
  const stopTask = (name: string) => {
    const entry = tasks.get(name);
    tasks.delete(name);
    if (entry?.task) void Promise.resolve(entry.task.destroy()).catch(() => undefined);
  };

  for (const [name, signature] of signatures(current.config)) tasks.set(name, { signature, task: null });

  const runEverything = async (skipBackedOff = false) => {
    await Promise.all([runSeed(), ...[...sources.values()].map((source) => runSource(source, skipBackedOff && 'after-failure'))]);
    await runPrune();
  };
  let pruneTask: ScheduledTask | null = null;

  return {
    runAll: (options) => runEverything(options?.skipBackedOff),
    start() {
      started = true;
      for (const [name, entry] of tasks) if (!entry.task) entry.task = schedule(name);
      pruneTask = cron.schedule(PRUNE_SCHEDULE, () => runPrune(), { name: PRUNE_TASK, noOverlap: true });
      logger.info({ sources: sources.size, seedFolder: Boolean(current.config.seedFolder) }, 'scheduler started');
    },
    async stop() {
      stopping = true;
      await Promise.all([...tasks.values()].map((entry) => entry.task?.destroy()));
      await pruneTask?.destroy();
      await Promise.allSettled([...running.values()]);
    },
    reconfigure(config, jobs, limiter) {
      const next = signatures(config);
      const changes: ScheduleChanges = { added: [], removed: [], changed: [] };
      current = { config, jobs, limiter: limiter ?? current.limiter };
      sources = enabledSources(config);
      for (const name of [...tasks.keys()]) {
        if (!next.has(name)) {
          stopTask(name);
          changes.removed.push(name);
        }
      }
      for (const [name, signature] of next) {
        const previous = tasks.get(name);
        if (previous?.signature === signature) continue;
        if (previous) {
          stopTask(name);
          changes.changed.push(name);
        } else changes.added.push(name);
        startTask(name, signature);
        if (started && !stopping) {
          if (name === SEED_TASK) void runSeed();
          else void runSource(sources.get(name)!, false);
        }
      }
      return changes;
    },
    async refresh(name) {
      if (name === undefined) {
        await runEverything();
        return [...(current.config.seedFolder ? [SEED_TASK] : []), ...sources.keys()];
      }
      if (name === SEED_TASK && current.config.seedFolder) {
        await runSeed();
        return [SEED_TASK];
      }
      const source = sources.get(name);
      if (!source) return null;
      await runSource(source, false);
      return [name];
    },
    scheduled: () => [...tasks.keys()],
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
