// A restart with another schedule: next-run times stored under the old one are brought forward to the new
// schedule's next time, never before what a source asked for or its failure backoff, so shortening a schedule
// from hourly to every 5 minutes takes effect within 5 minutes, not after the hour. A longer schedule does not
// push a stored time back: that one run keeps its time and the runs after it follow the new schedule.
import type { Logger } from 'pino';
import { SEED_FOLDER_NAME, type Config } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { ScheduleNext, Store } from '../store/store.js';
import { cronNext } from './cron-times.js';

/** Every scheduled run of a config (enabled sources, the seed folder) with its schedule's next time after `now`. */
export function scheduledRuns(config: Config, now: Date): ScheduleNext[] {
  const runs = config.sources.filter((s) => s.enabled).map((s) => ({ name: s.name, scheduleNext: cronNext(s.schedule ?? config.schedule, now), waitsRecorded: true }));
  // The seed folder has no waits of its own, so its failures hold no backoff to keep.
  if (config.seedFolder) runs.push({ name: SEED_FOLDER_NAME, scheduleNext: cronNext(config.seedFolder.schedule, now), waitsRecorded: false });
  // A schedule that never fires again has no next time to move to.
  return runs.filter((run): run is ScheduleNext => run.scheduleNext !== null);
}

export async function alignNextRuns(store: Store, runs: readonly ScheduleNext[], logger: Logger): Promise<void> {
  try {
    for (const moved of await store.bringNextRunsForward(runs)) {
      logger.info({ source: moved.name, from: moved.from.toISOString(), next_run: moved.to.toISOString() }, 'next run moved to the new schedule');
    }
  } catch (error) {
    // The stored times stay: the runs happen then, as before.
    logger.warn({ error: describeError(error) }, 'could not move the next runs to the new schedule');
  }
}
