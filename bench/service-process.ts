// Starts the service as a real process, as `npm start` runs it (the built dist/main.js with the start script's
// node flags: a user's server is not a tsx loader), so `server.workers: N` gives real node:cluster workers, and
// stops it (SIGTERM, then SIGKILL). Shared by the serve and change benches; `npm run bench` builds first.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { stringify } from 'yaml';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** GET on a fresh connection (agent: false), so a cluster spreads requests over its workers. */
export function request(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject);
  });
}

export async function waitFor(url: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      if ((await request(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${deadlineMs} ms`);
}

/** `node` arguments of a package.json script (`npm start`, `npm run ingest`), with `extra` appended. */
export function scriptArgs(script: 'start' | 'ingest', extra: string[]): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [node, ...args] = scripts[script]!.split(/\s+/);
  if (node !== 'node') throw new Error(`package.json script ${script} does not start with node: ${scripts[script]}`);
  const entry = args.find((arg) => arg.startsWith('dist/'));
  if (entry && !existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  return [...args, ...extra];
}

export interface ServiceProcess {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/** Writes `config` (with server.host/port/baseUrl filled in) to `configFile` and starts the service on it. */
/** `nodeFlags` go before the start script's own (e.g. `--cpu-prof` when profiling). */
export async function startService(configFile: string, config: Record<string, unknown>, readyPath: string, nodeFlags: string[] = []): Promise<ServiceProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = { ...(config['server'] as object | undefined), host: '127.0.0.1', port, baseUrl: base };
  await writeFile(configFile, stringify({ ...config, server }));
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, ...scriptArgs('start', ['--config', configFile])], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(`${base}${readyPath}`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; service stderr: ${stderr}`);
  }
  return { base, pid: child.pid!, stop };
}
