import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/scheduler/limiter.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('createLimiter', () => {
  it('holds the global and the per-key limit', async () => {
    const limiter = createLimiter(3, 2);
    let running = 0;
    let maxRunning = 0;
    const perKey = new Map<string, number>();
    let maxPerKey = 0;
    const job = (key: string) =>
      limiter.run(key, async () => {
        running++;
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        maxRunning = Math.max(maxRunning, running);
        maxPerKey = Math.max(maxPerKey, perKey.get(key)!);
        await tick();
        running--;
        perKey.set(key, perKey.get(key)! - 1);
        return key;
      });
    const keys = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd'];
    const results = await Promise.all(keys.map(job));
    expect(results).toEqual(keys);
    expect(maxRunning).toBe(3);
    expect(maxPerKey).toBe(2);
    expect(limiter.active()).toBe(0);
  });

  it('keeps going after a task fails', async () => {
    const limiter = createLimiter(1, 1);
    const failing = limiter.run('a', async () => {
      throw new Error('boom');
    });
    const next = limiter.run('a', async () => 'after');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('after');
  });
});
