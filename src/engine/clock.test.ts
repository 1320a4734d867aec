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

  it('returns at once for a deadline already past', async () => {
    const deadline = performance.now() - 5;
    await waitUntil(deadline);
    expect(performance.now()).toBeGreaterThan(deadline);
  });
});
