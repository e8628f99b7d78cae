// node-cron's own messages (a run still going when its next tick comes, a tick missed while the process was
// busy) go through the service's logger, as JSON lines naming the task, instead of coloured text on stdout
// that breaks every log collector reading the service's JSON.
import type { Logger as CronLogger } from 'node-cron';
import type { Logger } from '../logger.js';

export function cronLogger(logger: Logger, task: string): CronLogger {
  const log = logger.child({ task });
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) => (message instanceof Error ? log.error({ err: message }, 'scheduled task failed') : log.error({ err }, message)),
    debug: (message, err) => (message instanceof Error ? log.debug({ err: message }, 'scheduled task') : log.debug({ err }, message)),
  };
}
