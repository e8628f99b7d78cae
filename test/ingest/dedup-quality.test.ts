// Quality, not timing: the real dedup policy against the labelled set (test/fixtures/dedup/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRECISION_TARGET, RECALL_TARGET, loadLabelledPairs, measureDedupQuality, policySaysSame } from '../../bench/dedup-quality.js';
import { generatePairs } from '../fixtures/dedup/generate-pairs.js';

const pairs = loadLabelledPairs();

describe('labelled dedup set', () => {
  it('is the generator’s current output (regenerate with npx tsx test/fixtures/dedup/generate-pairs.ts)', () => {
    const file = readFileSync(new URL('../fixtures/dedup/labelled-pairs.json', import.meta.url), 'utf8');
    expect(JSON.parse(file)).toEqual(generatePairs());
  });

  it('has at least 300 pairs covering every case the issue names', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(300);
    const kinds = new Set(pairs.map((pair) => pair.kind));
    for (const kind of [
      'same:underscore', 'same:spacing-punctuation', 'same:wrapping-quotes', 'same:traditional', 'same:case', 'same:width',
      'same:timezone-slip', 'same:crawler-redate', 'different:column', 'different:one-number', 'different:prefix',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    expect(new Set(pairs.map((pair) => pair.id)).size).toBe(pairs.length);
  });

  it(`meets precision ≥ ${PRECISION_TARGET} and recall ≥ ${RECALL_TARGET} with the 12 h policy`, () => {
    const quality = measureDedupQuality(pairs);
    expect(quality.falsePositives.map((pair) => pair.id)).toEqual([]);
    expect(quality.precision).toBeGreaterThanOrEqual(PRECISION_TARGET);
    expect(quality.recall).toBeGreaterThanOrEqual(RECALL_TARGET);
  });

  it('misses exactly the pairs labelled as reworded (beyond what a title key can see)', () => {
    const reworded = pairs.filter((pair) => pair.kind === 'same:reworded').map((pair) => pair.id);
    expect(reworded.length).toBeGreaterThan(0);
    expect(measureDedupQuality(pairs).falseNegatives.map((pair) => pair.id).sort()).toEqual(reworded.sort());
  });

  it('is sensitive to the window: with none, time-zone slips stop merging', () => {
    const slips = pairs.filter((pair) => pair.kind === 'same:timezone-slip' && pair.a.published !== pair.b.published);
    expect(slips.length).toBeGreaterThan(0);
    expect(slips.some((pair) => policySaysSame(pair, 0))).toBe(false);
    expect(slips.every((pair) => policySaysSame(pair, 12 * 3_600_000))).toBe(true);
    // A window of several days would merge consecutive issues of a daily column.
    const columns = pairs.filter((pair) => pair.kind === 'different:column');
    expect(columns.length).toBeGreaterThan(0);
    expect(measureDedupQuality(columns, 3 * 24 * 3_600_000).falsePositives.length).toBeGreaterThan(0);
  });
});
