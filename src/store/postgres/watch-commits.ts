// Store.watchCommits on PostgreSQL: LISTEN on a dedicated connection (reconnected when it drops) wakes
// the follower at once; a slow poll of the newest sequence catches whatever a lost connection missed.
import { CHANGES_CHANNEL } from './changes-table.js';
import { createClient } from './pool.js';
import type pg from 'pg';

const DEFAULT_POLL_MS = 5_000;
const RECONNECT_MS = 1_000;

export function watchCommits(url: string, latest: () => Promise<number>, onCommit: () => void, options: { pollMs?: number } = {}): () => void {
  let stopped = false;
  let client: pg.Client | null = null;
  let reconnect: NodeJS.Timeout | undefined;
  let seen = -1;

  const listen = async (): Promise<void> => {
    if (stopped) return;
    const next = createClient(url);
    client = next;
    const retry = () => {
      if (client !== next) return;
      client = null;
      next.end().catch(() => {});
      if (!stopped) reconnect = setTimeout(() => void listen(), RECONNECT_MS);
    };
    next.on('error', retry);
    next.on('end', retry);
    next.on('notification', () => onCommit());
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (stopped) await next.end();
      // Whatever was committed while no connection listened is caught up by sequence.
      else onCommit();
    } catch {
      retry();
    }
  };
  void listen();

  const poll = setInterval(() => {
    latest().then((seq) => {
      if (seen !== -1 && seq !== seen && !stopped) onCommit();
      seen = seq;
    }, () => {});
  }, options.pollMs ?? DEFAULT_POLL_MS);
  poll.unref();

  return () => {
    stopped = true;
    clearInterval(poll);
    clearTimeout(reconnect);
    const last = client;
    client = null;
    last?.end().catch(() => {});
  };
}
