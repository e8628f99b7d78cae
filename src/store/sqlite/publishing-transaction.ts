// Units of work that may change what is published: each in one IMMEDIATE transaction that appends its change
// record, and this process's followers woken once it has committed (every other process reads the change feed).
import type Database from 'better-sqlite3';
import type { createChangesTable, createCommitWatch } from './changes-table.js';

export type Publishing = <A extends unknown[], R>(work: (nowMs: number, ...args: A) => { result: R; changed: readonly string[] }) => (...args: A) => R;

export function createPublishing(
  db: Database.Database,
  changes: Pick<ReturnType<typeof createChangesTable>, 'append'>,
  commits: Pick<ReturnType<typeof createCommitWatch>, 'notifyOwnCommit'>,
  clock: () => Date,
): Publishing {
  // The write lock is taken up front, so a concurrent writer waits for busy_timeout instead of failing midway.
  return <A extends unknown[], R>(work: (nowMs: number, ...args: A) => { result: R; changed: readonly string[] }) => {
    const transaction = db.transaction((nowMs: number, ...args: A) => {
      const outcome = work(nowMs, ...args);
      // Stamped at the end of the transaction, not at its start (which may have waited for the write lock):
      // announcers wait until a change is a follow bound old, counted from (nearly) its commit.
      if (outcome.changed.length > 0) changes.append(outcome.changed, clock().getTime());
      return outcome;
    }).immediate;
    return (...args: A): R => {
      const outcome = transaction(clock().getTime(), ...args);
      if (outcome.changed.length > 0) commits.notifyOwnCommit();
      return outcome.result;
    };
  };
}
