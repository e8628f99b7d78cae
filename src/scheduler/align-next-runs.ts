// A restart with another schedule: next-run times stored under the old one are brought forward to the new
// schedule's next time, never before what a source asked for or its failure backoff, so shortening a schedule
// from hourly to every 5 minutes takes effect within 5 minutes, not after the hour. A longer schedule does not
// push a stored time back: that one run keeps its time and the runs after it follow the new schedule.
import type { Logger } from 'pino';
import { SEED_FOLDER_NAME, type Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/store.js';
import { cronNext } from './cron-times.js';

export interface ScheduledRun {
  name: string;
  /** The current schedule's next time; null when it never fires again. */
  scheduleNext: Date | null;
  /** False for the seed folder: it has no waits of its own, so its failures hold no backoff to keep. */
  waitsRecorded: boolean;
}

/** Every scheduled run of a config (enabled sources, the seed folder) with its schedule's next time after `now`. */
export function scheduledRuns(config: Config, now: Date): ScheduledRun[] {
  const runs = config.sources.filter((s) => s.enabled).map((s) => ({ name: s.name, scheduleNext: cronNext(s.schedule ?? config.schedule, now), waitsRecorded: true }));
  if (config.seedFolder) runs.push({ name: SEED_FOLDER_NAME, scheduleNext: cronNext(config.seedFolder.schedule, now), waitsRecorded: false });
  return runs;
}

export async function alignNextRuns(store: Store, runs: readonly ScheduledRun[], logger: Logger): Promise<void> {
  for (const run of runs) {
    if (!run.scheduleNext) continue;
    try {
      const moved = await store.bringNextRunForward(run.name, run.scheduleNext, { waitsRecorded: run.waitsRecorded });
      if (moved) {
        logger.info({ source: run.name, from: moved.from.toISOString(), next_run: moved.to.toISOString() }, 'next run moved to the new schedule');
      }
    } catch (error) {
      // The stored time stays: the run happens then, as before.
      logger.warn({ source: run.name, error: describeError(error) }, 'could not move the next run to the new schedule');
    }
  }
}
