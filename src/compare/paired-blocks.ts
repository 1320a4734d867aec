import { createHistogram, type Histogram } from '../engine/measure/histogram.js';
import { seededRandom } from '../engine/random.js';

/**
 * The sampling noise inside one round, from blocks of events: a trial's deliveries split by
 * intended send time into consecutive blocks, one HDR histogram each. Both sides of a round
 * publish the same events on the same schedule, so block k of the head and block k of the base
 * hold the same events: resampling the same block indices on both sides (a paired block
 * bootstrap) keeps that pairing, and whole blocks keep the short-range correlation of latencies
 * (a GC pause or a slow fsync moves many neighbouring events together), which resampling single
 * events would wrongly treat as independent.
 */

export interface BlockBootstrapOptions {
  /** Bootstrap replicates; 200 gives a variance good to about 10%, plenty for a width. */
  replicates?: number;
  /** Uniform [0, 1) source; seeded in tests so they are deterministic. */
  random?: () => number;
}

/** Fewer blocks than this make a bootstrap that mostly repeats itself. */
export const MIN_BLOCKS = 4;

/**
 * Variance of ln(head percentile / base percentile) for each requested percentile, or null when
 * there are too few blocks (or a side has none with deliveries) to say.
 */
export function blockBootstrapLogVariance(
  headBlocks: readonly Histogram[],
  baseBlocks: readonly Histogram[],
  percentiles: readonly number[],
  options: BlockBootstrapOptions = {},
): Map<number, number> | null {
  if (headBlocks.length !== baseBlocks.length) {
    throw new RangeError(
      `paired blocks differ in number: head ${headBlocks.length}, base ${baseBlocks.length}`,
    );
  }
  const blocks = headBlocks.length;
  if (blocks < MIN_BLOCKS) return null;
  const replicates = options.replicates ?? 200;
  const random = options.random ?? seededRandom(blocks * 7919 + percentiles.length);
  const samples = new Map<number, number[]>(percentiles.map((p) => [p, []]));
  const head = createHistogram();
  const base = createHistogram();
  for (let replicate = 0; replicate < replicates; replicate++) {
    head.reset();
    base.reset();
    for (let draw = 0; draw < blocks; draw++) {
      const index = Math.floor(random() * blocks);
      head.add(headBlocks[index] as Histogram);
      base.add(baseBlocks[index] as Histogram);
    }
    if (head.totalCount === 0 || base.totalCount === 0) continue;
    for (const percentile of percentiles) {
      const ratio = head.getValueAtPercentile(percentile) / base.getValueAtPercentile(percentile);
      samples.get(percentile)!.push(Math.log(ratio));
    }
  }
  const variances = new Map<number, number>();
  for (const [percentile, values] of samples) {
    if (values.length < 2) return null;
    const center = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance =
      values.reduce((sum, value) => sum + (value - center) ** 2, 0) / (values.length - 1);
    variances.set(percentile, variance);
  }
  return variances;
}
