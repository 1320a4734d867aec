import { describe, expect, it } from 'vitest';
import { ThroughputWindow } from './metrics.js';

describe('ThroughputWindow', () => {
  it('rates the last window of seconds, or the time since start when shorter', () => {
    const window = new ThroughputWindow(10);
    const startUs = 100_000_000;
    for (let i = 0; i < 50; i++) window.add(startUs + i * 20_000); // 50 in the first second
    expect(window.ratePerSec(startUs + 1_000_000, startUs)).toBeCloseTo(50, 5);
    // 30 s later nothing is in the window any more.
    expect(window.ratePerSec(startUs + 30_000_000, startUs)).toBe(0);
  });

  it('forgets a bucket when its slot comes round again', () => {
    const window = new ThroughputWindow(2);
    window.add(1_000_000);
    window.add(1_500_000);
    window.add(3_200_000); // same slot as second 1, two seconds later
    expect(window.ratePerSec(3_500_000, 0)).toBeCloseTo(1 / 1.5, 5);
    window.reset();
    expect(window.ratePerSec(3_500_000, 0)).toBe(0);
  });
});
