/**
 * The warm-up ends when latency has stopped falling, not after a fixed count: a fresh start of
 * the pipeline is slow for its first second or two (JIT, connection pools, caches), then steady.
 * The warm-up publishes slices of half a second of the load and stops once a slice's p50 is no
 * more than SETTLED_WITHIN below each of the two slices before it (latency has not improved over
 * the last second), or at `warmup-events`, which stays the most it may take.
 *
 * One-sided on purpose: a warm-up is about the fall from cold, and a slice slower than the one
 * before is noise, not warming. On the fast reference pipeline, 24 fresh starts whose warm-up ran
 * its full 5 s in quarter-second slices: this rule ended after 2.4 s on average, and the 2 s after
 * it read p50 1.03x the warm level (median of seconds 2.5-5). Two one-second slices within 20% of
 * each other either way (the rule before) took 3.0 s for 1.01x; a fixed 1 s gave 1.15x, up to
 * 1.39x. Not the p90: on a 2-core runner with a neighbour, the p90 of one second moved by more than
 * 15% between slices of a warm pipeline. A paired check starts each side fresh every round, so the
 * warm-up is much of what a round costs.
 */

/** A slice's share of the load: half a second of it, and never so few events that p50 is noise. */
export const SLICE_SEC = 0.5;
export const MIN_SLICE_EVENTS = 100;
/** Slices measured at least: the newest is compared with the two before it. */
export const MIN_SLICES = 3;
/** A slice whose p50 is no more than this factor below each of the two before it: settled. */
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

/**
 * Whether the slices so far show that latency has stopped falling: at least MIN_SLICES, the last
 * three delivered in full, the newest p50 no more than SETTLED_WITHIN below either slice before it.
 */
export function settled(slices: readonly SliceFigures[]): boolean {
  if (slices.length < MIN_SLICES) return false;
  const window = slices.slice(-MIN_SLICES);
  const complete = (slice: SliceFigures) => slice.expected > 0 && slice.delivered >= slice.expected;
  if (!window.every(complete)) return false;
  const newest = window.at(-1) as SliceFigures;
  return (
    newest.p50 > 0 &&
    window
      .slice(0, -1)
      .every((before) => before.p50 > 0 && before.p50 <= newest.p50 * SETTLED_WITHIN)
  );
}
