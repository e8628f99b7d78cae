// The serving guard of a PostgreSQL store (src/store/postgres/serving-guard.ts): reads fail at once only while the
// database is confirmed not to answer, and go through again when a ping of its own probe answers.
import { describe, expect, it } from 'vitest';
import { createServingGuard } from '../../src/store/postgres/serving-guard.js';

/** A ping the test answers: `up` says what it returns; `calls` resolves the next waiter on each call. */
function controlledPing() {
  const state = { up: true, calls: 0 };
  const waiters: Array<() => void> = [];
  const ping = async (): Promise<boolean> => {
    state.calls++;
    waiters.splice(0).forEach((wake) => wake());
    return state.up;
  };
  const nextCall = (): Promise<void> => new Promise((resolve) => waiters.push(resolve));
  return { state, ping, nextCall };
}

// What pg-pool says both when the host does not answer and when every pooled connection stayed busy for the bound.
const waitedOut = () => Promise.reject(new Error('timeout exceeded when trying to connect'));

describe('serving guard', () => {
  it('lets reads through after one waited out its bound while the database still answers a ping (a busy pool)', async () => {
    const { state, ping } = controlledPing();
    const guard = createServingGuard(ping);
    await expect(guard.read(waitedOut)).rejects.toThrow('no database connection within 5 s');
    expect(state.calls).toBe(1);
    await expect(guard.read(async () => 'listed')).resolves.toBe('listed');
    guard.close();
  });

  it('fails reads at once while the database gives no answer, and lets them through once its probe answers', async () => {
    const { state, ping, nextCall } = controlledPing();
    state.up = false;
    const guard = createServingGuard(ping);
    await expect(guard.read(waitedOut)).rejects.toThrow('no database connection within 5 s');
    let ran = 0;
    await expect(guard.read(async () => ++ran)).rejects.toThrow('not asked again until it answers');
    expect(ran).toBe(0);
    // No /healthz or /metrics ping from outside: only the guard's own probe can let reads through.
    state.up = true;
    await nextCall();
    await new Promise((resolve) => setImmediate(resolve)); // the probe's answer handled
    await expect(guard.read(async () => ++ran)).resolves.toBe(1);
    guard.close();
  });

  it('shares one confirming ping among reads that fail together', async () => {
    const { state, ping } = controlledPing();
    const guard = createServingGuard(ping);
    const failed = await Promise.allSettled(Array.from({ length: 5 }, () => guard.read(waitedOut)));
    expect(failed.every((result) => result.status === 'rejected')).toBe(true);
    expect(state.calls).toBe(1);
    guard.close();
  });
});
