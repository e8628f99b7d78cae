// Real processes for the multi-process tests: the built service (`dist/main.js`, as `npm start` runs it) on an
// ephemeral port, `npm run ingest` as a child, and a WebSub hub stand-in on 127.0.0.1 recording each publish.
// Needs `npm run build` first.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { waitFor, type LogLine } from './harness.js';

const MAIN = path.resolve('dist/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  lines: LogLine[];
  /** SIGTERM, then the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

function collectLines(child: ChildProcess, lines: LogLine[], raw: string[]): void {
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const part of parts) {
      raw.push(part);
      try {
        lines.push(JSON.parse(part) as LogLine);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => void raw.push(chunk.toString()));
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts the service on `config` with `--port 0` and resolves once it listens and is ready (/readyz 200). */
export async function startServiceProcess(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [MAIN, '--config', configFile, '--port', '0'], {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const raw: string[] = [];
  collectLines(child, lines, raw);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited(child);
  };
  try {
    await waitFor(() => lines.some((line) => line.msg === 'listening') || child.exitCode !== null, 20_000, 'the service to listen');
    const listening = lines.find((line) => line.msg === 'listening');
    if (!listening) throw new Error(`service exited: ${raw.join('\n')}`);
    const base = String(listening.url);
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 20_000, 'the service to be ready');
    return { child, base, lines, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `npm run ingest -- --config FILE`; resolves with its exit code and output. */
export function runIngest(configFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'ingest', '--', '--config', configFile], {
      env: { ...process.env, LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

export interface HubStandIn {
  url: string;
  /** Each publish request's `hub.url` values, in arrival order. */
  publishes: string[][];
  close(): Promise<void>;
}

export async function startHub(): Promise<HubStandIn> {
  const publishes: string[][] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      if (form.get('hub.mode') === 'publish') publishes.push(form.getAll('hub.url'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`,
    publishes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A seed article in the Hexo shape. */
export function seedArticle(title: string, category: string, date = 'Wed, 27 Apr 2022 00:43:25 GMT'): string {
  return `\n---\ntitle: '${title}'\ncategories:\n - ${category}\ndate: ${date}\n---\n<div><p>${title}: the body of the article.</p></div>\n`;
}
