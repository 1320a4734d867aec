import { describe, expect, it } from 'vitest';
import { MIN_SLICE_EVENTS, settled, warmupSlices, type SliceFigures } from './warmup.js';

const slice = (p50: number, delivered = 500): SliceFigures => ({
  p50,
  expected: 500,
  delivered,
});

describe('warm-up until latency settles', () => {
  it('slices the warm-up into half-seconds of the load, never past warmup-events', () => {
    expect(warmupSlices(2500, 500)).toEqual(Array(10).fill(250));
    expect(warmupSlices(1230, 1000)).toEqual([500, 500, 230]);
    // A sliver too small to read goes into the slice before.
    expect(warmupSlices(1050, 1000)).toEqual([500, 550]);
    expect(warmupSlices(150, 500)).toEqual([150]);
    expect(warmupSlices(0, 500)).toEqual([]);
    // A slow rate: never fewer events a slice than the minimum.
    expect(warmupSlices(600, 100)).toEqual([100, 100, 100, 100, 100, 100]);
    // Unbounded rate: five slices of the warm-up, each at least the minimum.
    expect(warmupSlices(2000, 0)).toEqual([400, 400, 400, 400, 400]);
    expect(Math.min(...warmupSlices(300, 0))).toBeGreaterThanOrEqual(MIN_SLICE_EVENTS);
  });

  it('settles once a slice is no better than the two before it, never before the third', () => {
    expect(settled([slice(1)])).toBe(false);
    expect(settled([slice(1), slice(1)])).toBe(false);
    expect(settled([slice(1), slice(1), slice(1)])).toBe(true);
    // Still falling: cold, warmer, warm; 1.5 is still more than a fifth above the fourth slice,
    // so the fifth is the first whose two before it agree.
    expect(settled([slice(3), slice(1.5), slice(1.1)])).toBe(false);
    expect(settled([slice(3), slice(1.5), slice(1.1), slice(1.05)])).toBe(false);
    expect(settled([slice(3), slice(1.5), slice(1.1), slice(1.05), slice(1)])).toBe(true);
  });

  it('a slower slice is noise, not warming: it does not hold the warm-up back', () => {
    expect(settled([slice(1), slice(1.1), slice(1.6)])).toBe(true);
    // Against either slice before it, a fall of more than a fifth is still warming.
    expect(settled([slice(1.3), slice(1), slice(1)])).toBe(false);
    expect(settled([slice(1.15), slice(1), slice(1)])).toBe(true);
  });

  it('does not settle while a slice of the three lost deliveries, or one delivered nothing', () => {
    expect(settled([slice(1), slice(1), slice(1, 450)])).toBe(false);
    expect(settled([slice(1, 450), slice(1), slice(1)])).toBe(false);
    expect(settled([slice(1, 450), slice(1), slice(1), slice(1)])).toBe(true);
    expect(settled([slice(0), slice(0), slice(0)])).toBe(false);
  });
});
