// WebSub once per change, whichever process committed it: announcers claim unannounced change records
// atomically (Store.claimHubAnnouncements: each record goes to exactly one caller) and ping the hub for the union
// of their feeds. A change is claimed only once it is `settleMs` old (default 1 s, the follow bound), so every
// serving process has dropped its stale documents before the hub comes to fetch them.
import type { Store } from '../store/store.js';
import { changedFeedUrls, pingHub, type PingResult } from './websub.js';

export type AnnouncementFeed = Pick<Store, 'claimHubAnnouncements' | 'releaseHubAnnouncements' | 'watchCommits'>;

export interface AnnouncerOptions {
  hub: string;
  baseUrl: string;
  /** Saved searches change with anything: their feeds are named in every ping. */
  savedQuerySlugs: () => Iterable<string>;
  /** How old a change must be before it is announced. Default 1000 ms. */
  settleMs?: number;
  /** A claim also runs this often, for changes whose committer stopped before announcing them. Default 10 s. */
  sweepMs?: number;
  clock?: () => Date;
  onPing?: (result: PingResult, urls: string[], seqs: number[]) => void;
  onError?: (error: unknown) => void;
  /** Test seam for the HTTP client (the real hub is a real server in the tests). */
  fetchImpl?: typeof fetch;
}

export interface Announcer {
  /** Claims and pings what is claimable now; resolves with the number of changes announced. */
  claimNow(): Promise<number>;
  /** Waits (bounded by `maxWaitMs`) until changes committed up to `committedAt` are claimable, then claims them. */
  flush(committedAt: Date, maxWaitMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const CLAIM_BATCH = 500;
const PING_ATTEMPTS = 3;

export function announceChanges(feed: AnnouncementFeed, options: AnnouncerOptions, watch = true): Announcer {
  const settleMs = options.settleMs ?? 1000;
  const clock = options.clock ?? (() => new Date());
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let dueAt = 0;
  let stopped = false;

  const ping = async (urls: string[], seqs: number[]): Promise<void> => {
    let result: PingResult = { ok: false, status: null, error: 'not sent' };
    for (let attempt = 1; attempt <= PING_ATTEMPTS && !stopped; attempt++) {
      result = await pingHub(options.hub, urls, options.fetchImpl);
      if (result.ok) break;
      if (attempt < PING_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
    options.onPing?.(result, urls, seqs);
    // Not announced (hub down, or stopping between attempts): give the changes back for the next claim (the
    // sweep, the next commit, or another process), so a change is announced once, not lost.
    if (!result.ok) await feed.releaseHubAnnouncements(seqs).catch((error: unknown) => options.onError?.(error));
  };

  const claimNow = async (): Promise<number> => {
    let announced = 0;
    for (;;) {
      const claimed = await feed.claimHubAnnouncements(new Date(clock().getTime() - settleMs), CLAIM_BATCH);
      if (claimed.length === 0) return announced;
      announced += claimed.length;
      const urls = changedFeedUrls(options.baseUrl, [...new Set(claimed.flatMap((change) => change.categories))], options.savedQuerySlugs());
      const sent = ping(urls, claimed.map((change) => change.seq));
      inFlight.add(sent);
      await sent.finally(() => inFlight.delete(sent));
      if (claimed.length < CLAIM_BATCH) return announced;
    }
  };

  const safeClaim = (): void => {
    if (!stopped) void claimNow().catch((error: unknown) => options.onError?.(error));
  };
  const fire = (): void => {
    timer = undefined;
    safeClaim();
    // A commit came in after this timer was set: claim again once that one has settled too.
    const wait = dueAt - clock().getTime();
    if (wait > 0 && !stopped) timer = setTimeout(fire, wait).unref();
  };
  /** A commit may have happened now: claim once it has settled (a little after, for timer slack). */
  const onCommit = (): void => {
    dueAt = clock().getTime() + settleMs + 50;
    timer ??= setTimeout(fire, settleMs + 50).unref();
  };

  const unwatch = watch ? feed.watchCommits(onCommit) : () => undefined;
  const sweep = watch ? setInterval(safeClaim, options.sweepMs ?? 10_000).unref() : undefined;
  if (watch) safeClaim();

  return {
    claimNow,
    async flush(committedAt, maxWaitMs = 5_000) {
      const wait = Math.min(maxWaitMs, committedAt.getTime() + settleMs - clock().getTime());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 10));
      return claimNow();
    },
    async stop() {
      stopped = true;
      unwatch();
      clearInterval(sweep);
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
