/** Small robust statistics over per-trial or per-night figures. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  // With an even count this is the mean of two runs' figures (a statistic of scalars, not a
  // merged distribution); odd trial counts avoid it.
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Median absolute deviation: the spread estimate that one bad night cannot inflate. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center)));
}

/** Scales a MAD to the standard deviation it estimates for normally distributed data. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * (max - min) / median: 0 when all agree, 0.5 when the trials span half the median.
 * null when it is undefined (median 0 with differing values).
 */
export function relativeSpread(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const range = Math.max(...values) - Math.min(...values);
  if (range === 0) return 0;
  const center = Math.abs(median(values));
  return center === 0 ? null : range / center;
}

/**
 * The robust standard deviation of repeated measurements, pooled over groups measured under
 * one condition each (the baseline's trials, this run's trials, the nights of one level): the
 * median absolute difference of every pair within a group, scaled to sigma (Shamos'
 * estimator). Pairs within a group only, so a difference between groups, which may be the very
 * change under test, is never taken for noise. One wild trial of three moves two of three
 * pairs of its group, but only a minority of the pooled pairs once the other group agrees with
 * itself. null with no pair (no group of two or more).
 */
export function pooledPairSigma(groups: readonly (readonly number[])[]): number | null {
  const differences: number[] = [];
  for (const group of groups) {
    for (let i = 0; i < group.length; i += 1) {
      for (let j = i + 1; j < group.length; j += 1) {
        differences.push(Math.abs((group[i] as number) - (group[j] as number)));
      }
    }
  }
  return differences.length === 0 ? null : median(differences) / PAIR_DIFFERENCE_TO_SIGMA;
}

/** |a - b| of two normal draws has median sigma * sqrt(2) * 0.6745. */
const PAIR_DIFFERENCE_TO_SIGMA = Math.SQRT2 * 0.6745;

/**
 * Variance of the median of `count` draws, in units of one draw's variance (normal data; exact
 * values for small counts, the asymptotic pi / 2n beyond). Trial counts are small, where the
 * asymptote is up to 50% off.
 */
export function medianVarianceFactor(count: number): number {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`medianVarianceFactor of ${count}: expected a whole number of at least 1`);
  const small = [1, 0.5, 0.449, 0.298, 0.287, 0.215];
  return small[count - 1] ?? Math.PI / (2 * count);
}
