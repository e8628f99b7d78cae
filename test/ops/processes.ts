// For the multi-process tests: the service started as a child (test/process/process-harness.ts) and waited for
// until ready, a WebSub hub stand-in on 127.0.0.1 recording each publish, and seed articles.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServiceProcess, type ServiceProcess } from '../process/process-harness.js';
import { waitFor } from './harness.js';

export interface ReadyService {
  process: ServiceProcess;
  base: string;
  lines: Record<string, unknown>[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the service with `--port 0` (overriding the config's port) and `args`, and resolves once /readyz answers 200. */
export async function startReadyService(configFile: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ReadyService> {
  const service = startServiceProcess(configFile, env, ['--port', '0', ...args]);
  const stop = async () => {
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGTERM');
    return (await service.exited).code;
  };
  try {
    const base = String((await service.logged((line) => line.msg === 'listening', 'listening', 60_000)).url);
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 60_000, 'the service to be ready');
    return { process: service, base, lines: service.lines, stop };
  } catch (error) {
    await stop();
    throw error;
  }
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
