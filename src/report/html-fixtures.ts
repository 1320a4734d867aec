/**
 * Test-only: inputs for report.html beyond the shared report fixtures: a nightly history with a
 * shift, per-second timelines with a stall, a paired A/B run (also behind the paired markdown and
 * terminal tests). Nothing in the shipped code imports it.
 */
import type { Baseline } from '../compare/baseline.js';
import { makeRunResult } from '../compare/fixtures.js';
import type { PairedRun } from '../compare/rounds.js';
import { aggregateTrials, type TrialAggregate } from '../compare/trials.js';
import { trialOfRun } from '../judge/figures.js';
import { judge } from '../judge/judge.js';
import type { CheckReport } from './check.js';
import type { Timeline } from '../engine/measure/result.js';
import { baselineWithHistory, regressedAggregate, shown } from './report-fixtures.js';

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

export interface PairedShape {
  /** The head's p50 in each round, one round each; the base's is 10 ms throughout. */
  headP50Ms?: readonly number[];
  /** Each side's trial with a timeline. */
  timelines?: boolean;
  /** With timelines: the head's second round stalls for 2 s at second 9. */
  stall?: boolean;
}

/**
 * A paired A/B run whose head is, by default, about twice as slow as the base over three rounds.
 */
export function pairedReport(shape: PairedShape = {}): CheckReport {
  const { headP50Ms = [20, 21, 19.5], timelines = true, stall = false } = shape;
  const phases = { start: 1500, ready: 700, seed: 50, warmup: 2000, measure: 2200, stop: 400 };
  const result = (p50: number, seed: number, stalled: boolean) => {
    const measured = makeRunResult({ latency: { p50Ms: p50, p95Ms: p50 * 2, p99Ms: p50 * 3 } });
    if (!timelines) return measured;
    const timeline = timelineWithStall({
      seed,
      ...(stalled ? { stall: { at: 9, length: 2 } } : {}),
    });
    return { ...measured, timeline };
  };
  const run: PairedRun = {
    prepareMs: { base: 12_000, head: 11_000 },
    furtherRounds: 0,
    rounds: headP50Ms.map((p50, index) => ({
      round: index + 1,
      order: index % 2 === 0 ? ['base', 'head'] : ['head', 'base'],
      base: { results: [result(10, index, false)], phases },
      head: { results: [result(p50, index + 3, stall && index === 1)], phases },
    })),
  };
  const n = run.rounds.length;
  const judgement = shown(
    judge(
      {
        kind: 'paired',
        rounds: run.rounds.map((round) => ({
          base: round.base.results.map(trialOfRun),
          head: round.head.results.map(trialOfRun),
        })),
      },
      { tolerance: 1.5 },
      { roundsSoFar: n, minRounds: n, maxRounds: n },
    ),
  );
  return {
    name: 'quick',
    judgement,
    reference: 'base',
    why: 'compare-to auto: the base commit, measured on this runner',
    describeHead: 'head 5d6e7f8',
    head: aggregateTrials(run.rounds.flatMap((round) => round.head.results)),
    paired: {
      run,
      base: aggregateTrials(run.rounds.flatMap((round) => round.base.results)),
      describeBase: 'base commit 1a2b3c4 (first parent of the merge commit 5d6e7f8)',
    },
    baseline: null,
    notes: [],
  };
}
