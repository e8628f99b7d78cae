// Shared by the operations tests: temp folders, a config file on disk, a service started from it,
// and a logger whose lines the test can read.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import { startService, type RunningService, type ServiceOptions } from '../../src/main.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `${prefix}-`));
}

/** A pino logger writing JSON lines into an array. */
export function capturingLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

export async function writeConfig(file: string, config: object): Promise<void> {
  await writeFile(file, stringify(config));
}

export interface StartedService {
  service: RunningService;
  base: string;
  configFile: string;
  lines: LogLine[];
}

/** Writes `config` to `dir/aggregator.yaml` and starts the service from it on an ephemeral port. */
export async function startFromFile(dir: string, config: Record<string, unknown>, options: Omit<ServiceOptions, 'configFile'> = {}): Promise<StartedService> {
  const configFile = path.join(dir, 'aggregator.yaml');
  const full = { server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net' }, storage: { database: path.join(dir, 'aggregator.db') }, ...config };
  await writeConfig(configFile, full);
  const { logger, lines } = capturingLogger();
  const { readFile } = await import('node:fs/promises');
  const parsed = parseConfig(await readFile(configFile, 'utf8'), configFile);
  const service = await startService(parsed, logger, { watchDebounceMs: 50, env: {}, ...options, configFile });
  const address = service.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { service, base, configFile, lines };
}

/** Polls `check` until it returns true or `ms` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A minimal RSS document with the given items (title, guid). */
export function rss(title: string, items: { title: string; guid: string; date?: string }[]): string {
  const entries = items
    .map((item) => `<item><title>${item.title}</title><link>https://news.example.org/${item.guid}</link><guid>${item.guid}</guid><pubDate>${item.date ?? 'Mon, 02 Jun 2025 08:00:00 GMT'}</pubDate><description>&lt;p&gt;${item.title} body text.&lt;/p&gt;</description></item>`)
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>${title}</title><link>https://news.example.org/</link><description>d</description>${entries}</channel></rss>`;
}
