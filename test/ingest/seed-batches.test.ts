// Issue 15 finding 3: a batch of seed files is bounded in bytes as well as in files.
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, intoBatches, SERVING_BATCH_SIZE } from '../../src/ingest/run-seed-folder.js';

describe('intoBatches', () => {
  it('cuts at 500 files or BATCH_BYTES, whichever comes first, keeping the order', () => {
    const small = Array.from({ length: 1200 }, (_, i) => ({ id: i, size: 1000 }));
    expect(intoBatches(small).map((b) => b.length)).toEqual([500, 500, 200]);
    const large = Array.from({ length: 10 }, (_, i) => ({ id: i, size: 2 * 1024 * 1024 }));
    const batches = intoBatches(large);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    for (const batch of batches) expect(batch.reduce((n, f) => n + f.size, 0)).toBeLessThanOrEqual(BATCH_BYTES);
    expect(batches.flat().map((f) => f.id)).toEqual(large.map((f) => f.id));
  });

  it('cuts at a smaller number of files when asked (a serving process stores 100 at a time)', () => {
    const small = Array.from({ length: 250 }, (_, i) => ({ id: i, size: 1000 }));
    expect(intoBatches(small, SERVING_BATCH_SIZE).map((b) => b.length)).toEqual([100, 100, 50]);
  });

  it('gives a file larger than the budget a batch of its own', () => {
    const files = [{ size: 10 }, { size: BATCH_BYTES + 1 }, { size: 10 }];
    expect(intoBatches(files).map((b) => b.length)).toEqual([1, 1, 1]);
  });
});
