// Run leases on several machines are written and compared on the database's clock, not each machine's: a lease's
// expiry is one process's "now + lease" read against another's "now", so a machine whose clock ran 90 s ahead took
// over live leases (measured in the operator trial: two workers fetching one feed at once). The offset of this
// process's clock from the database's is measured at open and every ten minutes; under a second counts as none (NTP
// keeps machines far closer; a lease is tens of seconds), so machines in sync, and tests on one clock, see no change.
import type pg from 'pg';

const CHECK_EVERY_MS = 10 * 60_000;
const RETRY_MS = 10_000;
/** A measurement whose round trip took longer than this is too uncertain to use: the last offset stays. */
const MAX_ROUND_TRIP_MS = 500;
const NEGLIGIBLE_MS = 1_000;

/** Milliseconds to add to this process's clock to read the database's; undefined when the measure is unusable. */
export async function measureClockOffset(pool: pg.Pool): Promise<number | undefined> {
  const before = Date.now();
  const { rows: [row] } = await pool.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms');
  const after = Date.now();
  if (after - before > MAX_ROUND_TRIP_MS) return undefined;
  const offset = Math.round(row!.ms - (before + after) / 2);
  return Math.abs(offset) < NEGLIGIBLE_MS ? 0 : offset;
}

export interface DatabaseClock {
  /** The store's clock moved onto the database's (by the measured offset), in milliseconds. */
  nowMs(): number;
  stop(): void;
}

/** Follows the database's clock; a failed or too uncertain measure (the database away or slow) is tried again in 10 s. */
export async function followDatabaseClock(pool: pg.Pool, clock: () => Date): Promise<DatabaseClock> {
  let offset = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const measure = async () => {
    const measured = await measureClockOffset(pool).catch(() => undefined);
    if (measured !== undefined) offset = measured;
    if (stopped) return;
    timer = setTimeout(() => void measure(), measured === undefined ? RETRY_MS : CHECK_EVERY_MS);
    timer.unref();
  };
  await measure();
  return {
    nowMs: () => clock().getTime() + offset,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
