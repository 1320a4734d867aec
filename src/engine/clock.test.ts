import { describe, expect, it } from 'vitest';
import { waitUntil } from './clock.js';

describe('waitUntil', () => {
  it('never returns before a sub-millisecond deadline', async () => {
    for (const ahead of [0.05, 0.3, 0.9]) {
      const deadline = performance.now() + ahead;
      await waitUntil(deadline);
      expect(performance.now()).toBeGreaterThanOrEqual(deadline);
    }
  });

  it('goes by the clock it is given, not by when its timer fires', async () => {
    // A clock at half the timers' speed: the coarse timer fires when it has seen half the wait.
    const startedAt = performance.now();
    const now = () => startedAt + (performance.now() - startedAt) / 2;
    const deadline = now() + 20;
    await waitUntil(deadline, now);
    expect(now()).toBeGreaterThanOrEqual(deadline);
  });

  it('returns at once for a deadline already past', async () => {
    const deadline = performance.now() - 5;
    await waitUntil(deadline);
    expect(performance.now()).toBeGreaterThan(deadline);
  });
});

describe('waitUntil, other work', () => {
  it('lets other callbacks run while it waits', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    // A clock that moves 0.1 ms at each reading: the wait takes several turns of the event loop
    // whatever the machine does. A deadline 0.8 ms ahead of performance.now() was a bet: a test
    // preempted before waitUntil's first reading found it past, and never waited at all.
    let nowMs = 0;
    await waitUntil(0.8, () => (nowMs += 0.1));
    // A spin would have held the event loop until the deadline, and the callback after it.
    expect(ran).toBe(true);
  });
});
