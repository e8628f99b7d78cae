// Every run goes through a lease in the store, so any number of workers share the polling without a
// coordinator: one worker runs a source per due time, `fetch.perHost` holds across all of them (the store
// counts live leases per host), and the runs of a worker that died are taken over once its leases expire.
// Per process: `fetch.concurrency`, the queue of runs waiting for a slot, and the heartbeat below.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import { createOutageLog, LONGEST_SUMMARY_MS } from '../observability/database-failure-log.js';
import { isDatabaseUnavailable } from '../store/database-unavailable.js';
import type { RunClaim, Store } from '../store/store.js';

/** Who claims: unique per process, readable in the database (`host:pid:random`). */
export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** How long a lease lives unless renewed: the fetch timeout plus a margin for parsing and storing. */
export function leaseMsOf(config: Config): number {
  return config.fetch.timeout + config.fetch.leaseMargin;
}

export type LeasedRun<T> = { status: 'ran'; value: T } | { status: 'held' | 'not-due' | 'host-busy' };

export interface RunLeases {
  /** Claims `claim.name`, runs `work` under the lease and releases it; `work` does not run when refused. */
  run<T>(claim: Omit<RunClaim, 'owner'>, work: () => Promise<T>): Promise<LeasedRun<T>>;
  owner: string;
  /**
   * Releases the leases of processes on this machine that are gone (a crash or kill -9 of the previous run):
   * a restart need not wait for them to expire. Leases of other machines are left to expire. Returns the names
   * released, and those whose lease expired: the runs to claim again.
   */
  findOrphanedRuns(): Promise<string[]>;
}

export function createRunLeases(store: Store, logger: Logger, owner = newLeaseOwner()): RunLeases {
  const held = new Map<string, number>();
  let heartbeat: NodeJS.Timeout | undefined;

  // While this process holds leases it renews them at a third of the shortest lease, so a long run (a large seed
  // import) keeps its lease and only a dead or frozen process loses it.
  const beat = () => {
    clearInterval(heartbeat);
    heartbeat = undefined;
    if (held.size === 0) return;
    const leaseMs = Math.min(...held.values());
    heartbeat = setInterval(() => {
      store.renewRuns(owner, leaseMs).catch((error: unknown) => logger.warn({ error: describeError(error) }, 'renewing run leases failed'));
    }, Math.max(50, Math.floor(leaseMs / 3)));
    heartbeat.unref();
  };

  return {
    owner,
    async findOrphanedRuns() {
      const local = `${hostname()}:`;
      const orphaned: string[] = [];
      for (const lease of await store.listRunLeases()) {
        const pid = lease.owner.startsWith(local) && lease.owner !== owner ? Number(lease.owner.slice(local.length).split(':')[0]) : NaN;
        if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
          await store.releaseRun(lease.name, lease.owner);
          orphaned.push(lease.name);
        } else if (lease.expired) orphaned.push(lease.name);
      }
      return orphaned;
    },
    async run(claim, work) {
      let result: Awaited<ReturnType<Store['claimRun']>>;
      try {
        result = await store.claimRun({ ...claim, owner });
      } catch (error) {
        // The database cannot take the claim (locked, unreachable): the run goes on unleased and reports its own
        // store errors, by source, as a run always has; at worst another worker fetches it too, and the
        // store's dedup keeps one story.
        logger.warn({ source: claim.name, error: describeError(error) }, 'claiming the run failed; running it without a lease');
        return { status: 'ran', value: await work() };
      }
      if (!result.claimed) return { status: result.reason };
      held.set(claim.name, claim.leaseMs);
      if (held.size === 1) beat();
      try {
        return { status: 'ran', value: await work() };
      } finally {
        held.delete(claim.name);
        if (held.size === 0) beat();
        // A lease left behind expires on its own; the next claim after that proceeds.
        await store.releaseRun(claim.name, owner).catch((error: unknown) => logger.warn({ source: claim.name, error: describeError(error) }, 'releasing run lease failed'));
      }
    },
  };
}

/**
 * The failures of the lease sweep (every quarter lease, 15 s by default) and clean-up: with the database down they
 * are one outage, its first failure whole, then a line a window and one when the database answers again; any
 * other error is logged whole, each time.
 */
export function leaseSweepLog(logger: Logger): { failed(what: string): (error: unknown) => void; answered(): void } {
  const outage = createOutageLog(logger, {
    messages: { first: 'run failed unexpectedly', summary: 'lease sweep: still failing, database unavailable', ended: 'lease sweep: the database answers again' },
    endsWhen: 'answered', longestWindowMs: LONGEST_SUMMARY_MS,
  });
  return {
    failed: (what) => (error) => {
      if (isDatabaseUnavailable(error)) outage.failed(error, { source: what });
      else logger.error({ source: what, error: describeError(error) }, 'run failed unexpectedly');
    },
    answered: () => outage.answered(),
  };
}

/** Waits before claiming again a run refused for now (its host's slots, or the run itself, held elsewhere): 20 ms doubling to 500 ms, jittered. */
export function claimRetryDelay(attempt: number): Promise<void> {
  const ms = Math.min(500, 20 * 2 ** attempt) * (0.5 + Math.random() / 2);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
