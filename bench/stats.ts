// Shared shapes and helpers for benchmark modules: rows of the table, medians and spreads.
import { readFileSync } from 'node:fs';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  met?: boolean;
  /** min–max over the runs, when the figure is a median of several. */
  min?: number;
  max?: number;
  /** Runs behind the figure. */
  runs?: number;
  note?: string;
}

export interface BenchResult {
  rows: BenchRow[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A row whose figure is the median of `values`, with their spread. */
export function summaryRow(name: string, values: readonly number[], unit: string, extra: Partial<BenchRow> = {}): BenchRow {
  return { name, value: median(values), unit, min: Math.min(...values), max: Math.max(...values), runs: values.length, ...extra };
}

export function nowMs(): number {
  return performance.now();
}

export async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** Frees what the previous run left, so runs start alike (node --expose-gc; a no-op without it). */
export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Peak (VmHWM) and current (VmRSS) resident set of a process, in MB (Linux /proc). */
export function memoryStatus(pid: number | 'self' = 'self'): { hwmMB: number; rssMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { hwmMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
}

/**
 * CPU time (user + system, ms) of the whole process (every thread) and of the calling thread alone
 * (/proc/thread-self, Linux): unlike wall time, it hardly moves with the load other processes put on the machine.
 */
export function cpuTimes(): { processMs: number; threadMs: number } {
  const usage = process.cpuUsage();
  // Fields 14 and 15 (utime, stime) in clock ticks; the name (field 2) may hold spaces, so count after ')'.
  const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { processMs: (usage.user + usage.system) / 1000, threadMs: (ticks * 1000) / CLOCK_TICKS_PER_S };
}

/** USER_HZ: 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_S = 100;
