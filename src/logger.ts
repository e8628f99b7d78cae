// Structured logs: pino JSON, pretty-printed when stdout is a terminal. Level from LOG_LEVEL, else config.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const resolved = env.LOG_LEVEL || level;
  if (process.stdout.isTTY && env.LOG_FORMAT !== 'json') {
    return pino({ level: resolved, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } });
  }
  return pino({ level: resolved });
}
