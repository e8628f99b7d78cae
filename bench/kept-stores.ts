// The synthetic stores of the search benches, built through storeRun (store-scale.ts) and, with
// `npm run bench -- --stores DIR`, kept in DIR and reused by later runs: a 1M store takes most of an hour to
// build through the real write path on a loaded 2-core machine. A kept store is named by its size, the
// backend's schema version and the synthetic data's version, so a new migration or a change to the
// synthetic stories builds a new one; a build that did not finish is never reused (SQLite: renamed into
// place when complete; PostgreSQL: a marker file written when complete). Without --stores every store is
// new and removed at the end, as before.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrations as postgresMigrations } from '../src/store/postgres/migrations.js';
import { migrations as sqliteMigrations } from '../src/store/sqlite/migrations.js';
import type { Store } from '../src/store/store.js';
import { tempDir } from './generate.js';
import { startBenchPostgres, type BenchPostgres } from './postgres.js';
import { buildStore, fillStore, type BuiltStore } from './store-scale.js';

/** Bump when bench/generate.ts `syntheticArticles` changes what it generates. */
const SYNTHETIC_VERSION = 1;
const key = (schema: number): string => `schema${schema}-data${SYNTHETIC_VERSION}`;

/** A SQLite store of `articles` synthetic stories: kept in `dir` (reused when there), else in a new temp folder. */
export async function sqliteBenchStore(dir: string | undefined, articles: number, onProgress?: (done: number) => void): Promise<BuiltStore & { reused: boolean }> {
  if (!dir) return { ...(await buildStore(path.join(tempDir('search'), `stories-${articles}.db`), articles, onProgress)), reused: false };
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `sqlite-${articles}-${key(sqliteMigrations.length)}.db`);
  if (existsSync(file)) return { file, articles, buildMs: NaN, bytes: statSync(file).size, reused: true };
  const building = `${file}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  const built = await buildStore(building, articles, onProgress);
  renameSync(building, file);
  return { ...built, file, reused: false };
}

/** The PostgreSQL cluster of the benches: kept in `dir` with its stores, else a throwaway one. */
export function benchPostgresCluster(dir: string | undefined): Promise<BenchPostgres> {
  return startBenchPostgres(dir ? { keepIn: path.join(dir, `postgres-${key(postgresMigrations.length)}`) } : {});
}

/**
 * A PostgreSQL store of `articles` synthetic stories (the same as SQLite's), vacuumed and analyzed as
 * autovacuum would after a bulk load (since PostgreSQL 13 it vacuums a table after many inserts too).
 * In a kept cluster it is the database `stories_N`, reused once complete.
 */
export async function postgresBenchStore(postgres: BenchPostgres, dir: string | undefined, articles: number, onProgress?: (done: number) => void): Promise<{ store: Store; buildMs: number; reused: boolean }> {
  const database = `stories_${articles}`;
  const marker = dir ? path.join(dir, `postgres-${key(postgresMigrations.length)}`, `${database}.complete`) : undefined;
  // Opened as a serving process opens it (search warm-up), as SQLite's bench stores are.
  if (marker && existsSync(marker)) return { store: await postgres.openStore({ database, warmSearch: true }), buildMs: NaN, reused: true };
  if (marker) await postgres.dropDatabase(database);
  const store = await postgres.openStore(marker ? { database, warmSearch: true } : { warmSearch: true });
  const buildMs = await fillStore(store, articles, onProgress);
  await postgres.queryLast('VACUUM ANALYZE');
  if (marker) writeFileSync(marker, `${articles} stories built in ${(buildMs / 1000).toFixed(0)} s\n`);
  return { store, buildMs, reused: false };
}
