// The service's command line: `--config FILE` (or AGGREGATOR_CONFIG), `--port N` (or PORT) overriding
// `server.port` so several processes can share one config file.
import { parseArgs } from 'node:util';
import { resolveConfigPath } from '../config/load-config.js';

export interface ServiceArgs {
  configFile: string;
  /** `--port` or PORT; undefined: `server.port` from the config. */
  port: number | undefined;
}

export class UsageError extends Error {}

function parsePort(value: string, where: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new UsageError(`${where}: invalid port "${value}" (use 0-65535)`);
  return port;
}

export function parseServiceArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServiceArgs {
  let values: { config?: string | undefined; port?: string | undefined };
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, port: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: npm start -- [--config FILE] [--port N]`);
  }
  const port = values.port !== undefined ? parsePort(values.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : undefined;
  return { configFile: resolveConfigPath(argv, env), port };
}
