// The change feed on SQLite: one row per committed unit of work that changed what is published, appended
// inside that unit's transaction. Followers read it by sequence; a recorded "pruned through" watermark tells a
// follower that fell behind pruning to re-render everything (sequences may have gaps, so the watermark and
// not a missing number is the signal). WebSub announcements are claimed with one UPDATE … RETURNING, which
// SQLite's single writer makes atomic across every process on the file.
import type Database from 'better-sqlite3';
import { changesAnswer, changesLimit, changesPosition } from '../change-feed.js';
import type { ChangeRecord, ChangesSince } from '../store.js';

export const CHANGES_MIGRATION = `
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    categories TEXT NOT NULL,
    announced_ms INTEGER
  );
  CREATE INDEX changes_unannounced ON changes (at_ms) WHERE announced_ms IS NULL;
  CREATE TABLE changes_pruned (id INTEGER PRIMARY KEY CHECK (id = 1), through_seq INTEGER NOT NULL);
  INSERT INTO changes_pruned (id, through_seq) VALUES (1, 0);
`;

interface ChangeRow {
  seq: number;
  at_ms: number;
  categories: string;
}

const toRecord = (row: ChangeRow): ChangeRecord => ({ seq: row.seq, categories: JSON.parse(row.categories) as string[], at: new Date(row.at_ms) });

export function createChangesTable(db: Database.Database) {
  const insert = db.prepare<[number, string]>('INSERT INTO changes (at_ms, categories) VALUES (?, ?)');
  const after = db.prepare<[number, number], ChangeRow>('SELECT seq, at_ms, categories FROM changes WHERE seq > ? ORDER BY seq LIMIT ?');
  const prunedThrough = db.prepare<[], number>('SELECT through_seq FROM changes_pruned WHERE id = 1').pluck();
  const newest = db.prepare<[], number | null>('SELECT max(seq) FROM changes').pluck();
  const claim = db.prepare<[number, number, number], ChangeRow>(`
    UPDATE changes SET announced_ms = ?
    WHERE seq IN (SELECT seq FROM changes WHERE announced_ms IS NULL AND at_ms <= ? ORDER BY seq LIMIT ?)
    RETURNING seq, at_ms, categories`);
  const oldest = db.prepare<[number], number | null>('SELECT max(seq) FROM changes WHERE at_ms < ?').pluck();
  const release = db.prepare<[string]>('UPDATE changes SET announced_ms = NULL WHERE seq IN (SELECT value FROM json_each(?))');
  const remove = db.prepare<[number]>('DELETE FROM changes WHERE at_ms < ?');
  const raiseWatermark = db.prepare<[number]>('UPDATE changes_pruned SET through_seq = max(through_seq, ?) WHERE id = 1');

  const latest = (): number => Math.max(newest.get() ?? 0, prunedThrough.get() ?? 0);

  return {
    /** Appends one change; call inside the transaction that made it. */
    append(categories: readonly string[], atMs: number): void {
      insert.run(atMs, JSON.stringify(categories));
    },
    latest,
    since(afterSeq: number, limit: number): ChangesSince {
      const watermark = prunedThrough.get() ?? 0;
      const position = changesPosition(afterSeq, watermark, newest.get() ?? 0);
      const rows = after.all(position.from, changesLimit(limit)).map(toRecord);
      return changesAnswer(afterSeq, position, rows, latest());
    },
    /** Run inside an IMMEDIATE transaction (the caller's), so two processes never claim one change. */
    claim(nowMs: number, committedBeforeMs: number, limit: number): ChangeRecord[] {
      return claim.all(nowMs, committedBeforeMs, changesLimit(limit)).map(toRecord).sort((a, b) => a.seq - b.seq);
    },
    release(seqs: readonly number[]): void {
      release.run(JSON.stringify(seqs));
    },
    /** Deletes changes older than `olderThanMs`, raising the watermark to the newest deleted sequence. */
    prune(olderThanMs: number): number {
      const through = oldest.get(olderThanMs);
      if (through === null || through === undefined) return 0;
      raiseWatermark.run(through);
      return remove.run(olderThanMs).changes;
    },
  };
}

export type ChangesTable = ReturnType<typeof createChangesTable>;

/**
 * `Store.watchCommits` on SQLite: PRAGMA data_version changes when another connection commits (never for this
 * connection's own commits, which `notifyOwnCommit` signals instead). Polled only while someone watches.
 */
export function createCommitWatch(db: Database.Database) {
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  const watchers = new Set<() => void>();
  return {
    watch(onCommit: () => void, pollMs = 250): () => void {
      let seen = dataVersion.get();
      const timer = setInterval(() => {
        if (!db.open) return;
        const now = dataVersion.get();
        if (now !== seen) {
          seen = now;
          onCommit();
        }
      }, Math.max(10, pollMs));
      // Watching never keeps a process alive on its own.
      timer.unref();
      const own = (): void => onCommit();
      watchers.add(own);
      return () => {
        clearInterval(timer);
        watchers.delete(own);
      };
    },
    /** This connection committed a change: wake its own watchers (data_version stays still for them). */
    notifyOwnCommit(): void {
      for (const watcher of watchers) queueMicrotask(watcher);
    },
  };
}
