// Reading a response body within limits: a byte cap while streaming, the same cap after decompression
// (a small gzip bomb stops at the cap), and network errors worded for the source's status line.
import type http from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { FetchError } from '../../errors.js';

/** Collects the body, stopping as soon as it passes `maxBytes` or the connection dies early. */
export function readCapped(
  res: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  url: string,
  status: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: unknown, value?: Buffer) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error) {
        res.destroy();
        reject(error);
      } else resolve(value ?? Buffer.alloc(0));
    };
    const onAbort = () => settle(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) settle(new FetchError(url, `response larger than ${maxBytes} bytes`, status));
      else chunks.push(chunk);
    });
    res.once('end', () => {
      if (res.complete) settle(null, Buffer.concat(chunks));
      else settle(new FetchError(url, 'connection closed before the body was complete', status));
    });
    res.once('error', (error) => settle(new FetchError(url, `connection lost while reading the body (${describeNetworkError(error)})`, status, { cause: error })));
    res.once('close', () => {
      if (!res.complete) settle(new FetchError(url, 'connection closed before the body was complete', status));
    });
  });
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** Decompresses with an output cap, so a small gzip bomb stops at `maxBytes`. */
export async function decompress(raw: Buffer, contentEncoding: string | null, maxBytes: number, url: string, status: number): Promise<Buffer> {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (!coding || coding === 'identity' || raw.length === 0) return raw;
  const opts = { maxOutputLength: maxBytes };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return await gunzip(raw, opts);
    if (coding === 'br') return await brotli(raw, opts);
    if (coding === 'deflate') {
      // "deflate" is zlib-wrapped per the spec, but some servers send raw deflate.
      try {
        return await inflate(raw, opts);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
        return await inflateRaw(raw, opts);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FetchError(url, `response larger than ${maxBytes} bytes (after ${coding} decompression)`, status);
    }
    throw new FetchError(url, `could not decompress ${coding} body: ${(error as Error).message}`, status, { cause: error });
  }
  throw new FetchError(url, `unsupported Content-Encoding "${contentEncoding}"`, status);
}

export function describeNetworkError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'ENOTFOUND':
      return `host not found${e.hostname ? ` (${e.hostname})` : ''}`;
    case 'EAI_AGAIN':
      return 'DNS lookup failed (temporary)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      return e instanceof Error ? e.message : String(error);
  }
}
