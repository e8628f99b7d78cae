// The id a story's feed items carry (RSS guid, Atom id, JSON Feed id). A story is named after its earliest
// copy, so its id moves when an earlier copy arrives; readers key items by guid, so a moved story keeps the
// oldest id it was published under as its feed id: through a move, a chain of moves and a merge of stories.
import type { Article } from '../types.js';
import type { DedupPolicy } from './store.js';
import { publishedAsSeen, type StoredOriginArticle, type StoredStory } from './stored-rows.js';
import { use, type StoryMove, type Unit } from './table-steps.js';

/** An origin as the choice needs it: its key, publication and first-seen times. */
type FeedIdOrigin = Pick<StoredOriginArticle, 'sourceKey' | 'originId' | 'published' | 'firstSeenMs'>;
type Origin = Pick<Article, 'sourceKey' | 'originId' | 'published'>;

/**
 * Of the ids a story was published under, the oldest: the one whose origin (the copy the story was named
 * after then) was seen first. Within one run a story takes its earliest copy, so of ids first seen together
 * the one published later is older. An id whose origin left the story ranks last; the ids break ties.
 */
export function oldestFeedId(policy: DedupPolicy, candidates: readonly string[], origins: readonly FeedIdOrigin[]): string | undefined {
  const seen = new Map<string, { firstSeenMs: number; publishedMs: number }>();
  for (const origin of origins) seen.set(policy.storyIdOf(origin), { firstSeenMs: origin.firstSeenMs, publishedMs: origin.published.getTime() });
  const rank = (id: string) => seen.get(id) ?? { firstSeenMs: Infinity, publishedMs: -Infinity };
  return [...new Set(candidates)].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra.firstSeenMs - rb.firstSeenMs || rb.publishedMs - ra.publishedMs || (a < b ? -1 : a > b ? 1 : 0);
  })[0];
}

/**
 * The feed id of each recomputed story: the oldest feed id among the stored story of the same id and the
 * stories that moved to it; its own id when it has neither (a new story).
 */
export function successorFeedIds(
  policy: DedupPolicy,
  before: ReadonlyMap<string, StoredStory>,
  moves: readonly StoryMove[],
  after: ReadonlyMap<string, { origins: readonly Origin[] }>,
  firstSeenMs: (origin: Origin) => number,
): Map<string, string> {
  const inherited = new Map<string, string[]>();
  const add = (to: string, feedId: string | undefined) => {
    if (feedId !== undefined) inherited.set(to, [...(inherited.get(to) ?? []), feedId]);
  };
  for (const id of after.keys()) add(id, before.get(id)?.feedId);
  for (const { from, to } of moves) add(to, before.get(from)?.feedId);
  const feedIds = new Map<string, string>();
  for (const [id, { origins }] of after) {
    // A story now named with an id another one inherited (the copy it was named after was retitled away
    // and stands alone) owns that id: one guid per item.
    const candidates = (inherited.get(id) ?? []).filter((feedId) => feedId === id || !after.has(feedId));
    const ranked = candidates.length > 1 ? origins.map((origin) => ({ ...origin, firstSeenMs: firstSeenMs(origin) })) : [];
    feedIds.set(id, oldestFeedId(policy, candidates, ranked) ?? id);
  }
  return feedIds;
}

/**
 * Upgrade step: stories that moved before feed ids were kept get the oldest of their old ids. Reads only
 * the moved stories not settled yet, so it costs one small query once done; idempotent.
 */
export function* settleFeedIdsUnit(policy: DedupPolicy): Unit<number> {
  const moved = yield* use((t) => t.moves.unsettled());
  if (moved.length === 0) return 0;
  const keys = [...new Set(moved.map((story) => story.titleKey))].sort();
  const origins = (yield* use((t) => t.origins.withTitleKeys(keys))).flat();
  const settled = moved.map((story) => {
    const own = origins.filter((origin) => origin.storyId === story.id).map((origin) => publishedAsSeen(origin, origin.firstSeenMs));
    return { id: story.id, feedId: oldestFeedId(policy, [story.id, ...story.oldIds], own) ?? story.id };
  });
  yield* use((t) => t.stories.setFeedIds(settled));
  return settled.length;
}

/** The rows of `moves.unsettled` (one per old id, ordered by story) as one entry per story. */
export function groupOldIds(rows: readonly { id: string; title_key: string; old_id: string }[]): { id: string; titleKey: string; oldIds: string[] }[] {
  const stories = new Map<string, { id: string; titleKey: string; oldIds: string[] }>();
  for (const row of rows) {
    const story = stories.get(row.id) ?? { id: row.id, titleKey: row.title_key, oldIds: [] };
    story.oldIds.push(row.old_id);
    stories.set(row.id, story);
  }
  return [...stories.values()];
}
