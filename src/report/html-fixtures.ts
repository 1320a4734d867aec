/**
 * Test-only: inputs for report.html beyond the shared report fixtures: a nightly history with a
 * shift, per-second timelines with a stall. Nothing in the shipped code imports it.
 */
import type { Baseline } from '../compare/baseline.js';
import type { TrialAggregate } from '../compare/trials.js';
import type { Timeline } from '../engine/measure/result.js';
import { baselineWithHistory, regressedAggregate } from './report-fixtures.js';

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
  seconds?: number;
  /** The first second without deliveries, and how long none arrived. */
  stall?: { at: number; length: number };
  ratePerSec?: number;
  /** Varies the figures a little from trial to trial. */
  seed?: number;
}

/**
 * One trial's timeline at a steady rate; a stall delivers nothing for `length` seconds while
 * the backlog grows, then everything held back at once, late by up to the stall.
 */
export function timelineWithStall(shape: StallShape = {}): Timeline {
  const seconds = shape.seconds ?? 20;
  const rate = shape.ratePerSec ?? 100;
  const seed = shape.seed ?? 0;
  const stall = shape.stall ?? null;
  const timeline: Timeline = {
    bucketSec: 1,
    publishEndSec: seconds,
    publishedPerSec: [],
    deliveredPerSec: [],
    p50Ms: [],
    p99Ms: [],
    maxMs: [],
    backlog: [],
  };
  let owed = 0;
  for (let second = 0; second < seconds; second += 1) {
    const wobble = [0, 3, -2, 4, -1, 2, -3][(second + seed) % 7] as number;
    const stalled = stall !== null && second >= stall.at && second < stall.at + stall.length;
    const catchUp = stall !== null && second === stall.at + stall.length;
    const delivered = stalled ? 0 : catchUp ? owed + rate : rate;
    owed += rate - delivered;
    const p99 = stalled ? null : catchUp ? stall.length * 1000 + 40 : 58 + wobble + seed;
    timeline.publishedPerSec.push(rate);
    timeline.deliveredPerSec.push(delivered);
    timeline.p50Ms.push(p99 === null ? null : p99 / 4);
    timeline.p99Ms.push(p99);
    timeline.maxMs.push(p99 === null ? null : p99 * 1.2);
    // A few webhooks are always in flight.
    timeline.backlog.push(owed + (stalled ? 0 : 4 + Math.abs(wobble)));
  }
  return timeline;
}

/**
 * The report fixtures' regressed run with a timeline per trial; trial `stalledTrial` (1-based)
 * stalls as `stall` says.
 */
export function regressedWithTimelines(
  stall: { trial: number; at: number; length: number } | null = { trial: 2, at: 9, length: 2 },
  seconds = 20,
): TrialAggregate {
  const base = regressedAggregate();
  return {
    ...base,
    trials: base.trials.map((trial, index) => ({
      ...trial,
      timeline: timelineWithStall({
        seconds,
        seed: index,
        ...(stall && stall.trial === index + 1 ? { stall } : {}),
      }),
    })),
  };
}
