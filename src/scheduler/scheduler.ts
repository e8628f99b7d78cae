// Drives ingestion: everything once at start, then each source on its own cron schedule and the seed folder on
// its own. One run per source at a time, whatever started it; the limiter bounds concurrency per host in this
// process, and every run is claimed with a lease in the store (run-leases.ts), so other processes sharing the
// database neither run it at the same time nor again for the same due time.
// `reconfigure` swaps in a new config while running: only the tasks of added, removed or changed sources
// change, and runs in flight finish with the config they started with.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { SEED_FOLDER_NAME, type Config, type SourceConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import { discoveredFeedOf } from '../ingest/run-feed-source.js';
import type { RunDue, Store } from '../store/store.js';
import { alignNextRuns, scheduledRuns } from './align-next-runs.js';
import { cronLogger } from './cron-logger.js';
import { jitterMs } from './cron-times.js';
import type { Limiter } from './limiter.js';
import { createRunLeases, claimRetryDelay, leaseMsOf, leaseSweepLog, type RunLeases } from './run-leases.js';

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
  /** The leases this process claims runs with; default: a new owner on `store`. */
  leases?: RunLeases;
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
   * `onlyDue`: run only what is due, the seed folder too (a worker joining others: it does not refetch
   * what they just fetched). Neither (a refresh, a one-shot ingest): a run another process holds is waited for
   * and then run again.
   */
  runAll(options?: { skipBackedOff?: boolean; onlyDue?: boolean }): Promise<void>;
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
  const leases = deps.leases ?? createRunLeases(deps.store, logger);
  let current = { config: deps.config, jobs: deps.jobs, limiter: deps.limiter };
  const tasks = new Map<string, Task>();
  let started = false;
  let stopping = false;

  const fail = (what: string) => (error: unknown) => {
    logger.error({ source: what, error: describeError(error) }, 'run failed unexpectedly');
  };
  const sweepLog = leaseSweepLog(logger);

  /**
   * One run per name at a time, whoever asks (start-up, cron, admin refresh, config reload): a request
   * while a run is in flight shares it. noOverlap alone only keeps one cron run from overlapping another.
   */
  const running = new Map<string, Promise<void>>();
  const once = (name: string, start: () => Promise<unknown>): Promise<void> => {
    const existing = running.get(name);
    if (existing) return existing;
    // What a run changed reaches every process through the store's change feed, not from here.
    const run = (async () => void (await start()))()
      .catch(fail(name))
      .finally(() => running.delete(name));
    running.set(name, run);
    return run;
  };

  const enabledSources = (config: Config) => new Map(config.sources.filter((s) => s.enabled).map((s) => [s.name, s]));
  let sources = enabledSources(current.config);

  const nothing = { changedCategories: [] as string[] };
  /**
   * `waitIfHeld`: a run asked for now (a refresh, a one-shot ingest) whose source another process is running
   * waits for that run to end, or for its lease to expire if that process died, and then runs, so what it
   * reports as run was fetched after it asked. Other runs (cron, start-up, a reloaded source) leave it to the holder.
   */
  const mustWait = (status: string | undefined, waitIfHeld: boolean) => waitIfHeld && status === 'held';
  // A run reads the config and jobs current when it starts, so a reload between runs applies to the next one.
  // The claim is made once a local slot is free, right before fetching, so a lease is not spent waiting here.
  const runSource = (source: SourceConfig, due: RunDue, waitIfHeld = false) =>
    once(source.name, async () => {
      const host = await polledHost(source);
      for (let attempt = 0; !stopping; attempt++) {
        const { config, jobs, limiter } = current;
        const claim = { name: source.name, host, perHost: config.fetch.perHost, leaseMs: leaseMsOf(config), due };
        const run = await limiter.run(host, () => (stopping ? Promise.resolve(null) : leases.run(claim, () => jobs.runSource(source))));
        // Other workers hold this host's slots (or this run): give the local slot back and ask again shortly.
        if (run?.status === 'host-busy' || mustWait(run?.status, waitIfHeld)) await claimRetryDelay(attempt);
        else return run?.status === 'ran' ? run.value : nothing;
      }
      return nothing;
    });
  /** The host a run fetches from: a feed discovered on the source's page may live on another host than the page. */
  const polledHost = async (source: SourceConfig): Promise<string> => {
    const state = await deps.store.getSourceState(source.name).catch(() => null);
    return new URL(discoveredFeedOf(source, state) ?? source.url).hostname;
  };
  const runSeed = (due: RunDue, waitIfHeld = false) => {
    const { config, jobs } = current;
    if (stopping || !config.seedFolder) return Promise.resolve();
    const claim = { name: SEED_TASK, host: null, perHost: 0, leaseMs: leaseMsOf(config), due };
    return once(SEED_TASK, async () => {
      for (let attempt = 0; !stopping; attempt++) {
        const run = await leases.run(claim, () => jobs.runSeedFolder());
        if (!mustWait(run.status, waitIfHeld)) return run.status === 'ran' ? run.value : nothing;
        await claimRetryDelay(attempt);
      }
      return nothing;
    });
  };

  const runPrune = () => {
    const prune = current.jobs.prune;
    if (stopping || !prune) return Promise.resolve();
    return once(PRUNE_TASK, () => prune());
  };

  /** What identifies a task: a source's whole config with its effective schedule. */
  const signatures = (config: Config): Map<string, string> => {
    const out = new Map<string, string>();
    for (const source of enabledSources(config).values()) {
      out.set(source.name, JSON.stringify({ ...source, schedule: source.schedule ?? config.schedule }));
    }
    if (config.seedFolder) out.set(SEED_TASK, JSON.stringify(config.seedFolder));
    return out;
  };

  const sameButSchedule = (a: string, b: string): boolean => {
    const withoutSchedule = (signature: string) => JSON.stringify({ ...JSON.parse(signature), schedule: undefined });
    return withoutSchedule(a) === withoutSchedule(b);
  };

  const schedule = (name: string): ScheduledTask => {
    if (name === SEED_TASK) {
      return cron.schedule(current.config.seedFolder!.schedule, () => runSeed('due'), { name, noOverlap: true, logger: cronLogger(logger, name) });
    }
    const source = sources.get(name)!;
    return cron.schedule(
      source.schedule ?? current.config.schedule,
      () => {
        // The task may fire once more while a reconfigure removes it: run only what is still configured.
        const now = sources.get(name);
        return now ? runSource(now, 'due') : undefined;
      },
      { name, noOverlap: true, maxRandomDelay: jitterMs(source.schedule ?? current.config.schedule), logger: cronLogger(logger, name) },
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

  const runEverything = async (options: { skipBackedOff?: boolean; onlyDue?: boolean } = {}) => {
    const due: RunDue = options.onlyDue ? 'due' : options.skipBackedOff ? 'not-backed-off' : 'always';
    const now = !options.onlyDue && !options.skipBackedOff;
    await leases.findOrphanedRuns().then(sweepLog.answered, sweepLog.failed('lease clean-up'));
    if (!now) await alignNextRuns(deps.store, scheduledRuns(current.config, deps.clock()), logger);
    // Workers joining a pass start at a random place in the list, so two of them do not queue on the same hosts.
    const order = [...sources.values()];
    if (options.onlyDue) order.push(...order.splice(0, Math.floor(Math.random() * order.length)));
    await Promise.all([runSeed(options.onlyDue ? 'due' : 'always', now), ...order.map((source) => runSource(source, due, now))]);
    await runPrune();
  };
  let pruneTask: ScheduledTask | null = null;

  // The runs of a worker that died (its leases expired unreleased) are claimed again by whoever sweeps first.
  let sweep: NodeJS.Timeout | undefined;
  const sweepExpired = async () => {
    const orphaned = await leases.findOrphanedRuns();
    sweepLog.answered();
    for (const name of orphaned) {
      if (name === SEED_TASK) void runSeed('due');
      else if (sources.has(name)) void runSource(sources.get(name)!, 'due');
    }
  };

  return {
    runAll: (options) => runEverything(options),
    start() {
      started = true;
      for (const [name, entry] of tasks) if (!entry.task) entry.task = schedule(name);
      pruneTask = cron.schedule(PRUNE_SCHEDULE, () => runPrune(), { name: PRUNE_TASK, noOverlap: true, logger: cronLogger(logger, PRUNE_TASK) });
      sweep = setInterval(() => void sweepExpired().catch(sweepLog.failed('lease sweep')), Math.max(100, leaseMsOf(current.config) / 4));
      sweep.unref();
      logger.info({ sources: sources.size, seedFolder: Boolean(current.config.seedFolder) }, 'scheduler started');
    },
    async stop() {
      stopping = true;
      clearInterval(sweep);
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
          if (name === SEED_TASK) void runSeed('always');
          // A new or edited source runs at once; one whose schedule alone changed (its own, or the default it uses)
          // still honours a failure's backoff and a wait the feed asked for (Retry-After, <ttl>).
          else void runSource(sources.get(name)!, previous && sameButSchedule(previous.signature, signature) ? 'not-backed-off' : 'always');
        }
      }
      return changes;
    },
    async refresh(name) {
      let made: string[];
      if (name === undefined) {
        await runEverything();
        made = [...(current.config.seedFolder ? [SEED_TASK] : []), ...sources.keys()];
      } else if (name === SEED_TASK && current.config.seedFolder) {
        await runSeed('always', true);
        made = [SEED_TASK];
      } else {
        const source = sources.get(name);
        if (!source) return null;
        await runSource(source, 'always', true);
        made = [name];
      }
      // Runs a stop cut short were not made: not reported as refreshed (a recorded request stays open for another worker).
      if (stopping) throw new Error('refresh interrupted: the process is stopping');
      return made;
    },
    scheduled: () => [...tasks.keys()],
  };
}
