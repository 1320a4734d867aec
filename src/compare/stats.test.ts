import { describe, expect, it } from 'vitest';
import { median, medianAbsoluteDeviation, relativeSpread } from './stats.js';

describe('stats', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('measures the MAD, unmoved by one outlier', () => {
    expect(medianAbsoluteDeviation([10, 11, 9, 10, 10])).toBe(0);
    expect(medianAbsoluteDeviation([10, 11, 9, 10, 1000])).toBe(1);
  });

  it('measures relative spread as (max - min) / median', () => {
    expect(relativeSpread([10])).toBe(0);
    expect(relativeSpread([8, 10, 12])).toBeCloseTo(0.4);
    expect(relativeSpread([0, 0])).toBe(0);
    expect(relativeSpread([0, 0, 1])).toBeNull();
    expect(relativeSpread([])).toBeNull();
  });
});
