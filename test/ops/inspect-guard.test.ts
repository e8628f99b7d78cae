// Issue 15 finding 11: `inspect` fetches through the network guard unless --allow-private.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, serve, type FixtureServer } from '../support/fixture-server.js';
import { rss } from './harness.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
let feeds: FixtureServer;

beforeAll(async () => {
  feeds = await startFixtureServer({ '/feed.rss': serve(rss('Local', [{ title: 'A local story', guid: 'l1' }]), 'application/rss+xml') });
});
afterAll(() => feeds.close());

async function inspect(...args: string[]): Promise<{ input: string; articles: { title: string }[]; error: string | null }[]> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'inspect', '--config', 'config/aggregator.yaml', ...args], { cwd: repo });
  return JSON.parse(stdout) as { input: string; articles: { title: string }[]; error: string | null }[];
}

describe('npm run inspect and private addresses', () => {
  it('refuses a loopback URL by default and fetches it with --allow-private', { timeout: 60_000 }, async () => {
    const url = feeds.url('/feed.rss');
    const [guarded] = await inspect(url);
    expect(guarded!.error).toBe(`${url}: refused: 127.0.0.1 resolves to private address 127.0.0.1`);
    expect(feeds.requests).toEqual([]);
    const [allowed] = await inspect('--allow-private', url);
    expect(allowed!.error).toBeNull();
    expect(allowed!.articles.map((a) => a.title)).toEqual(['A local story']);
  });
});
