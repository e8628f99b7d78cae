import { describe, it, expect } from 'vitest';
import { createDedupPolicy } from '../../src/ingest/dedup.js';
import { sourceKeyOf } from '../../src/ingest/run-feed-source.js';
import type { FetchOutcome, Store } from '../../src/store/store.js';
import { HOUR, article } from '../fixtures/dedup/articles.js';
import { BACKENDS, openBackendStore } from '../support/store-backends.js';

const policy = createDedupPolicy(12 * HOUR);
const source = { name: 'Example finance feed', url: 'https://example.com/finance.rss' };
const t = (minutes: number) => new Date(Date.parse('2025-01-01T00:00:00Z') + minutes * 60_000);

const success = (minutes: number, extra: Partial<FetchOutcome> = {}): FetchOutcome => ({
  at: t(minutes), ok: true, httpStatus: 200, error: null, nextRun: t(minutes + 15), added: 0, ...extra,
});
const failure = (minutes: number, extra: Partial<FetchOutcome> = {}): FetchOutcome => ({
  at: t(minutes), ok: false, httpStatus: 503, error: 'HTTP 503 Service Unavailable', nextRun: t(minutes + 30), added: 0, ...extra,
});

describe.each(BACKENDS)('sources on %s', (backend) => {
  describe('source state', () => {
    it('is null for a source never fetched', async () => {
      const store = await openBackendStore(backend, policy);
      expect(await store.getSourceState(source.name)).toBeNull();
      expect(await store.listSourceStates()).toEqual([]);
    });

    it('records successes, failures, validators and added counts', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, success(0, { added: 4, etag: '"v1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' }));
      await store.recordFetchOutcome(source, failure(15));
      await store.recordFetchOutcome(source, failure(45, { httpStatus: null, error: 'timeout' }));
      expect(await store.getSourceState(source.name)).toEqual({
        name: source.name,
        url: source.url,
        lastAttempt: t(45),
        lastSuccess: t(0),
        httpStatus: null,
        lastError: 'timeout',
        consecutiveFailures: 2,
        nextRun: t(75),
        etag: '"v1"',
        lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
        addedLastRun: 0,
        addedTotal: 4,
        discoveredUrl: null,
      });

      await store.recordFetchOutcome(source, success(75, { added: 3, etag: '"v2"', lastModified: null }));
      expect(await store.getSourceState(source.name)).toMatchObject({
        lastAttempt: t(75), lastSuccess: t(75), httpStatus: 200, lastError: null, consecutiveFailures: 0,
        etag: '"v2"', lastModified: null, addedLastRun: 3, addedTotal: 7,
      });
    });

    it('starts a first failing source at one failure', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, failure(0));
      expect(await store.getSourceState(source.name)).toMatchObject({ consecutiveFailures: 1, lastSuccess: null, etag: null });
    });

    it('keeps the discovered feed until an outcome names another or forgets it', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, success(0, { discoveredUrl: 'https://example.com/feed.atom' }));
      await store.recordFetchOutcome(source, failure(15));
      await store.recordFetchOutcome(source, success(30));
      expect(await store.getSourceState(source.name)).toMatchObject({ discoveredUrl: 'https://example.com/feed.atom' });
      await store.recordFetchOutcome(source, failure(45, { discoveredUrl: null }));
      expect(await store.getSourceState(source.name)).toMatchObject({ discoveredUrl: null });
    });

    it('lists every source by name', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome({ name: 'b', url: 'https://b.example/' }, success(0));
      await store.recordFetchOutcome({ name: 'a', url: 'https://a.example/' }, failure(0));
      expect((await store.listSourceStates()).map((state) => state.name)).toEqual(['a', 'b']);
    });

    it('never loses stored articles on a failing fetch of the source they came from', async () => {
      const store = await openBackendStore(backend, policy);
      const key = sourceKeyOf(source.name);
      await store.storeRun({ sourceKey: key, articles: [article({ sourceKey: key, title: 'Kept', contentHtml: '<p>Kept body</p>' })] });
      await store.recordFetchOutcome(source, success(0, { added: 1 }));
      const before = await store.listCategoryStories('all', 10);
      await store.recordFetchOutcome(source, failure(15));
      await store.recordFetchOutcome(source, failure(45));
      expect(await store.getSourceState(source.name)).toMatchObject({ consecutiveFailures: 2, addedTotal: 1, lastSuccess: t(0) });
      const after = await store.listCategoryStories('all', 10);
      expect(after.map((story) => [story.title, story.contentHtml])).toEqual([['Kept', '<p>Kept body</p>']]);
      expect(after).toEqual(before);
    });
  });

  describe('next run after a schedule change (bringNextRunsForward)', () => {
    const hourly = (minutes: number, extra: Partial<FetchOutcome> = {}) => success(minutes, { nextRun: t(60), ...extra });
    const forward = async (store: Store, scheduleNext: Date, waitsRecorded = true) => {
      const [moved, ...more] = await store.bringNextRunsForward([{ name: source.name, scheduleNext, waitsRecorded }]);
      expect(more).toEqual([]);
      return moved ? { from: moved.from, to: moved.to } : null;
    };

    it('moves a next run stored under a longer schedule to the new schedule\'s next time', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, hourly(0));
      expect(await forward(store, t(5))).toEqual({ from: t(60), to: t(5) });
      expect((await store.getSourceState(source.name))?.nextRun).toEqual(t(5));
    });

    it('keeps an earlier stored time (a longer schedule), an unknown source and a time nothing moves', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, hourly(0));
      expect(await forward(store, t(120))).toBeNull();
      expect(await forward(store, t(60))).toBeNull();
      expect(await store.bringNextRunsForward([{ name: 'never fetched', scheduleNext: t(5), waitsRecorded: true }])).toEqual([]);
      expect(await store.bringNextRunsForward([])).toEqual([]);
      expect((await store.getSourceState(source.name))?.nextRun).toEqual(t(60));
    });

    it('never moves it before what the source asked for or its failure backoff (notBefore)', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, hourly(0, { notBefore: t(30) }));
      expect(await forward(store, t(5))).toEqual({ from: t(60), to: t(30) });
      await store.recordFetchOutcome(source, failure(31, { nextRun: t(120), notBefore: t(91) }));
      expect(await forward(store, t(36))).toEqual({ from: t(120), to: t(91) });
      // Asked for longer than the stored time: nothing to bring forward.
      await store.recordFetchOutcome(source, success(100, { nextRun: t(200), notBefore: t(200) }));
      expect(await forward(store, t(105))).toBeNull();
    });

    it('moves every run in one call and returns only the times moved', async () => {
      const store = await openBackendStore(backend, policy);
      const other = { name: 'Other feed', url: 'https://example.org/feed' };
      await store.recordFetchOutcome(source, hourly(0));
      await store.recordFetchOutcome(other, success(0, { nextRun: t(3) }));
      expect(await store.bringNextRunsForward([
        { name: source.name, scheduleNext: t(5), waitsRecorded: true },
        { name: other.name, scheduleNext: t(5), waitsRecorded: true },
      ])).toEqual([{ name: source.name, from: t(60), to: t(5) }]);
      expect((await store.listSourceStates()).map((state) => [state.name, state.nextRun])).toEqual([[source.name, t(5)], [other.name, t(3)]]);
    });

    it('leaves a failing source whose wait was not recorded, unless the run has no waits (the seed folder)', async () => {
      const store = await openBackendStore(backend, policy);
      await store.recordFetchOutcome(source, failure(0, { nextRun: t(60) }));
      expect(await forward(store, t(5))).toBeNull();
      expect(await forward(store, t(5), false)).toEqual({ from: t(60), to: t(5) });
    });
  });

  describe('seed file records', () => {
    it('records files with the run and updates them when seen again', async () => {
      const store = await openBackendStore(backend, policy);
      expect(await store.listSeedFiles()).toEqual(new Map());
      await store.storeRun({
        sourceKey: 'seed',
        articles: [article({ sourceKey: 'seed', originId: '金融/a 1%.md', title: 'A' })],
        seedFiles: [
          { relPath: '金融/a 1%.md', size: 120, mtimeMs: 1651020205123.5, hash: 'h1', error: null },
          { relPath: 'bad.md', size: 3, mtimeMs: 1, hash: 'h2', error: 'no recoverable title' },
        ],
      });
      await store.storeRun({ sourceKey: 'seed', articles: [], seedFiles: [{ relPath: 'bad.md', size: 40, mtimeMs: 2, hash: 'h3', error: null }] });
      const files = await store.listSeedFiles();
      expect(files.size).toBe(2);
      expect(files.get('金融/a 1%.md')).toEqual({ relPath: '金融/a 1%.md', size: 120, mtimeMs: 1651020205123.5, hash: 'h1', error: null, warning: null });
      expect(files.get('bad.md')).toEqual({ relPath: 'bad.md', size: 40, mtimeMs: 2, hash: 'h3', error: null, warning: null });
    });

    it('counts the files recovered and rejected now, and names the first ones by path', async () => {
      const store = await openBackendStore(backend, policy);
      const record = (relPath: string, fields: { error?: string; warning?: string }) =>
        ({ relPath, size: 1, mtimeMs: 1, hash: relPath, error: fields.error ?? null, warning: fields.warning ?? null });
      await store.storeRun({
        sourceKey: 'seed',
        articles: [],
        seedFiles: [
          record('c.md', { warning: 'front matter recovered line by line (title)' }),
          record('a.md', { warning: 'front matter recovered line by line (title, categories)' }),
          record('b.md', { error: 'no recoverable title' }),
          record('fine.md', {}),
        ],
      });
      expect(await store.seedFileProblems(1)).toEqual({
        recovered: 2,
        rejected: 1,
        recoveredFiles: [{ relPath: 'a.md', warning: 'front matter recovered line by line (title, categories)' }],
        rejectedFiles: [{ relPath: 'b.md', error: 'no recoverable title' }],
      });
      // Fixed since: a file read cleanly loses its note.
      await store.storeRun({ sourceKey: 'seed', articles: [], seedFiles: [record('a.md', {}), record('c.md', {})] });
      expect((await store.seedFileProblems(5)).recovered).toBe(0);
    });
  });
});
