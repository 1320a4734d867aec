import { decodeHistogram, type Histogram } from '../engine/measure/histogram.js';
import type { Start } from './figures.js';

/**
 * Latency percentiles of histograms pooled over a weighted choice of trials or starts, fast
 * enough for a bootstrap. Adding HDR histograms per resample (2,000 resamples, two sides, after
 * every round) would scan tens of thousands of buckets each time; instead each one's counts are
 * laid once on the grid of buckets any of them occupies, as cumulative counts, and a percentile of
 * a weighted pool is a binary search on that grid: about 13 steps of one multiply-add per start.
 * With every weight 1 it reads exactly what hdr's getValueAtPercentile reads on the added
 * histograms (the bucket's highest equivalent value), clamped to the largest value recorded, as
 * summarizeMs does.
 */

/** The parts of hdr's JS histogram that list its buckets (not in its public interface). */
interface BucketView {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
}

interface Buckets {
  /** Highest equivalent value of each occupied bucket, µs, ascending. */
  values: number[];
  counts: number[];
  maxUs: number;
}

function bucketsOf(histogram: Histogram): Buckets {
  const view = histogram as unknown as BucketView;
  const values: number[] = [];
  const counts: number[] = [];
  for (let index = 0; index < view.countsArrayLength; index += 1) {
    const count = view.getCountAtIndex(index);
    if (count > 0) {
      values.push(view.highestEquivalentValue(view.valueFromIndex(index)));
      counts.push(count);
    }
  }
  return { values, counts, maxUs: histogram.maxValue };
}

/** One start's latencies: its trials' histograms added. */
function startBuckets(start: Start): Buckets {
  const [first, ...rest] = start.map((trial) => decodeHistogram(trial.latencyHistogram));
  if (!first) return { values: [], counts: [], maxUs: 0 };
  for (const histogram of rest) first.add(histogram);
  return bucketsOf(first);
}

export class PooledLatency {
  /** The union of occupied buckets, µs, ascending. */
  private readonly grid: Float64Array;
  /** Per start: how many of its events lie at or below each grid value. */
  private readonly cumulative: Float64Array[];
  private readonly totals: number[];
  private readonly maxima: number[];

  constructor(starts: readonly Start[]) {
    const buckets = starts.map(startBuckets);
    this.grid = Float64Array.from(new Set(buckets.flatMap((b) => b.values))).sort();
    this.cumulative = buckets.map((b) => {
      const cumulative = new Float64Array(this.grid.length);
      let at = 0;
      let running = 0;
      for (let g = 0; g < this.grid.length; g += 1) {
        while (at < b.values.length && (b.values[at] as number) <= (this.grid[g] as number)) {
          running += b.counts[at] as number;
          at += 1;
        }
        cumulative[g] = running;
      }
      return cumulative;
    });
    this.totals = buckets.map((b) => b.counts.reduce((sum, count) => sum + count, 0));
    this.maxima = buckets.map((b) => b.maxUs);
  }

  get starts(): number {
    return this.totals.length;
  }

  /**
   * The latency at `percentile` (0-100] of the starts pooled with these weights (a start drawn
   * twice counts twice), in µs; null when the pool holds no event.
   */
  percentileUs(percentile: number, weights: ArrayLike<number>): number | null {
    let total = 0;
    let maxUs = 0;
    for (let s = 0; s < this.totals.length; s += 1) {
      const weight = weights[s] as number;
      if (weight === 0) continue;
      total += weight * (this.totals[s] as number);
      maxUs = Math.max(maxUs, this.maxima[s] as number);
    }
    if (total === 0) return null;
    // hdr rounds the rank up, guarding against the float product landing a hair above an integer.
    const exact = (Math.min(percentile, 100) / 100) * total;
    const rank = Math.max(Math.ceil(exact - exact * Number.EPSILON * 2), 1);
    let low = 0;
    let high = this.grid.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      let below = 0;
      for (let s = 0; s < this.cumulative.length; s += 1) {
        const weight = weights[s] as number;
        if (weight !== 0)
          below += weight * ((this.cumulative[s] as Float64Array)[middle] as number);
      }
      if (below >= rank) high = middle;
      else low = middle + 1;
    }
    return Math.min(this.grid[low] as number, maxUs);
  }
}

/** Every start once: the pool of all the data. */
export const allStarts = (count: number): Float64Array => new Float64Array(count).fill(1);
