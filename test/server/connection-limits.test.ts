// Issue 15 finding 9: a client trickling its request is cut off at the configured timeout, through a
// raw socket (no HTTP client in between). The wait is for the close event, with a bounded deadline.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFromFile, tempDir, type StartedService } from '../ops/harness.js';

let started: StartedService;

beforeAll(async () => {
  started = await startFromFile(await tempDir('limits'), { sources: [], server: { host: '127.0.0.1', port: 0, baseUrl: 'http://feeds.example.net', timeouts: { headers: '1s', request: '2s', keepAlive: '1s', idle: '3s' }, maxConnections: 50 } });
});
afterAll(() => started.service.stop());

/** Connects, calls `trickle` every 100 ms until the server closes, resolves with what was received. */
function trickling(next: (i: number) => string): Promise<{ received: string; sent: number }> {
  const port = Number(new URL(started.base).port);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (!socket.writable) return;
      socket.write(next(sent));
      sent += 1;
    }, 100);
    const deadline = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`still connected after ${sent} writes`));
    }, 15_000);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(deadline);
      resolve({ received, sent });
    });
  });
}

describe('connection limits', () => {
  it('applies the configured values to the server', () => {
    const { server } = started.service;
    expect(server.headersTimeout).toBe(1_000);
    expect(server.requestTimeout).toBe(2_000);
    expect(server.keepAliveTimeout).toBe(1_000);
    expect(server.timeout).toBe(3_000);
  });

  it('disconnects a client trickling its request head', async () => {
    const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\n';
    // One header byte every 100 ms, never ending the head: about 10 s of trickle allowed by the deadline.
    const { received, sent } = await trickling((i) => (i < head.length ? head[i]! : 'X'));
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    // Cut off near the 1 s headers timeout (checked every second), far from the 15 s deadline.
    expect(sent).toBeLessThan(60);
  });

  it('disconnects a kept-alive connection that goes idle', async () => {
    const { received } = await trickling((i) => (i === 0 ? 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' : ''));
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('at maxConnections, a new client takes the place of the connection idle longest instead of being refused', async () => {
    const { server } = started.service;
    const port = Number(new URL(started.base).port);
    let accepted = 0;
    const count = () => void (accepted += 1);
    server.on('connection', count);
    // Node's own limit drops a socket beyond maxConnections without a 'connection' event.
    server.on('drop', count);
    // One client holds every connection the server allows, sending nothing (before: every other reader was reset
    // until the headers timeout closed them, and the client could open them again).
    const hoarded = Array.from({ length: 50 }, () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.resume();
      return { socket, closed: new Promise<void>((resolve) => socket.once('close', () => resolve())) };
    });
    try {
      while (accepted < 50) await new Promise((resolve) => setImmediate(resolve));
      // The status, or the error code when the connection is refused.
      const answer = await new Promise<number | string>((resolve) => {
        http.get(`${started.base}/healthz`, { agent: false }, (res) => resolve(res.resume().statusCode ?? 0)).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(answer).toBe(200);
      // The first of the hoarded sockets (idle longest) made room.
      await hoarded[0]!.closed;
    } finally {
      server.off('connection', count);
      server.off('drop', count);
      for (const { socket } of hoarded) socket.destroy();
    }
  });
});
