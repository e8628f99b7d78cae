// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (postgres-cluster.ts), its URL
// given to the tests as inject('postgresUrl'); stopped and deleted at the end, also when tests fail.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { selectedBackends } from './test-backends.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/**
 * vitest runs a global setup once for the root and once per project (fast, slow), each with its own copy of this
 * module: one cluster, kept on the process, serves them all and is stopped after the last.
 */
const shared = ((globalThis as { aggregatorTestCluster?: { cluster: Promise<PostgresCluster> | undefined; users: number } })
  .aggregatorTestCluster ??= { cluster: undefined, users: 0 });

export default async function setup(project: TestProject): Promise<() => void> {
  // `npm run test:fast` runs the store suite on SQLite only: no cluster to start.
  if (!selectedBackends(process.env).includes('postgres')) return () => undefined;
  shared.cluster ??= startPostgresCluster();
  shared.users++;
  const cluster = await shared.cluster;
  project.provide('postgresUrl', cluster.url);
  return () => {
    if (--shared.users > 0) return;
    cluster.stop();
    shared.cluster = undefined;
  };
}
