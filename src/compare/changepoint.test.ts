import { describe, expect, it } from 'vitest';
import { changePoints } from './changepoint.js';
import { syntheticSeries } from './drift-fixtures.js';

const logs = (values: number[]) => values.map(Math.log);

describe('changePoints (E-divisive means, permutation test)', () => {
  it('finds one 30% step at its night', () => {
    const series = logs(
      syntheticSeries({ nights: 60, level: 10, noise: 0.05, shift: { at: 40, ratio: 1.3 } }),
    );
    const [point, ...others] = changePoints(series);
    expect(point!.index).toBeGreaterThanOrEqual(39);
    expect(point!.index).toBeLessThanOrEqual(41);
    expect(point!.pValue).toBeLessThanOrEqual(0.01);
    // Any further point is a wobble the size filter (drift.ts) judges; none at the step itself.
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
    const indexes = changePoints(logs([...first, ...second])).map((point) => point.index);
    expect(indexes).toEqual(expect.arrayContaining([15, 45]));
  });

  it('is deterministic: the same series and seed give the same p-values', () => {
    const series = logs(
      syntheticSeries({
        nights: 40,
        level: 10,
        noise: 0.2,
        shift: { at: 20, ratio: 1.2 },
        seed: 9,
      }),
    );
    expect(changePoints(series)).toEqual(changePoints(series));
  });

  it('finds nothing in a constant series or one shorter than two segments', () => {
    expect(changePoints(Array.from({ length: 30 }, () => 1))).toEqual([]);
    expect(changePoints([1, 1, 1, 1, 2, 2, 2, 2, 2])).toEqual([]);
  });

  it('keeps each side of a change at least minSegment long', () => {
    // A jump on the last three nights: five-night segments can only place it two nights early,
    // three-night ones place it exactly.
    const series = [...Array.from({ length: 20 }, (_, i) => 1 + (i % 3) * 0.01), 3, 3, 3];
    expect(changePoints(series).map((point) => point.index)).toEqual([18]);
    expect(changePoints(series, { minSegment: 3 }).map((point) => point.index)).toEqual([20]);
  });

  it('counts the orders that split as cleanly as the series, whatever the rounding', () => {
    // Two levels of four nights, perfectly apart: 2 of the 70 ways to pick the left four split
    // as cleanly (p about 0.03). Such a permutation sums the same distances in another order, so
    // its strength may differ from the series' in the last bit; it must still count as strong.
    const series = logs([10, 10.2, 9.8, 10.1, 20, 20.4, 19.6, 20.2]);
    const [point] = changePoints(series, { minSegment: 3, significance: 1 });
    expect(point!.index).toBe(4);
    expect(point!.pValue).toBeGreaterThan(0.015);
    expect(point!.pValue).toBeLessThan(0.05);
    expect(changePoints(series, { minSegment: 3 })).toEqual([]);
  });
});
