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

/** A level shift must leave at least this many samples on each side to count. */
export const MIN_LEVEL_SAMPLES = 3;
/**
 * How far apart two levels' medians must be, in standard errors of their difference, to be a
 * shift rather than noise. High, because every split point of the series is tried.
 */
export const LEVEL_SHIFT_SCORE = 5;

/**
 * Where the last level of a series begins: 0 when the series never shifted. Binary
 * segmentation from the end: the strongest split of the current segment, if it clears
 * LEVEL_SHIFT_SCORE, starts a new segment, which is searched again. Noise estimated across a
 * shift measures the shift (15 nights at 10 ms then 15 at 20 ms read as +-50% noise), not how
 * much the figure moves unchanged.
 *
 * Drift finds shifts too, by E-divisive means (changepoint.ts); this one stays because the
 * permutation test there cannot call a split of k nights off n significant unless C(n, k) is
 * about 200 or more: 5 + 5 nights, or 12 nights for a shift 3 nights ago. The noise estimate is
 * used from MIN_HISTORY_SAMPLES nights on and must see a shift early: 4 nights at 10 ms then 4 at
 * 20 ms are a shift here (too short a level to use, so the limit does not widen) and no change
 * point there (the 8 nights would be one level, the shift taken for noise).
 */
export function lastLevelStart(values: readonly number[]): number {
  let start = 0;
  for (;;) {
    let best: { at: number; score: number; misfit: number } | null = null;
    for (let at = start + MIN_LEVEL_SAMPLES; at <= values.length - MIN_LEVEL_SAMPLES; at += 1) {
      const before = values.slice(start, at);
      const after = values.slice(at);
      const gap = Math.abs(median(after) - median(before));
      if (gap === 0) continue;
      const sigma = pooledPairSigma([before, after]) ?? 0;
      const standardError =
        sigma * Math.sqrt(medianVarianceFactor(before.length) + medianVarianceFactor(after.length));
      const score = standardError === 0 ? Number.POSITIVE_INFINITY : gap / standardError;
      // Ties (infinite scores on flat data) go to the split that leaves each side flattest.
      const misfit = absoluteDeviationSum(before) + absoluteDeviationSum(after);
      if (!best || score > best.score || (score === best.score && misfit < best.misfit))
        best = { at, score, misfit };
    }
    if (!best || best.score < LEVEL_SHIFT_SCORE) return start;
    start = best.at;
  }
}

function absoluteDeviationSum(values: readonly number[]): number {
  const center = median(values);
  return values.reduce((total, value) => total + Math.abs(value - center), 0);
}
