// The admin token in effect: AGGREGATOR_ADMIN_TOKEN over config `admin.token`, both held to the same
// minimum length (a short token in the environment would otherwise slip past the file's check).
import { ConfigError } from '../errors.js';
import { adminToken } from './schema.js';

export const ADMIN_TOKEN_ENV = 'AGGREGATOR_ADMIN_TOKEN';

/** The environment's token, checked; undefined when unset or empty. Throws ConfigError when too short. */
export function envAdminToken(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[ADMIN_TOKEN_ENV];
  if (!value) return undefined;
  const checked = adminToken.safeParse(value);
  if (!checked.success) throw new ConfigError(ADMIN_TOKEN_ENV, checked.error.issues.map((issue: { message: string }) => `${ADMIN_TOKEN_ENV}: ${issue.message}`));
  return value;
}
