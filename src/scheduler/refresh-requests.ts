// POST /admin/refresh in a split deployment (README "Scaling out"): a `web` process runs no scheduler, so it
// records the request in the store and answers 202; every worker looks for open requests each second, and the
// one that claims a request's run lease (`refresh request N`, renewed while it runs) runs it with its scheduler
// and records the names run. A worker that dies mid-refresh leaves a lease that expires, and another worker
// takes the request over, as it would a source run.
import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import { createOutageLog, LONGEST_SUMMARY_MS } from '../observability/database-failure-log.js';
import { isDatabaseUnavailable } from '../store/database-unavailable.js';
import type { RefreshRequest, Store } from '../store/store.js';
import type { RunLeases } from './run-leases.js';
import type { Scheduler } from './scheduler.js';

export const refreshLeaseName = (id: number): string => `refresh request ${id}`;

/** What GET /admin/refresh/ID answers. */
export interface RefreshStatus {
  id: number;
  /** The source asked for; null: every source and the seed folder. */
  source: string | null;
  /** `running`: a worker holds the request's lease; `unknown-source`: the worker's config has no such source. */
  state: 'pending' | 'running' | 'done' | 'unknown-source';
  requestedAt: string;
  finishedAt: string | null;
  /** The lease owner (`host:pid:random`) while running. */
  runBy: string | null;
  refreshed: string[] | null;
}

export async function refreshStatus(store: Store, request: RefreshRequest): Promise<RefreshStatus> {
  const lease = request.finishedAt ? undefined : (await store.listRunLeases()).find((l) => l.name === refreshLeaseName(request.id) && !l.expired);
  const state = request.finishedAt ? (request.refreshed ? 'done' : 'unknown-source') : lease ? 'running' : 'pending';
  return {
    id: request.id, source: request.source, state,
    requestedAt: request.requestedAt.toISOString(),
    finishedAt: request.finishedAt?.toISOString() ?? null,
    runBy: lease?.owner ?? null,
    refreshed: request.refreshed,
  };
}

export interface RefreshFollower {
  stop(): Promise<void>;
}

/** A worker's side: every `intervalMs`, claims open requests one at a time and runs them. */
export function followRefreshRequests(deps: { store: Store; scheduler: Scheduler; leases: RunLeases; leaseMs: () => number; logger: Logger; intervalMs?: number }): RefreshFollower {
  const { store, scheduler, leases, logger } = deps;
  // The database down: asked each second, it would fail each second; its first failure whole, then a line a window.
  const outage = createOutageLog(logger, {
    messages: { first: 'refresh requests: reading or running failed', summary: 'refresh requests: still failing, database unavailable', ended: 'refresh requests: the database answers again' },
    endsWhen: 'answered', longestWindowMs: LONGEST_SUMMARY_MS,
  });
  const failed = (error: unknown) => {
    if (isDatabaseUnavailable(error)) outage.failed(error);
    else logger.warn({ error: describeError(error) }, 'refresh requests: reading or running failed');
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const runOne = async (request: RefreshRequest) => {
    const claim = { name: refreshLeaseName(request.id), host: null, perHost: 0, leaseMs: deps.leaseMs(), due: 'always' as const };
    await leases.run(claim, async () => {
      // Finished by another worker between the listing and this claim.
      if ((await store.getRefreshRequest(request.id))?.finishedAt) return;
      logger.info({ request: request.id, source: request.source ?? 'everything' }, 'refresh request: running');
      const refreshed = await scheduler.refresh(request.source ?? undefined);
      await store.finishRefreshRequest(request.id, refreshed);
      logger.info({ request: request.id, refreshed: refreshed?.length ?? 'unknown source' }, 'refresh request: finished');
    });
  };
  const tick = async () => {
    const open = await store.listOpenRefreshRequests(10);
    outage.answered();
    for (const request of open) {
      if (stopped) return;
      await runOne(request);
    }
  };
  let current: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = tick().catch(failed).finally(schedule);
    }, deps.intervalMs ?? 1_000);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
