// vitest globalSetup: one throwaway PostgreSQL cluster for the whole run (postgres-cluster.ts), its URL
// given to the tests as inject('postgresUrl'); stopped and deleted at the end, also when tests fail.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
