import { describe, expect, it } from 'vitest';
import { MIN_SLICE_EVENTS, settled, warmupSlices, type SliceFigures } from './warmup.js';

const slice = (p50: number, delivered = 500): SliceFigures => ({
  p50,
  expected: 500,
  delivered,
});

describe('warm-up until latency settles', () => {
  it('slices the warm-up into seconds of the load, never past warmup-events', () => {
    expect(warmupSlices(2500, 500)).toEqual([500, 500, 500, 500, 500]);
    expect(warmupSlices(1230, 500)).toEqual([500, 500, 230]);
    // A sliver too small to read goes into the slice before.
    expect(warmupSlices(1050, 500)).toEqual([500, 550]);
    expect(warmupSlices(150, 500)).toEqual([150]);
    expect(warmupSlices(0, 500)).toEqual([]);
    // Unbounded rate: five slices of the warm-up, each at least the minimum.
    expect(warmupSlices(2000, 0)).toEqual([400, 400, 400, 400, 400]);
    expect(Math.min(...warmupSlices(300, 0))).toBeGreaterThanOrEqual(MIN_SLICE_EVENTS);
  });

  it('settles when two slices in a row agree, not on the first', () => {
    expect(settled([slice(1)])).toBe(false);
    // Cold first slice, warm second: not yet; the third agrees with the second.
    expect(settled([slice(3), slice(1.2)])).toBe(false);
    expect(settled([slice(3), slice(1.2), slice(1.1)])).toBe(true);
  });

  it('does not settle while the p50 still moves by more than a fifth, or a slice lost deliveries', () => {
    expect(settled([slice(1), slice(1.25)])).toBe(false);
    expect(settled([slice(1), slice(1.15)])).toBe(true);
    expect(settled([slice(1), slice(1, 450)])).toBe(false);
    expect(settled([slice(0), slice(0)])).toBe(false);
  });
});
