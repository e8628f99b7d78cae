// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function and per file, top N.
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  startTime: number;
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * `window`: only samples within these monotonic-clock times (µs, as `process.hrtime.bigint() / 1000n`), e.g. a load
 * run without the start-up; `per`: also print µs per unit (e.g. per request served in the window).
 */
export function summarizeProfile(file: string, top = 25, window?: { fromUs: number; toUs: number; per?: number }): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (!window || (at >= window.fromUs && at <= window.toUs)) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const area = url === '' ? '(native/gc)' : short.split('/').slice(0, short.startsWith('src') || short.startsWith('bench') ? 3 : 1).join('/');
    files.set(area, (files.get(area) ?? 0) + us);
  }
  const fmt = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => {
      const per = window?.per ? `  ${(us / window.per).toFixed(2).padStart(6)} µs/req` : '';
      return `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms${per}  ${k}`;
    }).join('\n');
  return `total ${(total / 1000).toFixed(0)} ms\n-- by function (self)\n${fmt(fn)}\n-- by package/file (self)\n${fmt(files)}`;
}

if (process.argv[1]?.endsWith('profile-summary.ts')) console.log(summarizeProfile(process.argv[2]!, Number(process.argv[3] ?? 25)));
