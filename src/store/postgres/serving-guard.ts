// The serving reads while the database host hangs. Each read is bounded (pool.ts createServingPool), but a web
// process renders two documents at a time with up to 32 waiting: with every read waiting out its bound, the
// waiting requests were answered one pair per 5 s, the last after a minute (measured on a `--role web` process, README "Failures").
// So once a read got no answer at all, later reads fail at once until the database answers a ping again (probed
// every second meanwhile, on the ping pool: 2 s bound, one connection); a slow but answering server (its own
// statement_timeout, 57014) does not count, nor a read that waited out its bound for a free pooled connection (pg-pool
// says the same then): a read that got no answer trips the guard only when a ping at once gets none either.
import { SERVING_CONNECT_TIMEOUT_MS, SERVING_QUERY_TIMEOUT_MS } from './pool.js';

/** How often a store whose database stopped answering pings it, to let reads through again as soon as it answers. */
const PROBE_MS = 1_000;

/** What pg and pg-pool say when the database gave no answer within a bound, said as what happened. */
function noAnswer(error: unknown): string | null {
  const message = error instanceof Error ? error.message : '';
  if (message === 'Query read timeout') return `no answer from the database within ${SERVING_QUERY_TIMEOUT_MS / 1000} s`;
  if (message === 'timeout exceeded when trying to connect' || message === 'Connection terminated due to connection timeout') {
    return `no database connection within ${SERVING_CONNECT_TIMEOUT_MS / 1000} s`;
  }
  return null;
}

export interface ServingGuard {
  /** Runs a serving read, or fails at once while the database is known not to answer. */
  read<T>(work: () => Promise<T>): Promise<T>;
  /** The database answered (a ping): reads go through again. */
  answered(): void;
  close(): void;
}

export function createServingGuard(ping: () => Promise<boolean>): ServingGuard {
  /** Why reads fail at once (the first bound hit), or null while they go through. */
  let down: string | null = null;
  let probe: NodeJS.Timeout | undefined;
  let closed = false;
  /** The ping confirming a read's lack of answer; reads failing together share it. */
  let confirming: Promise<boolean> | null = null;
  const confirmDown = (): Promise<boolean> =>
    (confirming ??= ping().then((up) => !up, () => true).finally(() => { confirming = null; }));
  const answered = (): void => {
    down = null;
    clearTimeout(probe);
    probe = undefined;
  };
  // One ping at a time, the next a second after the last answered or gave up.
  const probeLater = (): void => {
    probe = setTimeout(() => void ping().then((up) => {
      if (up) answered();
      else if (down !== null && !closed) probeLater();
    }), PROBE_MS).unref();
  };
  return {
    async read(work) {
      if (down !== null) throw new Error(`${down}; not asked again until it answers`);
      try {
        return await work();
      } catch (error) {
        const reason = noAnswer(error);
        if (reason === null) throw error;
        if (down === null && (await confirmDown()) && down === null) {
          down = reason;
          if (probe === undefined && !closed) probeLater();
        }
        throw new Error(reason, { cause: error });
      }
    },
    answered,
    close() {
      closed = true;
      clearTimeout(probe);
    },
  };
}
