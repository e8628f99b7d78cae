// Scans the seed folder: lists article files recursively, skips the unchanged ones by size and mtime
// without reading them, and reads and hashes the rest. Parsing is parse-seed-file.ts's job.
// The scan stays inside the folder: a symlink is skipped with a warning (or, with `followSymlinks`,
// followed when its real path is inside the folder), and files are opened with O_NOFOLLOW so a file
// swapped for a link after the listing is not followed either. Files over the size cap are not read.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { SeedFileRecord } from '../../store/store.js';

export interface SeedCandidate {
  /** Relative to the root, `/`-separated, Unicode NFC (the file's identity in the store). */
  relPath: string;
  absPath: string;
  size: number;
  mtimeMs: number;
  /**
   * sha256 of the bytes, hex; '' for a new file scanned with `keepText: false` (not read by the scan: it is
   * read, and hashed, once, by `readCandidateText`).
   */
  hash: string;
  /**
   * The bytes decoded: UTF-8 (BOM removed), or GB18030 when they are not valid UTF-8. Null when the scan
   * ran with `keepText: false` (read it with `readCandidateText` when it is needed).
   */
  text: string | null;
}

export interface SeedScan {
  /** New files and files whose bytes changed, sorted by relPath: to be parsed and stored. */
  candidates: SeedCandidate[];
  /**
   * Files whose size or mtime changed but whose bytes did not: nothing to parse, but the record
   * (new size/mtime, same hash, the known error) should be saved so the next scan skips them.
   */
  touched: SeedFileRecord[];
  /** Article files skipped by size + mtime, not read. */
  unchanged: number;
  /** Other entries (images, dot files, .DS_Store, symlinked folders, sockets), skipped quietly. */
  skipped: number;
  unreadable: { relPath: string; error: string }[];
  /** Known relPaths no longer in the folder. */
  missing: string[];
  /** Files over the size cap, not read: their records carry the error so later scans skip them until they change. */
  tooLarge: SeedFileRecord[];
  /** Unchanged files a previous scan rejected (their records' errors): still rejected, not read again. */
  stillRejected: { relPath: string; error: string }[];
  /** Symlinks met, with where they point; `followed` only with `followSymlinks` and a target inside the folder. */
  symlinks: { relPath: string; target: string; followed: boolean }[];
  /** Article files seen: candidates + touched + unchanged + unreadable files (folders that could not be
   * listed appear in `unreadable` with a trailing `/` and are not counted). */
  seen: number;
}

export interface ScanOptions {
  /** Called as files are checked (every 256 and once at the end) with files done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Files larger than this are rejected (`tooLarge`) instead of read. Default 2 MiB (`seedFolder.maxFileBytes`). */
  maxBytes?: number;
  /** Follow symlinks whose real path is inside the folder (`seedFolder.followSymlinks`). Default false. */
  followSymlinks?: boolean;
  /** Parallel stat/read calls. Default 64. */
  concurrency?: number;
  /**
   * Keep each candidate's text. Default true. A first import of a large folder passes false so the
   * scan does not hold every file's text at once (tens of thousands of files: hundreds of MB).
   */
  keepText?: boolean;
}

const ARTICLE_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.html', '.htm']);

/** True for the extensions the seed folder treats as articles (case-insensitive). */
export function isArticleFile(name: string): boolean {
  return !name.startsWith('.') && ARTICLE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

interface Listing {
  files: { absPath: string; relPath: string }[];
  skipped: number;
  symlinks: SeedScan['symlinks'];
  /** The folder's real path, and whether links into it are followed. */
  realRoot: string;
  follow: boolean;
}

/** Scans `root` against the known records. Throws when the root is missing or not a folder. */
export async function scanSeedFolder(
  root: string,
  known: Map<string, SeedFileRecord>,
  options: ScanOptions = {},
): Promise<SeedScan> {
  const rootStat = await stat(root).catch((error: unknown) => {
    throw new Error(`seed folder ${root} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  });
  if (!rootStat.isDirectory()) throw new Error(`seed folder ${root} is not a directory`);

  const listing: Listing = { files: [], skipped: 0, symlinks: [], realRoot: await realpath(root), follow: options.followSymlinks ?? false };
  const unreadable: SeedScan['unreadable'] = [];
  await listDirectory(root, root, listing, unreadable);

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const keepText = options.keepText ?? true;
  const candidates: SeedCandidate[] = [];
  const touched: SeedFileRecord[] = [];
  const tooLarge: SeedFileRecord[] = [];
  const stillRejected: SeedScan['stillRejected'] = [];
  let unchanged = 0;
  let done = 0;
  const total = listing.files.length;

  await forEachLimited(listing.files, options.concurrency ?? 64, async ({ absPath, relPath }) => {
    try {
      const info = await stat(absPath);
      if (!info.isFile()) throw new Error('not a regular file');
      const record = known.get(relPath);
      if (record && record.size === info.size && record.mtimeMs === info.mtimeMs) {
        unchanged++;
        if (record.error !== null) stillRejected.push({ relPath, error: record.error });
        return;
      }
      if (info.size > maxBytes) {
        const error = `file too large (${info.size} bytes; seedFolder.maxFileBytes is ${maxBytes})`;
        tooLarge.push({ relPath, size: info.size, mtimeMs: info.mtimeMs, hash: '', error });
        return;
      }
      // A new file is a candidate whatever its bytes: without its text kept, it is read once, later.
      if (!record && !keepText) {
        candidates.push({ relPath, absPath, size: info.size, mtimeMs: info.mtimeMs, hash: '', text: null });
        return;
      }
      const bytes = readInside(absPath, maxBytes);
      const hash = sha256(bytes);
      if (record && record.hash === hash) {
        touched.push({ relPath, size: info.size, mtimeMs: info.mtimeMs, hash, error: record.error, ...(record.warning ? { warning: record.warning } : {}) });
        return;
      }
      candidates.push({ relPath, absPath, size: info.size, mtimeMs: info.mtimeMs, hash, text: keepText ? decode(bytes) : null });
    } catch (error) {
      unreadable.push({ relPath, error: describeFsError(error) });
    } finally {
      done++;
      if (options.onProgress && (done % 256 === 0 || done === total)) options.onProgress(done, total);
    }
  });
  if (total === 0) options.onProgress?.(0, 0);

  const seenPaths = new Set(listing.files.map((f) => f.relPath));
  // Files under a folder that could not be listed are not gone, just not seen this time.
  const unlisted = unreadable.filter((u) => u.relPath.endsWith('/')).map((u) => u.relPath);
  const byPath = (a: { relPath: string }, b: { relPath: string }): number => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0);
  return {
    candidates: candidates.sort(byPath),
    touched: touched.sort(byPath),
    unchanged,
    skipped: listing.skipped,
    unreadable: unreadable.sort(byPath),
    missing: [...known.keys()].filter((p) => !seenPaths.has(p) && !unlisted.some((d) => p.startsWith(d))).sort(),
    seen: total,
    tooLarge: tooLarge.sort(byPath),
    stillRejected: stillRejected.sort(byPath),
    symlinks: listing.symlinks.sort(byPath),
  };
}

async function listDirectory(root: string, dir: string, out: Listing, unreadable: SeedScan['unreadable']): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (dir === root) throw error;
    unreadable.push({ relPath: `${toRelPath(root, dir)}/`, error: describeFsError(error) });
    return;
  }
  const subdirs: string[] = [];
  for (const entry of entries) {
    const absPath = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) {
      out.skipped++; // .DS_Store, .git, editor swap files
    } else if (entry.isDirectory()) {
      subdirs.push(absPath);
    } else if (entry.isSymbolicLink() && isArticleFile(entry.name)) {
      await listSymlink(root, absPath, out);
    } else if (isArticleFile(entry.name) && (entry.isFile() || isUnknownType(entry))) {
      // Unknown types are checked by stat later.
      out.files.push({ absPath, relPath: toRelPath(root, absPath) });
    } else {
      out.skipped++; // images, other files, symlinked folders (not followed: no cycles)
    }
  }
  await forEachLimited(subdirs, 8, (sub) => listDirectory(root, sub, out, unreadable));
}

/** A symlinked article: followed (as its real path) only when allowed and inside the folder; else skipped. */
async function listSymlink(root: string, absPath: string, out: Listing): Promise<void> {
  const relPath = toRelPath(root, absPath);
  const target = await realpath(absPath).catch((error: unknown) => `unresolvable (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  const rel = path.relative(out.realRoot, target);
  const inside = path.isAbsolute(target) && rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  const followed = out.follow && inside;
  out.symlinks.push({ relPath, target, followed });
  if (followed) out.files.push({ absPath: target, relPath });
  else out.skipped++;
}

/**
 * The file's bytes, refusing a symlink in its place (O_NOFOLLOW) and anything over `maxBytes`. Synchronous: a few
 * system calls of microseconds, where fs/promises made six thread-pool round trips per file (open, stat, stat,
 * read, read, close), each a callback and a promise on the importing thread. O_NONBLOCK: a file swapped for a FIFO
 * since the scan's stat is opened without waiting for a writer, then refused as not a regular file.
 */
function readInside(absPath: string, maxBytes: number): Buffer {
  const fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > maxBytes) throw new Error(`file too large (${info.size} bytes; seedFolder.maxFileBytes is ${maxBytes})`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isUnknownType(entry: Dirent): boolean {
  return !entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isFIFO() && !entry.isSocket()
    && !entry.isBlockDevice() && !entry.isCharacterDevice();
}

function toRelPath(root: string, absPath: string): string {
  return path.relative(root, absPath).split(path.sep).join('/').normalize('NFC');
}

/**
 * A candidate's text, read now: the text the scan kept, else the file read (again). When the file changed
 * since the scan, the bytes read now win and `hash`/`size` describe them.
 */
export async function readCandidateText(candidate: SeedCandidate, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<SeedCandidate & { text: string }> {
  if (candidate.text !== null) return candidate as SeedCandidate & { text: string };
  const bytes = readInside(candidate.absPath, maxBytes);
  return { ...candidate, size: bytes.length, hash: sha256(bytes), text: decode(bytes) };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** UTF-8 unless the bytes are not valid UTF-8, then GB18030 (older Chinese crawls). */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030').replace(/^\uFEFF/, '');
  }
}

function describeFsError(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'ENOENT: file not found (dangling link or removed during the scan)';
  return err instanceof Error ? err.message : String(error);
}

async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
