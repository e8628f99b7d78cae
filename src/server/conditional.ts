// Sending cached documents: content-coding negotiation over the precompressed forms, validators
// (ETag per coding, Last-Modified), 304 for a matching conditional GET/HEAD. Works on plain
// node:http objects, so the fast path and the express routes answer byte for byte alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContentCoding, Rendered } from '../publish/rendered.js';

/** One If-None-Match member against our (strong, quoted) tags; weak comparison, so a `W/` prefix is ignored. */
function memberHits(member: string, tags: readonly string[]): boolean {
  const tag = member.trim();
  if (tag === '*') return true;
  if (tag === '') return false;
  return tags.includes(tag.startsWith('W/') ? tag.slice(2) : tag);
}

/**
 * If-None-Match with weak comparison (RFC 9110 13.1.2): a list of tags, or `*`. `tags` are ours (strong). The
 * usual header, one tag, is compared as it is: no split, no array.
 */
export function noneMatchHits(header: string, tags: readonly string[]): boolean {
  if (!header.includes(',')) return memberHits(header, tags);
  return header.split(',').some((member) => memberHits(member, tags));
}

/**
 * True when the client's copy is current. Any coding's tag matches (the content is the same), and
 * If-Modified-Since counts only without If-None-Match.
 */
export function isNotModified(headers: IncomingMessage['headers'], rendered: Pick<Rendered, 'lastModified'>, tags: readonly string[], useDate = true): boolean {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) return noneMatchHits(noneMatch, tags);
  const since = headers['if-modified-since'];
  if (since === undefined || !useDate) return false;
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) return false;
  // HTTP dates have whole seconds.
  return Math.floor(rendered.lastModified.getTime() / 1000) * 1000 <= sinceMs;
}

// Accept-Encoding values repeat across requests: remember a bounded number of them.
const negotiated = new Map<string, { br: boolean; gzip: boolean; brFirst: boolean }>();

function parseAcceptEncoding(header: string) {
  const known = negotiated.get(header);
  if (known) return known;
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q[name] = Number.isFinite(value) ? value : 0;
  }
  const star = q['*'] ?? 0;
  const brQ = q['br'] ?? star;
  const gzQ = q['gzip'] ?? q['x-gzip'] ?? star;
  const result = { br: brQ > 0, gzip: gzQ > 0, brFirst: brQ >= gzQ };
  if (negotiated.size > 256) negotiated.clear();
  negotiated.set(header, result);
  return result;
}

/** The coding to send: brotli or gzip when accepted and available (brotli on a tie), else identity. */
export function chooseCoding(header: string | undefined, rendered: Pick<Rendered, 'gzip' | 'br'>): ContentCoding {
  if (!header) return 'identity';
  const accept = parseAcceptEncoding(header);
  const br = accept.br && rendered.br !== undefined;
  const gzip = accept.gzip && rendered.gzip !== undefined;
  if (br && (accept.brFirst || !gzip)) return 'br';
  if (gzip) return 'gzip';
  return 'identity';
}

export interface SendOptions {
  /** Overrides the document's own Cache-Control. */
  cacheControl?: string;
  /** Omit Last-Modified (pages whose time is not meaningful). */
  withLastModified?: boolean;
}

/** Header names and values in one flat list, as `writeHead` takes them (no setHeader per field). */
type HeaderList = string[];

interface Answer {
  ok: HeaderList;
  notModified: HeaderList;
}

/** What one document answers: its tags (for If-None-Match) and each coding's header lists, made on first use. */
export interface Prepared {
  readonly tags: readonly string[];
  readonly prefix: readonly string[];
  readonly options: SendOptions;
  readonly answers: Partial<Record<ContentCoding, Answer>>;
}

const bodyOf = (rendered: Rendered, coding: ContentCoding): Buffer => (coding === 'identity' ? rendered.body : rendered[coding]!);

function answerOf(rendered: Rendered, coding: ContentCoding, { prefix, options }: Prepared): Answer {
  const notModified = [...prefix, 'ETag', rendered.etags[coding], 'Cache-Control', options.cacheControl ?? rendered.cacheControl, 'Vary', 'Accept-Encoding'];
  if (options.withLastModified !== false) notModified.push('Last-Modified', rendered.lastModifiedHttp);
  const ok = [...notModified, 'Content-Type', rendered.contentType, 'Content-Length', String(bodyOf(rendered, coding).length)];
  if (coding !== 'identity') ok.push('Content-Encoding', coding);
  return { ok, notModified };
}

/** `prefix`: header pairs sent first (ones the caller would otherwise set per request). */
function prepare(rendered: Rendered, prefix: readonly string[], options: SendOptions): Prepared {
  const { identity, gzip, br } = rendered.etags;
  return { tags: [identity, gzip, br], prefix, options, answers: {} };
}

/**
 * Header lists kept per document, each starting with `prefix`: documents never change once rendered, so the
 * lists are built once and an entry goes with its document.
 */
export function keptHeaderLists(prefix: readonly string[]): (rendered: Rendered) => Prepared {
  const kept = new WeakMap<Rendered, Prepared>();
  return (rendered) => {
    let prepared = kept.get(rendered);
    if (!prepared) kept.set(rendered, (prepared = prepare(rendered, prefix, {})));
    return prepared;
  };
}

/** Sends cached bytes with validators, or 304 when the request's validators match: one writeHead of a prepared list. */
export function sendPrepared(req: IncomingMessage, res: ServerResponse, rendered: Rendered, prepared: Prepared): void {
  const coding = chooseCoding(req.headers['accept-encoding'], rendered);
  const answer = (prepared.answers[coding] ??= answerOf(rendered, coding, prepared));
  if (isNotModified(req.headers, rendered, prepared.tags, prepared.options.withLastModified !== false)) {
    res.writeHead(304, answer.notModified);
    res.end();
    return;
  }
  res.writeHead(200, answer.ok);
  // A HEAD response keeps the headers and drops the body.
  if (req.method === 'HEAD') res.end();
  else res.end(bodyOf(rendered, coding));
}

const plainLists = keptHeaderLists([]);

/** Sends cached bytes with validators, or 304 when the request's validators match. */
export function sendRendered(req: IncomingMessage, res: ServerResponse, rendered: Rendered, options: SendOptions = {}): void {
  const usual = options.cacheControl === undefined && options.withLastModified !== false;
  sendPrepared(req, res, rendered, usual ? plainLists(rendered) : prepare(rendered, [], options));
}
