// Dedup rules (DESIGN §4): which articles are one story, and what the merged story keeps.
// Pure: the store feeds origins in and keeps whatever these functions return.
import { createHash } from 'node:crypto';
import type { Article, CategoryRef } from '../types.js';
import type { DedupPolicy, MergedStory } from '../store/store.js';
import { mergeEnclosures } from './enclosures.js';
import { simplify } from '../text/fold-chinese.js';
import { textLength } from '../text/html-text.js';

export { foldChinese } from '../text/fold-chinese.js';

const notLetterOrDigit = /[^\p{L}\p{N}]+/gu;
const notKeyChar = /[^\p{L}\p{N}.]+/gu;
const hasHan = /\p{Script=Han}/u;
const digit = /\p{Nd}/u;

/**
 * Removes every character that is not a letter or digit, except that a run between two digits
 * becomes one `.`: `2.5%` and `25%` stay apart, while `10:30`, `10_30` and `10 : 30` agree.
 */
function keepLettersAndDigits(text: string): string {
  return text.replace(notLetterOrDigit, (run: string, offset: number) =>
    digit.test(text[offset - 1] ?? '') && digit.test(text[offset + run.length] ?? '') ? '.' : '',
  );
}

/**
 * The dedup key of a title: NFKC, case folded, only letters and digits kept (a separator between two
 * digits kept as one `.`), traditional Chinese folded to simplified. `“撑腰”`, `_撑腰_` and `"撑腰"`
 * agree; so do `国內` and `国内`; `涨2.5%` and `涨25%` do not. An empty key means "no usable title":
 * such articles never merge.
 */
export function titleKey(title: string): string {
  // toUpperCase().toLowerCase() folds ß → ss and similar special casings that toLowerCase keeps;
  // final sigma folds to σ as Unicode case folding does (toLowerCase picks ς by position, which would
  // change once the spaces around it are gone).
  const folded = title.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, 'σ');
  // Normalized again: removing punctuation can leave combinable neighbours (Hangul jamo) side by side.
  const stripped = keepLettersAndDigits(folded).normalize('NFKC');
  // Stripping before conversion lets every punctuation variant reach the converter as the same text.
  return hasHan.test(stripped) ? simplify(stripped).replace(notKeyChar, '') : stripped;
}

/** The order every rule breaks ties in: publication time, then source, then id within the source. */
export function compareOrigins(a: Article, b: Article): number {
  const byTime = a.published.getTime() - b.published.getTime();
  if (byTime !== 0) return byTime;
  if (a.sourceKey !== b.sourceKey) return a.sourceKey < b.sourceKey ? -1 : 1;
  if (a.originId !== b.originId) return a.originId < b.originId ? -1 : 1;
  return 0;
}

/** Stable story id: derived from the story's earliest origin, so re-ingesting yields the same id. */
export function storyId(origin: Pick<Article, 'sourceKey' | 'originId'>): string {
  return createHash('sha1').update(`${origin.sourceKey}\n${origin.originId}`).digest('hex').slice(0, 20);
}

/** Length of the visible text of an HTML body, the measure of "fullest". */
export const plainTextLength = textLength;

/** An origin's text length: measured where it was parsed, else now. */
const lengthOf = (origin: Article): number => origin.textLength ?? textLength(origin.contentHtml);

/**
 * Groups origins into stories, independent of input order: per title key, sorted by
 * (published, sourceKey, originId), a cluster starts at the earliest unclustered origin and takes
 * every origin published within `windowMs` (inclusive) of that start.
 */
export function clusterOrigins(origins: readonly Article[], windowMs: number): Article[][] {
  const byKey = new Map<string, Article[]>();
  const clusters: Article[][] = [];
  for (const origin of [...origins].sort(compareOrigins)) {
    // No usable title: nothing to compare, so it stands alone.
    if (origin.titleKey === '') clusters.push([origin]);
    else byKey.set(origin.titleKey, [...(byKey.get(origin.titleKey) ?? []), origin]);
  }
  for (const group of byKey.values()) {
    let current: Article[] = [];
    let startMs = Number.NEGATIVE_INFINITY;
    for (const origin of group) {
      if (current.length > 0 && origin.published.getTime() - startMs <= windowMs) {
        current.push(origin);
        continue;
      }
      if (current.length > 0) clusters.push(current);
      current = [origin];
      startMs = origin.published.getTime();
    }
    if (current.length > 0) clusters.push(current);
  }
  return clusters.sort((a, b) => compareOrigins(a[0]!, b[0]!));
}

const isSeed = (origin: Article): boolean => origin.sourceKey === 'seed';
const underscores = (title: string): number => title.split('_').length - 1;

/** Feed titles keep their punctuation; among seed titles, the one with the fewest `_` substitutes. */
function pickTitle(sorted: readonly Article[]): Article {
  const fromFeed = sorted.find((origin) => !isSeed(origin));
  if (fromFeed) return fromFeed;
  let best = sorted[0]!;
  for (const origin of sorted) if (underscores(origin.title) < underscores(best.title)) best = origin;
  return best;
}

function pickFullest(sorted: readonly Article[]): Article {
  let best = sorted[0]!;
  let bestLength = lengthOf(best);
  for (const origin of sorted.slice(1)) {
    const length = lengthOf(origin);
    if (length > bestLength) [best, bestLength] = [origin, length];
  }
  return best;
}

/** One story from its origins; any input order gives the same story. */
export function mergeOrigins(origins: readonly Article[]): MergedStory {
  if (origins.length === 0) throw new RangeError('mergeOrigins needs at least one origin');
  const sorted = [...origins].sort(compareOrigins);
  const earliest = sorted[0]!;

  const categories = new Map<string, CategoryRef>();
  for (const origin of sorted) {
    for (const ref of origin.categories) if (!categories.has(ref.slug)) categories.set(ref.slug, { slug: ref.slug, name: ref.name });
  }
  const allLinks = [...new Set(sorted.flatMap((origin) => (origin.link ? [origin.link] : [])))];
  const link = sorted.find((origin) => !isSeed(origin) && origin.link)?.link ?? allLinks[0] ?? null;
  const links = link ? [link, ...allLinks.filter((other) => other !== link)] : allLinks;
  const fullest = pickFullest(sorted);
  const titled = pickTitle(sorted);
  const enclosures = mergeEnclosures(sorted.map((origin) => origin.enclosures));

  return {
    id: storyId(earliest),
    title: titled.title,
    link,
    links,
    published: new Date(earliest.published.getTime()),
    author: sorted.find((origin) => origin.author)?.author ?? null,
    categories: [...categories.values()],
    // The picture that goes with the chosen body, else a feed's (crawled copies carry stock photos), else the earliest.
    image: fullest.image ?? sorted.find((origin) => !isSeed(origin) && origin.image)?.image ?? sorted.find((origin) => origin.image)?.image ?? null,
    contentHtml: fullest.contentHtml,
    summary: fullest.summary,
    ...(enclosures.length ? { enclosures } : {}),
    // The search words travel with the origin they were made from (absent for an origin read back from the store).
    titleWords: titled.words?.title,
    bodyWords: fullest.words?.body,
  };
}

/** The dedup policy the store applies; `windowMs` is `dedup.window` from the config. */
export function createDedupPolicy(windowMs: number): DedupPolicy {
  if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError(`invalid dedup window: ${windowMs}`);
  return {
    cluster: (origins) => clusterOrigins(origins, windowMs),
    merge: (origins) => mergeOrigins(origins),
    storyIdOf: storyId,
    windowMs,
  };
}
