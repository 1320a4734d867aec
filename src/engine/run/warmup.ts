/**
 * The warm-up ends when latency has settled, not after a fixed count: a fresh start of the
 * pipeline is slow for its first second or two (JIT, connection pools, caches), then steady. The
 * warm-up publishes slices of about a second of the load and stops once a slice's p50 is within
 * SETTLED_WITHIN of the slice before, or at `warmup-events`, which stays the most it may take.
 * Not the p90: on a 2-core runner with a neighbour, the p90 of one second moved by more than 15%
 * between slices of a warm pipeline, and 11 of 16 warm-ups ran to their limit. A paired check starts each side fresh every round, so this is most of what a round
 * costs (a fixed 5 s warm-up was 5.1 s of a side's 8 s).
 */

/** A slice's share of the load: a second of it, and never so few events that p90 is noise. */
export const SLICE_SEC = 1;
export const MIN_SLICE_EVENTS = 100;
/** Slices measured at least: the first is compared with nothing, the second with the first. */
export const MIN_SLICES = 2;
/** Two consecutive slices whose p50 agree within this ratio: settled. */
export const SETTLED_WITHIN = 1.2;

export interface SliceFigures {
  p50: number;
  expected: number;
  delivered: number;
}

/** Sizes of the slices the warm-up may publish, summing to `warmupEvents`. */
export function warmupSlices(warmupEvents: number, ratePerSec: number): number[] {
  if (warmupEvents <= 0) return [];
  // Unbounded rate: no second to measure by; five slices of the warm-up.
  const size =
    ratePerSec > 0
      ? Math.max(MIN_SLICE_EVENTS, Math.ceil(ratePerSec * SLICE_SEC))
      : Math.max(MIN_SLICE_EVENTS, Math.ceil(warmupEvents / 5));
  const slices: number[] = [];
  for (let left = warmupEvents; left > 0; left -= size) slices.push(Math.min(size, left));
  // A last sliver too small to read is folded into the slice before.
  const last = slices.at(-1) ?? 0;
  if (slices.length > 1 && last < MIN_SLICE_EVENTS) {
    slices.pop();
    slices[slices.length - 1] = (slices.at(-1) ?? 0) + last;
  }
  return slices;
}

const within = (a: number, b: number): boolean =>
  a > 0 && b > 0 && Math.max(a / b, b / a) <= SETTLED_WITHIN;

/**
 * Whether the slices so far show settled latency: at least MIN_SLICES, the last two delivered
 * in full, their p50 within SETTLED_WITHIN of each other.
 */
export function settled(slices: readonly SliceFigures[]): boolean {
  if (slices.length < MIN_SLICES) return false;
  const [before, last] = slices.slice(-2) as [SliceFigures, SliceFigures];
  const complete = (slice: SliceFigures) => slice.expected > 0 && slice.delivered >= slice.expected;
  return complete(before) && complete(last) && within(before.p50, last.p50);
}
