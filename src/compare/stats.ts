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
