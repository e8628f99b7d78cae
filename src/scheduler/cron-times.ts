// Cron times of a schedule expression, read from node-cron: the next firing, and the jitter that spreads runs.
import cron from 'node-cron';

/** The next `count` times a cron expression fires, from the real clock. */
function nextRuns(expression: string, count: number): Date[] {
  const task = cron.createTask(expression, () => undefined);
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}

/** The next time a cron expression fires after `now`. */
export function cronNext(expression: string, now: Date): Date | null {
  return nextRuns(expression, 1).find((date) => date.getTime() > now.getTime()) ?? null;
}

/**
 * The random delay spreading a schedule's runs: 30 s, or a quarter of the schedule's interval when that is
 * shorter (a schedule in seconds must not be pushed past its next firing).
 */
export function jitterMs(expression: string): number {
  const [first, second] = nextRuns(expression, 2);
  return first && second ? Math.min(30_000, Math.floor((second.getTime() - first.getTime()) / 4)) : 30_000;
}
