import { describe, expect, it } from 'vitest';
import {
  median,
  medianAbsoluteDeviation,
  medianVarianceFactor,
  pooledPairSigma,
  relativeSpread,
} from './stats.js';

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

  it('pools the noise of groups from pairs within each group, never across', () => {
    expect(pooledPairSigma([[1], [2]])).toBeNull();
    expect(
      pooledPairSigma([
        [5, 5, 5],
        [9, 9, 9],
      ]),
    ).toBe(0);
    // Normal draws of sigma 1: the estimate comes out near 1.
    const draws = [-1.2, 0.3, 0.8, -0.5, 1.6, -0.1, 0.9, -1.9, 0.2, 0.6, -0.7, 1.1];
    expect(pooledPairSigma([draws.slice(0, 6), draws.slice(6).map((x) => x + 100)])).toBeCloseTo(
      1,
      0,
    );
    // One wild value in one group of three: most pooled pairs still say "quiet".
    const quiet = pooledPairSigma([
      [1, 1.02, 0.98],
      [2, 2.03, 4],
    ]) as number;
    expect(quiet).toBeLessThan(0.1);
  });

  it('knows the variance of a median of few draws', () => {
    expect(medianVarianceFactor(1)).toBe(1);
    expect(medianVarianceFactor(3)).toBeCloseTo(0.449);
    expect(medianVarianceFactor(100)).toBeCloseTo(Math.PI / 200);
    expect(() => medianVarianceFactor(0)).toThrow(RangeError);
  });
});
