// Reads a feed back with an independent parser: Python's feedparser (Debian python3-feedparser).
import { spawn } from 'node:child_process';

export interface ParsedEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  author: string | null;
  published: string | null;
  updated: string | null;
  summary: string | null;
  content: string | null;
  tags: string[];
  enclosures: Array<{ href: string; type: string | null; length: string | null }>;
  /** URLs of media:thumbnail elements. */
  mediaThumbnail: string[];
}

export interface ParsedFeed {
  bozo: number;
  bozoException: string | null;
  version: string;
  feed: { title: string | null; link: string | null; subtitle: string | null; links: Array<{ rel: string; href: string }> };
  entries: ParsedEntry[];
}

const SCRIPT = String.raw`
import sys, json, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
def g(o, k):
    v = o.get(k)
    return v if isinstance(v, str) else None
entries = []
for e in d.entries:
    content = e.get('content') or []
    entries.append({
        'id': g(e, 'id'), 'title': g(e, 'title'), 'link': g(e, 'link'), 'author': g(e, 'author'),
        'published': g(e, 'published'), 'updated': g(e, 'updated'),
        'summary': g(e, 'summary'), 'content': content[0].get('value') if content else None,
        'tags': [t.get('term') for t in e.get('tags', [])],
        'enclosures': [{'href': x.get('href'), 'type': x.get('type'), 'length': x.get('length')} for x in e.get('enclosures', [])],
        'mediaThumbnail': [t.get('url') for t in e.get('media_thumbnail', [])],
    })
print(json.dumps({
    'bozo': int(bool(d.bozo)),
    'bozoException': str(d.get('bozo_exception')) if d.bozo else None,
    'version': d.version,
    'feed': {'title': g(d.feed, 'title'), 'link': g(d.feed, 'link'), 'subtitle': g(d.feed, 'subtitle'),
             'links': [{'rel': l.get('rel'), 'href': l.get('href')} for l in d.feed.get('links', [])]},
    'entries': entries,
}))
`;

/** Parses feed bytes with feedparser in a child process and returns what it read. */
export function parseWithFeedparser(body: string | Uint8Array): Promise<ParsedFeed> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`feedparser exited ${code}: ${Buffer.concat(err).toString()}`));
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as ParsedFeed);
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.end(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  });
}
