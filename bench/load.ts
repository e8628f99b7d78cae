// Load and its cost for the serve bench: wrk runs (requests/s, p99, requests done) and the CPU time a server's
// process tree spent meanwhile (from /proc, so other load on the machine does not count against it).
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  rps: number;
  p99ms: number;
  requests: number;
  non2xx3xx: number;
  /** CPU seconds wrk itself spent (the load generator shares the machine's cores). */
  wrkCpu: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

export function parseWrk(output: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const requests = Number(/(\d+) requests in /.exec(output)?.[1] ?? NaN);
  const non = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  // bash's `times` after wrk: the second line is the children's user and system time (`0m1.234s 0m0.567s`).
  const times = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/gm;
  const lines = [...output.matchAll(times)];
  const children = lines[1];
  const wrkCpu = children ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]) : NaN;
  return { rps, p99ms: p99 ? Number(p99[1]) * UNIT_MS[p99[2]!]! : NaN, requests, non2xx3xx: non, wrkCpu };
}

/** The serve bench's load: the same settings for every server. */
export const WRK_THREADS = 2;
export const WRK_CONNECTIONS = 50;

export async function wrk(url: string, seconds: number, headers: Record<string, string>): Promise<WrkResult> {
  const args = [`-t${WRK_THREADS}`, `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, '--latency', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const { stdout } = await run('bash', ['-c', 'wrk "$@" && times', 'wrk', ...args], { timeout: (seconds + 30) * 1000 });
  return parseWrk(stdout);
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processIds(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (listed) children.push(...listed.split(/\s+/).map(Number));
    }
  } catch {
    return [];
  }
  return [pid, ...children.flatMap(processIds)];
}

/** CPU seconds (user + system) spent so far by a process and each of its live descendants, by process id. */
export function treeCpu(pid: number): Map<number, number> {
  const spent = new Map<number, number>();
  for (const id of processIds(pid)) {
    try {
      // Fields after the parenthesized command name: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${id}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      spent.set(id, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // exited meanwhile
    }
  }
  return spent;
}

/** CPU seconds of a process tree (cluster primary and workers, nginx master and workers) between two readings. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): { total: number; byProcess: Map<number, number> } {
  const byProcess = new Map<number, number>();
  for (const [id, seconds] of after) byProcess.set(id, seconds - (before.get(id) ?? 0));
  return { total: [...byProcess.values()].reduce((a, b) => a + b, 0), byProcess };
}
