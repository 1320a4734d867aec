import { medianVarianceFactor } from './stats.js';

/**
 * The one level-shift detector: where a series (nightly figures on the log scale) moved to a new
 * level. Drift (drift.ts) names the shifts; the noise estimate (noise.ts) measures noise on the
 * last level only. The model, in three lines:
 * - noise sigma: from the differences between consecutive nights, the largest fifth left out (a
 *   step moves one difference, a wild night two, so neither inflates it);
 * - a segment's split: the one that fits two levels best by least absolute deviations from their
 *   medians (L1: robust, and it places a step at its night where a median gap alone may not);
 * - it is a shift when the two medians differ by at least LEVEL_SHIFT_SCORE standard errors of
 *   their difference, sigma * sqrt(v(left) + v(right)), each side at least MIN_LEVEL_SAMPLES long;
 *   binary segmentation then searches both sides again.
 * A shift of the newest three nights off a quiet history is found as soon as they are in: the
 * noise comes from the whole series, so a short side needs no permutation test (which cannot call
 * 3 nights off 9 significant: 1 in C(9, 3) = 84 orders splits as cleanly).
 * Cost: O(n log n) per segment searched (running medians in two heaps), O(n) memory.
 */

/** A level must have at least this many nights: the median of three shrugs off one wild night. */
export const MIN_LEVEL_SAMPLES = 3;
/**
 * How far apart two levels' medians must be, in standard errors of their difference, to be a
 * shift rather than noise. High, because every split of every segment is a chance for noise: over
 * 1000 flat series of 30 nights at 10-25% noise, bench/drift.ts counts the false alarms.
 */
export const LEVEL_SHIFT_SCORE = 5;

export interface LevelShiftOptions {
  /** Nights each side of a shift must have at least. */
  minSegment?: number;
  /** Standard errors the medians of the two levels must be apart. */
  score?: number;
}

export interface LevelShift {
  /** Index of the first value at the new level. */
  index: number;
  /** Gap of the two levels' medians in standard errors of their difference (Infinity: no noise). */
  score: number;
}

/** The level shifts of `values`, oldest first. */
export function levelShifts(
  values: readonly number[],
  options: LevelShiftOptions = {},
): LevelShift[] {
  const minSegment = options.minSegment ?? MIN_LEVEL_SAMPLES;
  const threshold = options.score ?? LEVEL_SHIFT_SCORE;
  if (!Number.isInteger(minSegment) || minSegment < 1) {
    throw new RangeError(
      `Invalid minimum segment ${minSegment}: expected a whole number of 1 or more.`,
    );
  }
  const found: LevelShift[] = [];
  const segments: [number, number][] = [[0, values.length]];
  for (let segment = segments.pop(); segment; segment = segments.pop()) {
    const [start, end] = segment;
    const split = bestSplit(values.slice(start, end), minSegment);
    if (!split || split.score < threshold) continue;
    found.push({ index: start + split.at, score: split.score });
    segments.push([start, start + split.at], [start + split.at, end]);
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Where the last level of a series begins: 0 when it never shifted. */
export function lastLevelStart(values: readonly number[], options: LevelShiftOptions = {}): number {
  return levelShifts(values, options).at(-1)?.index ?? 0;
}

/**
 * Robust sigma of one value from the differences of neighbours: the mean of the smallest 80% of
 * |x(i+1) - x(i)|, scaled. Every underestimate makes false shifts: from 20 nights, the median of
 * the differences comes out below 0.59 sigma one time in twenty, this mean below 0.64, and in
 * bench/drift.ts's flat series it halved the false alarms (10 of 300 series to 5). The largest
 * fifth left out holds the step and the wild nights.
 */
export function consecutiveSigma(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const differences = values
    .slice(1)
    .map((value, i) => Math.abs(value - (values[i] as number)))
    .sort((x, y) => x - y);
  const kept = differences.slice(0, Math.max(1, Math.round(differences.length * KEPT_DIFFERENCES)));
  return kept.reduce((sum, d) => sum + d, 0) / kept.length / TRIMMED_DIFFERENCE_TO_SIGMA;
}
const KEPT_DIFFERENCES = 0.8;
/**
 * x(i+1) - x(i) of normal draws has standard deviation sigma * sqrt(2); the mean of |Z| below its
 * 80% quantile (1.2816) is 2 * (phi(0) - phi(1.2816)) / 0.8 = 0.5586; sqrt(2) * 0.5586 = 0.79.
 */
const TRIMMED_DIFFERENCE_TO_SIGMA = 0.79;

function bestSplit(
  segment: readonly number[],
  minSegment: number,
): { at: number; score: number } | null {
  const n = segment.length;
  if (n < 2 * minSegment) return null;
  const left = runningMedians(segment);
  const right = runningMedians([...segment].reverse());
  let best: { at: number; cost: number } | null = null;
  for (let at = minSegment; at <= n - minSegment; at += 1) {
    const cost = (left.cost[at - 1] as number) + (right.cost[n - at - 1] as number);
    // Strictly lower: of equal fits, the earliest split, so a later level is found next.
    if (!best || cost < best.cost) best = { at, cost };
  }
  if (!best) return null;
  const gap = Math.abs(
    (right.median[n - best.at - 1] as number) - (left.median[best.at - 1] as number),
  );
  const standardError =
    consecutiveSigma(segment) *
    Math.sqrt(medianVarianceFactor(best.at) + medianVarianceFactor(n - best.at));
  const score =
    gap === 0 ? 0 : standardError === 0 ? Number.POSITIVE_INFINITY : gap / standardError;
  return { at: best.at, score };
}

/**
 * For every prefix of `values`, its median and its sum of absolute deviations from that median,
 * kept in two heaps (the lower half, negated, and the upper half) with their sums.
 */
function runningMedians(values: readonly number[]): { median: Float64Array; cost: Float64Array } {
  const medians = new Float64Array(values.length);
  const costs = new Float64Array(values.length);
  const lower = new MinHeap(); // negated: its top is the largest of the lower half
  const upper = new MinHeap();
  let lowerSum = 0;
  let upperSum = 0;
  values.forEach((value, i) => {
    if (lower.size === 0 || value <= -lower.top()) {
      lower.push(-value);
      lowerSum += value;
    } else {
      upper.push(value);
      upperSum += value;
    }
    if (lower.size > upper.size + 1) {
      const moved = -lower.pop();
      lowerSum -= moved;
      upper.push(moved);
      upperSum += moved;
    } else if (upper.size > lower.size) {
      const moved = upper.pop();
      upperSum -= moved;
      lower.push(-moved);
      lowerSum += moved;
    }
    const odd = lower.size > upper.size;
    const middle = odd ? -lower.top() : (-lower.top() + upper.top()) / 2;
    medians[i] = middle;
    // Sum of |x - median|: the upper half lies above it, the lower half below.
    costs[i] = upperSum - lowerSum + (odd ? middle : 0);
  });
  return { median: medians, cost: costs };
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): number {
    return this.items[0] as number;
  }

  push(value: number): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as number) <= value) break;
      items[i] = items[parent] as number;
      i = parent;
    }
    items[i] = value;
  }

  pop(): number {
    const items = this.items;
    const top = items[0] as number;
    const last = items.pop() as number;
    if (items.length === 0) return top;
    let i = 0;
    for (;;) {
      const child = 2 * i + 1;
      if (child >= items.length) break;
      const smaller =
        child + 1 < items.length && (items[child + 1] as number) < (items[child] as number)
          ? child + 1
          : child;
      if ((items[smaller] as number) >= last) break;
      items[i] = items[smaller] as number;
      i = smaller;
    }
    items[i] = last;
    return top;
  }
}
