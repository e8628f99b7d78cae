// `--port`/PORT with the config's default base URL (`http://localhost:<server.port>`): feeds link to the port the
// service runs on, not to one where nothing answers. A base URL set to anything else is kept as written.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFromFile, tempDir, waitFor, type StartedService } from '../ops/harness.js';
import { freePort } from '../support/free-port.js';

let started: StartedService | undefined;
afterEach(async () => {
  await started?.service.stop();
  started = undefined;
});

async function selfLink(server: Record<string, unknown>): Promise<{ port: number; self: string | undefined }> {
  const port = await freePort();
  started = await startFromFile(await tempDir('base-url'), { server: { host: '127.0.0.1', port: 8080, ...server }, sources: [] }, { port });
  const atom = await (await fetch(`http://127.0.0.1:${port}/feeds/all.atom`)).text();
  return { port, self: /<link rel="self" href="([^"]+)"/.exec(atom)?.[1] };
}

describe('the base URL feeds link to, with the port overridden', () => {
  it('follows the port the service runs on when the config keeps the default base URL', async () => {
    const { port, self } = await selfLink({});
    expect(self).toBe(`http://localhost:${port}/feeds/all.atom`);
  });

  it('follows it when the config names the default base URL itself, as the sample config does', async () => {
    const { port, self } = await selfLink({ baseUrl: 'http://localhost:8080' });
    expect(self).toBe(`http://localhost:${port}/feeds/all.atom`);
  });

  it('keeps a base URL that is not the default', async () => {
    const { self } = await selfLink({ baseUrl: 'https://feeds.example.org' });
    expect(self).toBe('https://feeds.example.org/feeds/all.atom');
  });
});

describe('WebSub pings with the port overridden', () => {
  it('name the feed URLs the feeds declare as theirs, at the port the service runs on', async () => {
    const pinged: string[] = [];
    const hub = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        pinged.push(...new URLSearchParams(body).getAll('hub.url'));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    try {
      const dir = await tempDir('base-url-hub');
      await mkdir(path.join(dir, 'seed'));
      await writeFile(path.join(dir, 'seed', 'note.md'), '---\ntitle: Harbour note\ndate: 2026-01-02\n---\nThe harbour opened.\n');
      const port = await freePort();
      started = await startFromFile(dir, {
        server: { host: '127.0.0.1', port: 8080 }, sources: [], seedFolder: { path: path.join(dir, 'seed') },
        websub: { hub: `http://127.0.0.1:${(hub.address() as AddressInfo).port}/` },
      }, { port });
      await waitFor(() => pinged.length > 0, 10_000, 'a hub ping');
      expect(pinged).toContain(`http://localhost:${port}/feeds/all.atom`);
      expect(pinged.filter((url) => !url.startsWith(`http://localhost:${port}/`))).toEqual([]);
    } finally {
      await new Promise((resolve) => hub.close(resolve));
    }
  });
});
