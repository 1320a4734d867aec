import { describe, expect, it } from 'vitest';
import { dueCount, slotUs } from './schedule.js';

describe('schedule', () => {
  it('places slot i at t0 + i/R exactly, without drift over long runs', () => {
    expect(slotUs(1_000, 0, 2_000)).toBe(1_000);
    expect(slotUs(1_000, 1, 2_000)).toBe(1_500);
    expect(slotUs(0, 3, 3)).toBe(1_000_000);
    // 10^9 events at 3/s: the slot is exact to the microsecond, not the sum of 333,333 µs steps.
    expect(slotUs(0, 1_000_000_000, 3)).toBe(333_333_333_333_333);
    expect(slotUs(0, 7, 30_000)).toBe(233);
  });

  it('counts the slots due at a time, agreeing with the slot formula at every boundary', () => {
    for (const rate of [1, 3, 7.5, 1_000, 30_000, 50_000]) {
      const t0Us = 123_456;
      for (let index = 0; index < 500; index++) {
        const slot = slotUs(t0Us, index, rate);
        expect(dueCount(t0Us, slot, rate, Infinity)).toBe(
          // Several indexes can share a microsecond at high rates.
          lastIndexAtOrBefore(t0Us, slot, rate) + 1,
        );
        expect(dueCount(t0Us, slot - 1, rate, Infinity)).toBeLessThanOrEqual(index);
      }
    }
  });

  it('is bounded by the limit and by t0', () => {
    expect(dueCount(1_000, 999, 1_000, 10)).toBe(0);
    expect(dueCount(1_000, 1_000, 1_000, 10)).toBe(1);
    expect(dueCount(1_000, 10_000_000, 1_000, 10)).toBe(10);
  });
});

function lastIndexAtOrBefore(t0Us: number, nowUs: number, rate: number): number {
  let index = 0;
  while (slotUs(t0Us, index + 1, rate) <= nowUs) index++;
  return index;
}
