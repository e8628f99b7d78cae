// A throwaway PostgreSQL cluster for tests and benchmarks: Debian's initdb into a temporary folder,
// postgres on a free 127.0.0.1 port with its own socket folder, stopped and deleted by `stop()`.
// Never a system service. As root, initdb and postgres refuse to run: they run as the `postgres` user.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface PostgresCluster {
  /** postgresql:// URL of the `postgres` database, superuser, trust authentication. */
  url: string;
  /** The cluster's data folder (its postmaster.pid names the server process). */
  dataDir: string;
  stop(): void;
  /** Stops the server, keeping its data: connections to it are refused (a stopped cluster) until `resume()`. */
  pause(): void;
  /** Starts a paused server again, on the same port. */
  resume(): void;
}

const ROOT = '/usr/lib/postgresql';

/** The newest Debian PostgreSQL bin folder holding initdb, pg_ctl and postgres. */
export function findPostgresBin(): string {
  const versions = existsSync(ROOT) ? readdirSync(ROOT).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = path.join(ROOT, version, 'bin');
    if (['initdb', 'pg_ctl', 'postgres'].every((tool) => existsSync(path.join(bin, tool)))) return bin;
  }
  throw new Error(`PostgreSQL server binaries not found under ${ROOT}/*/bin: install the Debian package postgresql`);
}

export interface ClusterOptions {
  /**
   * Keep fsync on (benchmarks): commits are still not waited for (synchronous_commit off), as SQLite's
   * WAL with synchronous=NORMAL does not sync each commit either. Tests turn durability off entirely.
   */
  durable?: boolean;
  /**
   * Keep the cluster in this folder (benchmarks reusing a built store): initdb only when it holds none yet,
   * and `stop()` stops the server but leaves the folder.
   */
  keepIn?: string;
}

export async function startPostgresCluster(options: ClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = options.keepIn ?? mkdtempSync(path.join(tmpdir(), 'pg-cluster-'));
  if (options.keepIn) mkdirSync(dir, { recursive: true });
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      const logged = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${tool} failed (${result.status}): ${result.stderr || result.stdout}${logged}`);
    }
  };
  const stop = () => {
    if (!existsSync(dir)) return;
    if (existsSync(path.join(data, 'postmaster.pid'))) {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already gone; the folder still goes.
      }
    }
    if (!options.keepIn) rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (!existsSync(path.join(data, 'PG_VERSION'))) run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions']);
    const port = await freePort();
    const settings = [
      `-p ${port}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", '-c max_connections=300',
      '-c shared_buffers=128MB', '-c synchronous_commit=off',
      // A throwaway cluster for tests: durability is not needed, speed is.
      ...(options.durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
    ];
    const start = () => run('pg_ctl', ['-D', data, '-l', log, '-o', settings.join(' '), '-w', '-t', '60', 'start']);
    start();
    process.once('exit', stop);
    // A run stopped with Ctrl-C or SIGTERM never reaches 'exit': stop the cluster, then let the signal do its work.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        stop();
        process.kill(process.pid, signal);
      });
    }
    const pause = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, dataDir: data, stop, pause, resume: start };
  } catch (error) {
    stop();
    throw error;
  }
}
