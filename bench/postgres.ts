// PostgreSQL beside SQLite, in one run on one throwaway cluster (started like the tests'): the seed import
// of the same folder into each (articles/s and their ratio, alternating per run), and a 50-item category
// feed rendered from a 10k and a 1M-story PostgreSQL store (the same scale ratio SQLite is held to).
import path from 'node:path';
import pg from 'pg';
import { createDedupPolicy } from '../src/ingest/dedup.js';
import { openPostgresStore } from '../src/store/postgres/open-postgres-store.js';
import type { Store } from '../src/store/store.js';
import { startPostgresCluster } from '../test/support/postgres-cluster.js';
import type { GeneratedSeedFolder } from './generate.js';
import { tempDir } from './generate.js';
import { openBenchStore, runSeed } from './seed-import.js';
import { fillStore, renderScaleRows } from './store-scale.js';
import { collect, summaryRow, type BenchResult, type BenchRow } from './stats.js';

export interface PostgresBenchOptions {
  folder: GeneratedSeedFolder;
  runs: number;
  /** Stories in the large store (1,000,000 full, 100,000 small). */
  large: number;
  small?: number;
  rounds?: number;
  log?: (line: string) => void;
}

const DAY_MS = 86_400_000;
const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`);

/** A throwaway cluster (started like the tests') handing out stores, each in a database of its own. */
export interface BenchPostgres {
  /** A store in a new database, or in the named one (created when missing, kept otherwise: --stores). */
  openStore(options?: { clock?: () => Date; database?: string; keptConnections?: number; warmSearch?: boolean }): Promise<Store>;
  /** Drops a database (a kept store whose build did not finish). */
  dropDatabase(name: string): Promise<void>;
  /** Bytes of the database the last store opened lives in. */
  lastDatabaseBytes(): Promise<number>;
  /** Runs a query in the database the last store opened lives in (index sizes). */
  queryLast<R extends pg.QueryResultRow>(text: string): Promise<R[]>;
  stop(): Promise<void>;
}

/** `keepIn`: the cluster's folder, kept between runs (built stores reused); a throwaway one otherwise. */
export async function startBenchPostgres(options: { keepIn?: string } = {}): Promise<BenchPostgres> {
  const cluster = await startPostgresCluster({ durable: true, ...(options.keepIn ? { keepIn: options.keepIn } : {}) });
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  let databases = 0;
  let lastDatabase = '';
  const urlOf = (name: string) => cluster.url.replace(/\/postgres$/, `/${name}`);
  return {
    async openStore({ database, ...options } = {}) {
      const name = database ?? `bench_${++databases}`;
      lastDatabase = name;
      const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
      if (!exists) await admin.query(`CREATE DATABASE ${name}`);
      return openPostgresStore(urlOf(name), createDedupPolicy(0.5 * DAY_MS), options);
    },
    async dropDatabase(name) {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    },
    lastDatabaseBytes: async () => Number((await admin.query<{ n: string }>('SELECT pg_database_size($1) AS n', [lastDatabase])).rows[0]!.n),
    async queryLast<R extends pg.QueryResultRow>(text: string) {
      const client = new pg.Client({ connectionString: urlOf(lastDatabase) });
      await client.connect();
      try {
        return (await client.query<R>(text)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await admin.end();
      cluster.stop();
    },
  };
}

export async function benchPostgres(options: PostgresBenchOptions): Promise<BenchResult> {
  const log = options.log ?? (() => {});
  const postgres = await startBenchPostgres();
  try {
    const rows = await seedImport(options, () => postgres.openStore(), log);
    rows.push(...(await renderScale(options, () => postgres.openStore(), () => postgres.lastDatabaseBytes(), log)));
    return { rows };
  } finally {
    await postgres.stop();
  }
}

async function timeImport(store: Store, root: string, files: number): Promise<number> {
  collect();
  const start = performance.now();
  const summary = await runSeed(store, root);
  const elapsed = performance.now() - start;
  await store.close();
  if (summary.error || summary.filesRead !== files) throw new Error(`import failed: ${summary.error ?? `${summary.filesRead}/${files} files read`}`);
  return (files / elapsed) * 1000;
}

async function seedImport(options: PostgresBenchOptions, openPg: () => Promise<Store>, log: (line: string) => void): Promise<BenchRow[]> {
  const files = options.folder.articleFiles.length;
  const work = tempDir('pg-seed');
  const sqliteRate: number[] = [];
  const pgRate: number[] = [];
  const ratio: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    // Alternating which goes first, so neither always meets a warmer machine.
    const sqlite = async () => timeImport(await openBenchStore(path.join(work, `import-${run}.db`)), options.folder.root, files);
    const postgres = async () => timeImport(await openPg(), options.folder.root, files);
    let s: number;
    let p: number;
    if (run % 2 === 0) {
      s = await sqlite();
      p = await postgres();
    } else {
      p = await postgres();
      s = await sqlite();
    }
    sqliteRate.push(s);
    pgRate.push(p);
    ratio.push(p / s);
    log(`  run ${run + 1}: SQLite ${s.toFixed(0)}, PostgreSQL ${p.toFixed(0)} articles/s`);
  }
  const label = `${k(files)} files`;
  return [
    summaryRow(`seed import of ${label} into SQLite (same run as PostgreSQL)`, sqliteRate, 'articles/s'),
    summaryRow(`seed import of ${label} into PostgreSQL`, pgRate, 'articles/s'),
    summaryRow('seed import rate PostgreSQL ÷ SQLite (same run)', ratio, '×'),
  ];
}

async function renderScale(options: PostgresBenchOptions, openPg: () => Promise<Store>, lastSize: () => Promise<number>, log: (line: string) => void): Promise<BenchRow[]> {
  const smallCount = options.small ?? 10_000;
  const rounds = options.rounds ?? 5;
  const small = await openPg();
  await fillStore(small, smallCount);
  const large = await openPg();
  const buildMs = await fillStore(large, options.large, (done) => {
    if (done % 200_000 === 0) log(`  ${done} stories stored in PostgreSQL`);
  });
  log(`built ${options.large} stories in PostgreSQL in ${(buildMs / 1000).toFixed(1)} s`);
  const bytes = await lastSize();
  const rows = await renderScaleRows(small, large, smallCount, options.large, rounds, 'PostgreSQL: ');
  await small.close();
  await large.close();
  rows.push({ name: `PostgreSQL: build ${k(options.large)} stories via storeRun (1 run)`, value: buildMs / 1000, unit: 's', runs: 1, note: `${Math.round(options.large / (buildMs / 1000))} stories/s` });
  rows.push({ name: `PostgreSQL: database size per story at ${k(options.large)}`, value: bytes / options.large / 1024, unit: 'KB', runs: 1 });
  return rows;
}
