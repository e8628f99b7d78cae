// A full disk (PRAGMA max_page_count on the service's connection) and a locked database (a second
// connection holding BEGIN IMMEDIATE): each run fails with a clear error, readers keep getting what is
// stored, and the next run succeeds once space or the lock is back.
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { rss, startFromFile, tempDir, type StartedService } from './harness.js';

let feeds: FixtureServer | undefined;
let started: StartedService | undefined;
afterEach(async () => {
  await started?.service.stop();
  await feeds?.close();
  started = undefined;
  feeds = undefined;
});

/** A feed whose items the test swaps; long bodies so a new version needs new database pages. */
async function changingFeed(): Promise<{ setItems(count: number, prefix: string): void }> {
  let body = '';
  const setItems = (count: number, prefix: string) => {
    body = rss('Wire', Array.from({ length: count }, (_, i) => ({ title: `${prefix} story ${i} ${'long text '.repeat(40)}`, guid: `${prefix}-${i}` })));
  };
  setItems(2, 'first');
  feeds = await startFixtureServer({ '/wire.rss': (_req, res) => void res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body) });
  return { setItems };
}

async function serviceWithConnection(dir: string): Promise<{ db: () => Database.Database }> {
  let connection: Database.Database | undefined;
  started = await startFromFile(dir, { sources: [{ name: 'Wire', url: feeds!.url('/wire.rss'), categories: ['News'] }] }, {
    storeOptions: { onOpen: (db) => void (connection = db) },
  });
  await started.service.firstIngest;
  return { db: () => connection! };
}

const itemCount = async () => ((await (await fetch(`${started!.base}/feeds/all.json`)).json()) as { items: unknown[] }).items.length;
const state = async () => (await started!.service.store.getSourceState('Wire'))!;
const metric = async (series: string) => {
  const text = await (await fetch(`${started!.base}/metrics`)).text();
  return Number(text.split('\n').find((line) => line.startsWith(`${series} `))?.split(' ')[1] ?? 0);
};

describe('a full disk', () => {
  it('fails the run with a clear error, keeps serving, and recovers when space is back', async () => {
    const feed = await changingFeed();
    const { db } = await serviceWithConnection(await tempDir('full'));
    expect(await itemCount()).toBe(2);

    db().pragma(`max_page_count = ${db().pragma('page_count', { simple: true }) as number}`);
    feed.setItems(60, 'second');
    await started!.service.scheduler.refresh('Wire');
    const failed = await state();
    expect(failed.lastError).toMatch(/storing run of source:Wire failed: database or disk is full/);
    expect(failed.consecutiveFailures).toBe(1);
    expect(await metric('aggregator_source_fetches_total{source="Wire",outcome="failed"}')).toBe(1);
    // Nothing half-stored: readers see exactly the first version.
    expect(await itemCount()).toBe(2);
    expect((await fetch(`${started!.base}/feeds/all.rss`)).status).toBe(200);
    expect((await fetch(`${started!.base}/healthz`)).status).toBe(200);

    db().pragma('max_page_count = 1073741823');
    await started!.service.scheduler.refresh('Wire');
    const recovered = await state();
    expect(recovered.consecutiveFailures).toBe(0);
    expect(recovered.lastError).toBeNull();
    expect(await itemCount()).toBe(50);
    expect(db().pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('a locked database', () => {
  it('fails the run with a clear error while another writer holds the lock, keeps serving, and recovers', async () => {
    const feed = await changingFeed();
    const dir = await tempDir('locked');
    const { db } = await serviceWithConnection(dir);
    db().pragma('busy_timeout = 200');
    const other = new Database(path.join(dir, 'aggregator.db'));
    try {
      other.exec('BEGIN IMMEDIATE');
      feed.setItems(5, 'second');
      await started!.service.scheduler.refresh('Wire');
      // The failure cannot be written while the lock is held: it is logged, by source, and counted.
      const logged = started!.lines.filter((line) => line.source === 'Wire' && line.msg === 'source failed');
      expect(logged.at(-1)?.error).toMatch(/storing run of source:Wire failed: database is locked/);
      expect(started!.lines.some((line) => line.msg === 'could not record source failure' && /database is locked/.test(String(line.error)))).toBe(true);
      expect(await metric('aggregator_source_fetches_total{source="Wire",outcome="failed"}')).toBe(1);
      expect(await itemCount()).toBe(2);
      expect((await fetch(`${started!.base}/feeds/all.atom`)).status).toBe(200);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await started!.service.scheduler.refresh('Wire');
    expect((await state()).consecutiveFailures).toBe(0);
    expect(await itemCount()).toBe(7); // the first two and the five new ones
    expect(await metric('aggregator_source_fetches_total{source="Wire",outcome="ok"}')).toBe(2);
  });
});
