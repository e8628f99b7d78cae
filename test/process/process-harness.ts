// Real child processes of the two entry points (src/cli.ts and src/main.ts, run through tsx so no build is
// needed), with their JSON log lines readable by the test, and a feed server whose answers the test holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { waitFor } from '../ops/harness.js';

const TSX = ['--import', 'tsx'];
export const CLI = path.resolve('src/cli.ts');
export const MAIN = path.resolve('src/main.ts');

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/cli.ts ARGS` to the end. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return finished(spawn(process.execPath, [...TSX, CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  lines: Record<string, unknown>[];
  /** Resolves when a log line matching `predicate` has been written. */
  logged(predicate: (line: Record<string, unknown>) => boolean, what: string, ms?: number): Promise<Record<string, unknown>>;
  /** Base URL once listening. */
  base(): Promise<string>;
  exited: Promise<Finished>;
}

/**
 * Starts the service (`src/main.ts --config FILE ARGS`) as a child process; `viaNpm`: as a user does, `npm start --
 * --config FILE ARGS` (the built dist/main.js, behind npm's own process).
 */
export function startServiceProcess(configFile: string, env: NodeJS.ProcessEnv = {}, args: string[] = [], viaNpm = false): ServiceProcess {
  const [command, argv] = viaNpm
    ? ['npm', ['start', '--silent', '--', '--config', configFile, ...args]]
    : [process.execPath, [...TSX, MAIN, '--config', configFile, ...args]];
  const child = spawn(command, argv, {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = finished(child);
  const logged = async (predicate: (line: Record<string, unknown>) => boolean, what: string, ms = 20_000) => {
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    await waitFor(() => exitedEarly || lines.some(predicate), ms, what);
    const found = lines.find(predicate);
    if (!found) throw new Error(`service exited before logging ${what}: ${JSON.stringify(await exited)}`);
    return found;
  };
  return {
    child, lines, logged, exited,
    base: async () => {
      const listening = await logged((line) => line.msg === 'listening', 'listening');
      return String(listening.url);
    },
  };
}

export interface HeldFeedServer {
  url(name: string): string;
  /** Requests received per feed name. */
  hits(name: string): number;
  /** Makes requests for `name` wait until `release(name)`. */
  hold(name: string): void;
  release(name: string): void;
  /** Requests waiting now. */
  waiting(name: string): number;
  setFeed(name: string, answer: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

/** A feed server on 127.0.0.1 whose answers per feed name the test sets, and may hold back. */
export async function startHeldFeedServer(host = '127.0.0.1'): Promise<HeldFeedServer> {
  const feeds = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const hits = new Map<string, number>();
  const held = new Set<string>();
  const queued = new Map<string, (() => void)[]>();
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const answer = () => (feeds.get(name) ?? ((_q, r) => void r.writeHead(404).end()))(req, res);
    if (held.has(name)) queued.set(name, [...(queued.get(name) ?? []), answer]);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://${host}:${port}/${name}`,
    hits: (name) => hits.get(name) ?? 0,
    hold: (name) => void held.add(name),
    release(name) {
      held.delete(name);
      for (const answer of queued.get(name) ?? []) answer();
      queued.delete(name);
    },
    waiting: (name) => queued.get(name)?.length ?? 0,
    setFeed: (name, answer) => void feeds.set(name, answer),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An RSS 2.0 document with `count` items titled `${name} story N`. */
export function rssFeed(name: string, count: number, extra = ''): string {
  const items = Array.from({ length: count }, (_, i) =>
    `<item><title>${name} story ${i + 1}</title><link>https://news.example.org/${name}/${i + 1}</link><guid>${name}-${i + 1}</guid>` +
    `<pubDate>Mon, 02 Jun 2025 0${i % 10}:00:00 GMT</pubDate><description>&lt;p&gt;Body of ${name} story ${i + 1}.&lt;/p&gt;</description></item>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${name}</title><link>https://news.example.org/</link><description>d</description>${extra}${items}</channel></rss>`;
}

export const serveRss = (body: string, headers: Record<string, string> = {}) => (_req: IncomingMessage, res: ServerResponse) =>
  void res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', ...headers }).end(body);
