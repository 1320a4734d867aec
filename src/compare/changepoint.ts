import { seededRandom } from '../engine/random.js';

/**
 * Change points of one series by E-divisive means (Matteson & James, "A Nonparametric Approach
 * for Multiple Change Point Analysis of Multivariate Data", 2014), the method Apache Otava
 * (formerly Hunter, by DataStax and MongoDB's performance teams) runs over nightly benchmark
 * figures. Why this one:
 * - it assumes no distribution: nightly latency is skewed and has outliers (a noisy neighbour),
 *   where a mean-and-variance test (CUSUM, a t-test per split) raises false shifts;
 * - it needs no noise estimate and no threshold in the figures' unit: the permutation test
 *   below asks "would a split this strong turn up if the nights came in any order?", which
 *   holds for any distribution as long as nights without a change are exchangeable;
 * - it finds several shifts (binary segmentation), each with its own significance.
 * Otava replaced the permutations by a Student t-test for speed on thousands of series; we have
 * a handful of series of at most a few hundred nights, where a seeded permutation test is cheap,
 * exact in its assumptions, and reproducible run to run.
 */

export interface ChangePointOptions {
  /** Permutations per significance test; the smallest p-value is 1 / (permutations + 1). */
  permutations?: number;
  /** A split is a change point when its p-value is at most this. */
  significance?: number;
  /** Nights each side of a change point must have at least. */
  minSegment?: number;
  /** Seed of the permutations: the same series always gives the same answer. */
  seed?: number;
}

export const CHANGE_POINT_DEFAULTS: Required<ChangePointOptions> = {
  // 499 permutations resolve p down to 0.002, well below the significance level.
  permutations: 499,
  // Each metric of each baseline is tested every night: at 0.01 a flat series raises a false
  // shift about once in a hundred tests, and the minimum size (drift.ts) filters most of those.
  significance: 0.01,
  // Five nights: a median of five shrugs off one outlier, and a shift is named within a week.
  minSegment: 5,
  seed: 1,
};

export interface ChangePoint {
  /** Index of the first value after the change. */
  index: number;
  /** Permutation p-value of the split, in the segment it was found in. */
  pValue: number;
}

/** Distances |x_i - x_j| (the E-statistic's alpha = 1, as Otava uses), as one flat matrix. */
function distances(values: readonly number[]): Float64Array {
  const n = values.length;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      const d = Math.abs((values[i] as number) - (values[j] as number));
      matrix[i * n + j] = d;
      matrix[j * n + i] = d;
    }
  }
  return matrix;
}

/**
 * The best split of `order` (indices into the distance matrix) and its strength Q: the
 * E-statistic between the two sides (mean distance across, minus the mean distances within),
 * scaled by m * k / (m + k). Every split point is scored in O(n^2) in all, by moving one value
 * at a time from the right side to the left.
 */
function bestSplit(
  matrix: Float64Array,
  size: number,
  order: readonly number[],
  minSegment: number,
): { at: number; strength: number } | null {
  const n = order.length;
  if (n < 2 * minSegment) return null;
  let within = 0;
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1)
      within += matrix[(order[i] as number) * size + (order[j] as number)] as number;
  }
  let withinLeft = 0;
  let across = 0;
  let withinRight = within;
  let best: { at: number; strength: number } | null = null;
  for (let at = 1; at < n; at += 1) {
    // Move order[at - 1] from the right side to the left.
    const moved = (order[at - 1] as number) * size;
    let toLeft = 0;
    for (let i = 0; i < at - 1; i += 1) toLeft += matrix[moved + (order[i] as number)] as number;
    let toRight = 0;
    for (let j = at; j < n; j += 1) toRight += matrix[moved + (order[j] as number)] as number;
    withinLeft += toLeft;
    across += toRight - toLeft;
    withinRight -= toRight;
    const left = at;
    const right = n - at;
    if (left < minSegment || right < minSegment) continue;
    const energy =
      (2 * across) / (left * right) -
      withinLeft / ((left * (left - 1)) / 2) -
      withinRight / ((right * (right - 1)) / 2);
    const strength = ((left * right) / n) * energy;
    if (!best || strength > best.strength) best = { at, strength };
  }
  return best;
}

/**
 * The change points of `values`, in order. Binary segmentation: the strongest split over all
 * current segments is tested by permuting its segment; when significant it divides the segment
 * and the search goes on, else it stops (as in Matteson & James' e.divisive).
 */
export function changePoints(
  values: readonly number[],
  options: ChangePointOptions = {},
): ChangePoint[] {
  const { permutations, significance, minSegment, seed } = { ...CHANGE_POINT_DEFAULTS, ...options };
  const size = values.length;
  const matrix = distances(values);
  const random = seededRandom(seed);
  const found: ChangePoint[] = [];
  const bounds = [0, size];
  for (;;) {
    let candidate: { start: number; end: number; at: number; strength: number } | null = null;
    for (let b = 0; b + 1 < bounds.length; b += 1) {
      const start = bounds[b] as number;
      const end = bounds[b + 1] as number;
      const order = range(start, end);
      const split = bestSplit(matrix, size, order, minSegment);
      if (split && (!candidate || split.strength > candidate.strength))
        candidate = { start, end, at: start + split.at, strength: split.strength };
    }
    if (!candidate) break;
    const order = range(candidate.start, candidate.end);
    let asStrong = 0;
    for (let p = 0; p < permutations; p += 1) {
      shuffle(order, random);
      const split = bestSplit(matrix, size, order, minSegment);
      if (split && split.strength >= candidate.strength - TIE * Math.abs(candidate.strength))
        asStrong += 1;
    }
    const pValue = (asStrong + 1) / (permutations + 1);
    if (pValue > significance) break;
    found.push({ index: candidate.at, pValue });
    bounds.push(candidate.at);
    bounds.sort((a, b) => a - b);
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * A permutation that splits into the same two sets as the series sums the same distances in
 * another order, so its strength may come out a few ulps below the series' own; it is a tie and
 * counts as strong. Without this, clean short series (two levels of four nights) got p = 0.004
 * instead of about 0.03.
 */
const TIE = 1e-9;

const range = (start: number, end: number): number[] =>
  Array.from({ length: end - start }, (_, i) => start + i);

/** Fisher-Yates, in place. */
function shuffle(order: number[], random: () => number): void {
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
}
