// One pass over the seed folder: only new or changed files are parsed; each batch is stored in one transaction
// together with the records of its files, so an interrupted import resumes where it stopped.
import path from 'node:path';
import type { Logger } from 'pino';
import type { SeedFolderConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { SeedFileRecord, Store } from '../store/store.js';
import type { Article } from '../types.js';
import type { CategoryResolver } from './categories.js';
import { normalizeItem } from './normalize.js';
import { parseSeedFile } from './parse-seed-file.js';
import { readCandidateText, scanSeedFolder, type SeedCandidate } from './seed-folder.js';

export const SEED_SOURCE_KEY = 'seed';
export const SEED_SOURCE_NAME = 'seed folder';
const BATCH_SIZE = 500;

export interface SeedRunDeps {
  store: Store;
  logger: Logger;
  clock: () => Date;
  resolveCategories: CategoryResolver;
  nextRun: () => Date | null;
  onProgress?: ((stage: 'scan' | 'store', done: number, total: number) => void) | undefined;
}

export interface SeedRunSummary {
  folder: string;
  filesSeen: number;
  filesRead: number;
  unchanged: number;
  skipped: number;
  added: number;
  merged: number;
  updated: number;
  rejected: { relPath: string; error: string }[];
  changedCategories: string[];
  error: string | null;
}

export async function runSeedFolder(folder: SeedFolderConfig, deps: SeedRunDeps): Promise<SeedRunSummary> {
  const started = deps.clock();
  const root = path.resolve(folder.path);
  const summary: SeedRunSummary = { folder: root, filesSeen: 0, filesRead: 0, unchanged: 0, skipped: 0, added: 0, merged: 0, updated: 0, rejected: [], changedCategories: [], error: null };
  const changed = new Set<string>();
  try {
    const known = await deps.store.listSeedFiles();
    // Texts are read batch by batch, so a first import of tens of thousands of files stays small in memory.
    const scan = await scanSeedFolder(root, known, { keepText: false, onProgress: (done, total) => deps.onProgress?.('scan', done, total) });
    Object.assign(summary, { filesSeen: scan.seen, filesRead: scan.candidates.length, unchanged: scan.unchanged, skipped: scan.skipped });
    summary.rejected.push(...scan.unreadable);
    // Files whose mtime changed but whose bytes did not: only their records move on.
    if (scan.touched.length > 0) await deps.store.storeRun({ sourceKey: SEED_SOURCE_KEY, articles: [], seedFiles: scan.touched });
    for (let start = 0; start < scan.candidates.length; start += BATCH_SIZE) {
      const batch = await readTexts(scan.candidates.slice(start, start + BATCH_SIZE), summary);
      const { articles, records } = readBatch(batch, folder, deps, summary);
      const result = await deps.store.storeRun({ sourceKey: SEED_SOURCE_KEY, articles, seedFiles: records });
      summary.added += result.added;
      summary.merged += result.merged;
      summary.updated += result.updated;
      result.changedCategories.forEach((slug) => changed.add(slug));
      deps.onProgress?.('store', Math.min(start + BATCH_SIZE, scan.candidates.length), scan.candidates.length);
    }
  } catch (error) {
    summary.error = describeError(error);
  }
  summary.changedCategories = [...changed];
  for (const { relPath, error } of summary.rejected) deps.logger.warn({ source: SEED_SOURCE_NAME, file: relPath, error }, 'seed file rejected');
  await deps.store
    .recordFetchOutcome(
      { name: SEED_SOURCE_NAME, url: `file://${root}` },
      {
        at: started,
        ok: summary.error === null,
        httpStatus: null,
        error: summary.error ?? rejectedMessage(summary),
        added: summary.added,
        nextRun: deps.nextRun(),
      },
    )
    .catch((error) => deps.logger.error({ source: SEED_SOURCE_NAME, error: describeError(error) }, 'could not record seed run'));
  const log = { source: SEED_SOURCE_NAME, folder: root, seen: summary.filesSeen, read: summary.filesRead, added: summary.added, merged: summary.merged, updated: summary.updated, rejected: summary.rejected.length, duration_ms: deps.clock().getTime() - started.getTime() };
  if (summary.error) deps.logger.error({ ...log, error: summary.error }, 'seed folder failed');
  else deps.logger.info(log, 'seed folder scanned');
  return summary;
}

/** The batch's texts; a file gone or unreadable since the scan is rejected by name. */
async function readTexts(batch: SeedCandidate[], summary: SeedRunSummary): Promise<(SeedCandidate & { text: string })[]> {
  const read = await Promise.all(
    batch.map((file) =>
      readCandidateText(file).catch((error: unknown) => {
        summary.rejected.push({ relPath: file.relPath, error: describeError(error) });
        return null;
      }),
    ),
  );
  return read.filter((file) => file !== null);
}

function readBatch(batch: (SeedCandidate & { text: string })[], folder: SeedFolderConfig, deps: SeedRunDeps, summary: SeedRunSummary): { articles: Article[]; records: SeedFileRecord[] } {
  const articles: Article[] = [];
  const records: SeedFileRecord[] = [];
  const baseCategories = folder.categories;
  for (const file of batch) {
    const record: SeedFileRecord = { relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, hash: file.hash, error: null };
    try {
      const mtime = new Date(file.mtimeMs);
      const parsed = parseSeedFile(file.text, { relPath: file.relPath, mtime, timezone: folder.timezone });
      const normalized = normalizeItem(parsed.item, {
        sourceKey: SEED_SOURCE_KEY,
        documentUrl: null,
        fallbackId: file.relPath,
        fallbackDate: mtime,
        timezone: folder.timezone,
        categories: deps.resolveCategories([...(parsed.item.categories ?? []), ...baseCategories]),
        rules: folder.rules,
      });
      if (!normalized.article) throw new Error(normalized.warnings[0] ?? 'no article');
      // A seed file's identity is its path, never a guid or link it may carry.
      articles.push({ ...normalized.article, originId: file.relPath, dateIsFallback: parsed.dateFromMtime || normalized.article.dateIsFallback });
    } catch (error) {
      record.error = describeError(error);
      summary.rejected.push({ relPath: file.relPath, error: record.error });
    }
    records.push(record);
  }
  return { articles, records };
}

function rejectedMessage(summary: SeedRunSummary): string | null {
  const count = summary.rejected.length;
  if (count === 0) return null;
  const first = summary.rejected[0]!;
  return `${count} file${count === 1 ? '' : 's'} rejected; first: ${first.relPath}: ${first.error}`;
}
