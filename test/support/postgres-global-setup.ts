// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (postgres-cluster.ts), its URL
// given to the tests as inject('postgresUrl'); stopped and deleted at the end, also when tests fail.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster.js';
import { selectedBackends } from './test-backends.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  // `npm run test:fast` runs the store suite on SQLite only: no cluster to start.
  if (!selectedBackends(process.env).includes('postgres')) return () => undefined;
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
