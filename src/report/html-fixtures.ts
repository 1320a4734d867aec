/**
 * Test-only: inputs for report.html beyond the shared report fixtures: a nightly history with a
 * shift, per-second timelines with a stall. Nothing in the shipped code imports it.
 */
import type { Baseline } from '../compare/baseline.js';
import type { TimelineSecond, TimelineView } from './html.js';
import { baselineWithHistory } from './report-fixtures.js';

/**
 * The report fixtures' baseline with `nights` of history whose latencies were `ratio` times
 * lower before night `at`: the baseline's own (newest) figures are at the level after the shift.
 */
export function baselineWithShift(nights = 30, at = 20, ratio = 1.3): Baseline {
  const baseline = baselineWithHistory(nights);
  return {
    ...baseline,
    history: baseline.history.map((entry, night) =>
      night >= at
        ? entry
        : {
            ...entry,
            metrics: {
              ...entry.metrics,
              p95: entry.metrics.p95 / ratio,
              p99: entry.metrics.p99 / ratio,
            },
          },
    ),
  };
}

export interface StallShape {
  trials?: number;
  seconds?: number;
  /** The trial (1-based) that stalls, its first second without deliveries, and how long. */
  stall?: { trial: number; at: number; length: number };
  ratePerSec?: number;
}

/**
 * Per-second timelines of trials at a steady rate; a stalled trial delivers nothing for `length`
 * seconds, then everything held back at once, late by up to the stall.
 */
export function timelinesWithStall(shape: StallShape = {}): TimelineView[] {
  const trials = shape.trials ?? 3;
  const seconds = shape.seconds ?? 20;
  const rate = shape.ratePerSec ?? 100;
  return Array.from({ length: trials }, (_, index) => {
    const trial = index + 1;
    const stall = shape.stall?.trial === trial ? shape.stall : null;
    const figures: TimelineSecond[] = Array.from({ length: seconds }, (_, second) => {
      const wobble = [0, 3, -2, 4, -1, 2, -3][(second + trial) % 7] as number;
      if (stall && second >= stall.at && second < stall.at + stall.length) {
        return { second, deliveries: 0, p99Ms: null };
      }
      if (stall && second === stall.at + stall.length) {
        return { second, deliveries: rate * (stall.length + 1), p99Ms: stall.length * 1000 + 40 };
      }
      return { second, deliveries: rate + wobble, p99Ms: 58 + wobble + trial };
    });
    return { name: `trial ${trial}`, seconds: figures };
  });
}
