import { describe, expect, it } from 'vitest';
import { consecutiveSigma, lastLevelStart, levelShifts } from './changepoint.js';
import { syntheticSeries } from './drift-fixtures.js';

const logs = (values: readonly number[]) => values.map(Math.log);

describe('levelShifts (median gap in standard errors, least-absolute-deviation split)', () => {
  it('finds one 30% step at its night', () => {
    const series = logs(
      syntheticSeries({ nights: 60, level: 10, noise: 0.05, shift: { at: 40, ratio: 1.3 } }),
    );
    const [shift, ...others] = levelShifts(series);
    expect(shift!.index).toBeGreaterThanOrEqual(39);
    expect(shift!.index).toBeLessThanOrEqual(41);
    expect(shift!.score).toBeGreaterThan(5);
    expect(others.every((other) => Math.abs(other.index - 40) > 1)).toBe(true);
  });

  it('finds two steps in both directions', () => {
    const first = syntheticSeries({
      nights: 30,
      level: 10,
      noise: 0.03,
      shift: { at: 15, ratio: 1.5 },
      seed: 3,
    });
    const second = syntheticSeries({
      nights: 30,
      level: 15,
      noise: 0.03,
      shift: { at: 15, ratio: 0.6 },
      seed: 4,
    });
    const indexes = levelShifts(logs([...first, ...second])).map((shift) => shift.index);
    expect(indexes).toEqual([15, 45]);
  });

  it('finds nothing in a constant series or one shorter than two levels', () => {
    expect(levelShifts(Array.from({ length: 30 }, () => 1))).toEqual([]);
    expect(levelShifts([1, 1, 1, 2, 2])).toEqual([]);
  });

  it('finds a doubling three nights after it landed, where a permutation test cannot', () => {
    // Six nights at 11.3 ms, then three at 21.9 ms (issue 24): 1 of the C(9, 3) = 84 orders splits
    // as cleanly, so no permutation test reaches p 0.01; the noise of the nights can tell.
    const series = logs([11.2, 11.5, 11.1, 11.4, 11.3, 11.2, 21.9, 22.3, 21.6]);
    expect(levelShifts(series)).toEqual([{ index: 6, score: expect.any(Number) }]);
    expect(levelShifts(series)[0]!.score).toBeGreaterThan(20);
  });

  it('keeps each side of a shift at least minSegment long', () => {
    const series = [...Array.from({ length: 20 }, (_, i) => 1 + (i % 3) * 0.01), 3, 3, 3];
    expect(levelShifts(series).map((shift) => shift.index)).toEqual([20]);
    expect(levelShifts(series, { minSegment: 5 }).map((shift) => shift.index)).toEqual([18]);
    expect(() => levelShifts(series, { minSegment: 0 })).toThrow(RangeError);
  });

  it('answers in one pass per level for a long history', () => {
    const series = logs(
      syntheticSeries({
        nights: 20_000,
        level: 10,
        noise: 0.05,
        shift: { at: 15_000, ratio: 1.2 },
      }),
    );
    expect(levelShifts(series).map((shift) => shift.index)).toEqual([15_000]);
  });
});

describe('lastLevelStart', () => {
  it('finds where the last level of a series begins', () => {
    const jitter = (i: number) => [0, 0.01, -0.01, 0.02, -0.02][i % 5] as number;
    const tenThenTwenty = [
      ...Array.from({ length: 15 }, (_, i) => Math.log(10) + jitter(i)),
      ...Array.from({ length: 15 }, (_, i) => Math.log(20) + jitter(i)),
    ];
    expect(lastLevelStart(tenThenTwenty)).toBe(15);
    // Two steps: the last one counts.
    expect(lastLevelStart([1, 1, 1, 1, 5, 5, 5, 5, 9, 9, 9, 9])).toBe(8);
    // Noise without a step, and a single wild night, are no shift.
    expect(lastLevelStart([10, 11, 9, 10.5, 9.5, 10, 11, 9, 10.2, 9.8])).toBe(0);
    expect(lastLevelStart([10, 10.2, 9.8, 10, 30, 10.1, 9.9, 10])).toBe(0);
    // Too short to tell.
    expect(lastLevelStart([1, 9])).toBe(0);
    expect(lastLevelStart(logs([10, 10.2, 9.8, 10.1, 20, 20.4, 19.6, 20.2]))).toBe(4);
  });
});

describe('consecutiveSigma', () => {
  it('measures noise from neighbouring nights, unmoved by a step or one wild night', () => {
    const noise = syntheticSeries({ nights: 400, level: 1, noise: 0.1, seed: 7 }).map(Math.log);
    expect(consecutiveSigma(noise)).toBeCloseTo(0.1, 1);
    const stepped = noise.map((value, i) => (i >= 200 ? value + 2 : value));
    stepped[100] = 5;
    expect(consecutiveSigma(stepped) / consecutiveSigma(noise)).toBeLessThan(1.05);
    expect(consecutiveSigma([3])).toBe(0);
  });
});
