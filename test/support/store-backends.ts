// The store's test suite runs against both backends with the same assertions: `describe.each(BACKENDS)`
// and `openBackendStore(backend, …)` for a fresh, empty store per test (SQLite in memory; PostgreSQL a
// new schema in the throwaway cluster's database).
import pg from 'pg';
import { afterEach, inject } from 'vitest';
import { openDatabase } from '../../src/store/open-database.js';
import type { DedupPolicy, Store } from '../../src/store/store.js';

import { selectedBackends, type Backend } from './test-backends.js';

export type { Backend };
/** Both, unless AGGREGATOR_TEST_BACKENDS narrows them (`npm run test:fast` runs SQLite only, with no cluster). */
export const BACKENDS: readonly Backend[] = selectedBackends(process.env);

let admin: pg.Pool | undefined;
let schemas = 0;

/** A URL of a new, empty schema in the test cluster (the store creates its tables there). */
export async function freshPostgresUrl(): Promise<string> {
  const base = inject('postgresUrl');
  admin ??= new pg.Pool({ connectionString: base, max: 1, allowExitOnIdle: true });
  const schema = `t_${process.pid}_${++schemas}_${Date.now().toString(36)}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  return `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** Runs `work` with a client connected to a PostgreSQL URL (a schema from freshPostgresUrl), then disconnects. */
export async function withPostgresClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Where a fresh store of `backend` lives: `:memory:` or a new PostgreSQL schema. */
export async function freshDatabase(backend: Backend): Promise<string> {
  return backend === 'sqlite' ? ':memory:' : freshPostgresUrl();
}

/** A store at `database` (a path or URL, e.g. from freshDatabase), opened as the service would; closed after the test. */
export async function openStoreAt(database: string, policy: DedupPolicy, options: { clock?: () => Date } = {}): Promise<Store> {
  const store = await openDatabase(database, policy, options);
  opened.push(store);
  return store;
}

/** A fresh, empty store; closed after the test. */
export async function openBackendStore(backend: Backend, policy: DedupPolicy, options: { clock?: () => Date } = {}): Promise<Store> {
  return openStoreAt(await freshDatabase(backend), policy, options);
}

// Every store a test opened is closed after it, so PostgreSQL pools never pile up across tests.
const opened: Store[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
