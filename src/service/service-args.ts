// The service's command line: `--config FILE` (or AGGREGATOR_CONFIG), `--port N` (or PORT) overriding
// `server.port` and `--role all|web|worker` overriding `server.role`, so several processes can share one config file.
import { parseArgs } from 'node:util';
import { resolveConfigPath } from '../config/load-config.js';
import type { Config } from '../config/schema.js';

export type Role = Config['server']['role'];
const ROLES: readonly Role[] = ['all', 'web', 'worker'];

export interface ServiceArgs {
  configFile: string;
  /** `--port` or PORT; undefined: `server.port` from the config. */
  port: number | undefined;
  /** `--role`; undefined: `server.role` from the config. */
  role: Role | undefined;
}

export class UsageError extends Error {}

function parsePort(value: string, where: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new UsageError(`${where}: invalid port "${value}" (use 0-65535)`);
  return port;
}

export function parseServiceArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServiceArgs {
  let values: { config?: string | undefined; port?: string | undefined; role?: string | undefined };
  const usage = 'usage: npm start -- [--config FILE] [--port N] [--role all|web|worker]';
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, port: { type: 'string' }, role: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  if (values.role !== undefined && !ROLES.includes(values.role as Role)) throw new UsageError(`--role: invalid role "${values.role}"\n${usage}`);
  const port = values.port !== undefined ? parsePort(values.port, '--port') : env.PORT ? parsePort(env.PORT, 'PORT') : undefined;
  return { configFile: resolveConfigPath(argv, env), port, role: values.role as Role | undefined };
}
