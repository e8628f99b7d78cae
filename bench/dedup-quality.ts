// Dedup quality over the labelled set (test/fixtures/dedup/labelled-pairs.json): precision and recall of
// the "same story" decision made by the real policy (titleKey + clusterOrigins, 12 h window).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clusterOrigins, titleKey } from '../src/ingest/dedup.js';
import type { Article } from '../src/types.js';
import type { LabelledArticle, LabelledPair } from '../test/fixtures/dedup/generate-pairs.js';
import type { BenchRow } from './stats.js';

export const PRECISION_TARGET = 0.995;
export const RECALL_TARGET = 0.97;
const WINDOW_MS = 12 * 3_600_000;

const PAIRS_FILE = fileURLToPath(new URL('../test/fixtures/dedup/labelled-pairs.json', import.meta.url));

export function loadLabelledPairs(): LabelledPair[] {
  return JSON.parse(readFileSync(PAIRS_FILE, 'utf8')) as LabelledPair[];
}

function origin(sourceKey: string, input: LabelledArticle): Article {
  return {
    sourceKey, originId: input.title, title: input.title, titleKey: titleKey(input.title), link: null, guid: null,
    published: new Date(input.published), updated: null, author: null, categories: [], image: null, contentHtml: '', summary: '',
  };
}

/** The policy's answer for one pair: are the two articles one story? */
export function policySaysSame(pair: LabelledPair, windowMs = WINDOW_MS): boolean {
  return clusterOrigins([origin('source:A', pair.a), origin('seed', pair.b)], windowMs).length === 1;
}

export interface DedupQuality {
  pairs: number;
  precision: number;
  recall: number;
  truePositives: number;
  falsePositives: LabelledPair[];
  falseNegatives: LabelledPair[];
}

export function measureDedupQuality(pairs: readonly LabelledPair[], windowMs = WINDOW_MS): DedupQuality {
  let truePositives = 0;
  const falsePositives: LabelledPair[] = [];
  const falseNegatives: LabelledPair[] = [];
  for (const pair of pairs) {
    const said = policySaysSame(pair, windowMs);
    if (said && pair.same) truePositives++;
    else if (said) falsePositives.push(pair);
    else if (pair.same) falseNegatives.push(pair);
  }
  const claimed = truePositives + falsePositives.length;
  const actual = truePositives + falseNegatives.length;
  return {
    pairs: pairs.length,
    precision: claimed === 0 ? 1 : truePositives / claimed,
    recall: actual === 0 ? 1 : truePositives / actual,
    truePositives,
    falsePositives,
    falseNegatives,
  };
}

export async function benchDedupQuality(): Promise<{ rows: BenchRow[] }> {
  const quality = measureDedupQuality(loadLabelledPairs());
  const round = (value: number): number => Math.round(value * 10_000) / 10_000;
  const misses = (list: LabelledPair[]): string => (list.length ? ` (${list.map((pair) => pair.id).join(', ')})` : '');
  return {
    rows: [
      { name: 'dedup: labelled pairs', value: quality.pairs, unit: 'pairs', target: '≥ 300', met: quality.pairs >= 300 },
      { name: 'dedup: precision of "same story"', value: round(quality.precision), unit: '', target: `≥ ${PRECISION_TARGET}`, met: quality.precision >= PRECISION_TARGET },
      { name: 'dedup: recall of "same story"', value: round(quality.recall), unit: '', target: `≥ ${RECALL_TARGET}`, met: quality.recall >= RECALL_TARGET },
      { name: `dedup: false merges${misses(quality.falsePositives)}`, value: quality.falsePositives.length, unit: 'pairs' },
      { name: `dedup: missed merges${misses(quality.falseNegatives)}`, value: quality.falseNegatives.length, unit: 'pairs' },
    ],
  };
}
