import { formatPercent } from './format.js';
import type { Direction } from './metrics.js';

/**
 * Paired A/B statistics: the base commit and the head measured on the same runner, in rounds
 * whose order alternates, so what the machine adds to both sides cancels in the ratio.
 *
 * Per round the figure of interest is the log-ratio d = ln(head / base). Logs make a doubling and
 * a halving symmetric and turn the ratio of two noisy figures into a difference, whose mean over
 * the rounds estimates the effect (the geometric mean of the round ratios).
 *
 * The 95% interval takes the wider of two honest widths:
 *
 * - across rounds, a Student t-interval on the log-ratios. With the default 3 rounds there are 2
 *   degrees of freedom (t = 4.30): wide, but exact for normal log-ratios. A bootstrap over 3
 *   rounds has only 10 distinct resamples and would understate the spread, which is why it is
 *   not used here;
 * - within rounds, the sampling noise of each trial, from a block bootstrap over blocks of events
 *   (see paired-blocks.ts). Three rounds can agree by chance; the noise inside each trial is a
 *   floor under the variance of each round's ratio, and it keeps one round from being a verdict.
 *
 * A metric regresses when its estimate is worse than the tolerance AND the evidence is
 * consistent: the interval excludes "no change" and every round points the same way.
 */

export interface PairedRound {
  base: number;
  head: number;
  /**
   * Sampling variance of ln(head / base) inside this round's two trials, e.g. from a paired block
   * bootstrap; absent when the figure has no event-level breakdown (throughput).
   */
  withinLogVariance?: number;
}

export interface PairedEstimate {
  /** Geometric mean over the rounds of head / base: above 1 means head's figure is larger. */
  ratio: number;
  /** The 95% confidence interval of that ratio; null with one round and no within-round noise. */
  interval: { lower: number; upper: number } | null;
  /** head / base of each round, in round order. */
  roundRatios: number[];
  /** Which evidence set the interval's width. */
  widthFrom: 'rounds' | 'blocks' | null;
}

/** Two-sided 97.5% quantiles of Student's t by degrees of freedom (1-30), then a few beyond. */
const T_975: readonly number[] = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145,
  2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048,
  2.045, 2.042,
];
const Z_975 = 1.96;

export function tQuantile975(degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new RangeError(`degrees of freedom must be a positive integer, got ${degreesOfFreedom}`);
  }
  if (degreesOfFreedom <= T_975.length) return T_975[degreesOfFreedom - 1] as number;
  if (degreesOfFreedom <= 40) return 2.021;
  if (degreesOfFreedom <= 60) return 2.0;
  if (degreesOfFreedom <= 120) return 1.98;
  return Z_975;
}

const mean = (values: readonly number[]): number =>
  values.reduce((sum, value) => sum + value, 0) / values.length;

function sampleVariance(values: readonly number[]): number {
  const center = mean(values);
  return values.reduce((sum, value) => sum + (value - center) ** 2, 0) / (values.length - 1);
}

/**
 * The paired estimate of head / base with its 95% interval; null when a round has a figure of 0
 * or below on either side (no ratio exists, e.g. a side delivered nothing).
 */
export function pairedEstimate(rounds: readonly PairedRound[]): PairedEstimate | null {
  if (rounds.length === 0) throw new RangeError('paired estimate of no rounds');
  if (rounds.some((round) => !(round.base > 0) || !(round.head > 0))) return null;
  const logRatios = rounds.map((round) => Math.log(round.head / round.base));
  const n = logRatios.length;
  const center = mean(logRatios);

  const roundsHalfWidth =
    n >= 2 ? tQuantile975(n - 1) * Math.sqrt(sampleVariance(logRatios) / n) : null;
  const within = rounds
    .map((round) => round.withinLogVariance)
    .filter((variance): variance is number => variance !== undefined && Number.isFinite(variance));
  // Each round's log-ratio carries at least its own sampling variance; the mean of n of them,
  // at least the mean variance / n. Rounds without a breakdown are left out of that floor.
  const blocksHalfWidth = within.length > 0 ? Z_975 * Math.sqrt(mean(within) / n) : null;

  let halfWidth: number | null = null;
  let widthFrom: PairedEstimate['widthFrom'] = null;
  if (roundsHalfWidth !== null) [halfWidth, widthFrom] = [roundsHalfWidth, 'rounds'];
  if (blocksHalfWidth !== null && (halfWidth === null || blocksHalfWidth > halfWidth)) {
    [halfWidth, widthFrom] = [blocksHalfWidth, 'blocks'];
  }
  return {
    ratio: Math.exp(center),
    interval:
      halfWidth === null
        ? null
        : { lower: Math.exp(center - halfWidth), upper: Math.exp(center + halfWidth) },
    roundRatios: logRatios.map(Math.exp),
    widthFrom,
  };
}

/** Same names as the verdict's MetricStatus, so a report shows both kinds of comparison alike. */
export type PairedStatus = 'pass' | 'regression' | 'improvement' | 'noise' | 'info';

export interface PairedJudgement {
  status: PairedStatus;
  /**
   * Worse than the tolerance in every round, with an interval excluding no change, but in fewer
   * rounds than the metric needs to count as a regression: one more round may make it one.
   */
  pending?: boolean;
  /** One sentence: what was measured and why it is judged so. */
  reason: string;
  /** e.g. "+23% [95% CI +12%, +35%]"; head relative to base, in the metric's own terms. */
  change: string;
}

/** head relative to base as the user reads it: +23% means head's figure is 23% larger. */
export function formatPairedChange(estimate: PairedEstimate): string {
  const percent = (ratio: number): string => formatPercent((ratio - 1) * 100);
  const interval = estimate.interval;
  return interval
    ? `${percent(estimate.ratio)} [95% CI ${percent(interval.lower)}, ${percent(interval.upper)}]`
    : `${percent(estimate.ratio)} [no interval: one round]`;
}

/**
 * Rounds that must all be worse before a tail percentile (p95, p99: above the median) counts as a
 * regression. A round's tail rests on its slowest few events (p99 of 1,000 events: the 10th
 * slowest), so one stall in a trial moves it several-fold: in bench:verdict an unchanged
 * sub-millisecond pipeline read p99 4-9 ms in some trials and 18-31 ms in others. The t-interval
 * assumes near-normal log-ratios, which such tails are not, and two paired A/A checks failed on
 * p99 with 4 rounds all worse (runs L and B). With no change, each round is worse with
 * probability 1/2, so 4 of 4 happen 1 time in 16; 5 of 5 (1 in 32) is the fewest below 1 in 20.
 */
export const TAIL_AGREEING_ROUNDS = 5;

/**
 * Judges one performance metric of a paired comparison. `tolerance` is the ratio (at least 1) by
 * which the head may be worse than the base before it counts; `agreeingRounds` is how many
 * rounds, all worse, a regression needs (TAIL_AGREEING_ROUNDS for tail percentiles).
 */
export function judgePaired(
  estimate: PairedEstimate | null,
  direction: Direction,
  tolerance: number,
  agreeingRounds = 1,
): PairedJudgement {
  if (!estimate) {
    return {
      status: 'info',
      reason: 'no ratio: a side measured 0 in some round',
      change: '—',
    };
  }
  // "worse" ratios: above 1 means head is worse, whichever way the metric points.
  const worse = (ratio: number): number => (direction === 'lower-is-better' ? ratio : 1 / ratio);
  const worseRatio = worse(estimate.ratio);
  const roundsWorse = estimate.roundRatios.map(worse);
  const interval = estimate.interval;
  const worseLower = interval ? Math.min(worse(interval.lower), worse(interval.upper)) : Number.NaN;
  const worseUpper = interval ? Math.max(worse(interval.lower), worse(interval.upper)) : Number.NaN;
  const change = formatPairedChange(estimate);
  const n = roundsWorse.length;

  if (worseRatio > tolerance) {
    if (!interval) {
      return {
        status: 'noise',
        reason: `worse than the ${tolerance}x tolerance, but one round gives no interval: not confirmed`,
        change,
      };
    }
    if (worseLower > 1 && roundsWorse.every((ratio) => ratio > 1)) {
      if (n < agreeingRounds) {
        return {
          status: 'noise',
          pending: true,
          reason: `worse than the ${tolerance}x tolerance in all ${n} rounds, but a tail percentile counts only when ${agreeingRounds} rounds all agree (${n} do by chance 1 time in ${2 ** n}: each round's tail rests on its slowest few events): not confirmed`,
          change,
        };
      }
      return {
        status: 'regression',
        reason: `worse than the ${tolerance}x tolerance, and consistently: the 95% interval excludes no change and all ${n} rounds are worse`,
        change,
      };
    }
    return {
      status: 'noise',
      reason:
        worseLower > 1
          ? `worse than the ${tolerance}x tolerance, but not in every round: not confirmed`
          : `worse than the ${tolerance}x tolerance, but the 95% interval includes no change: within noise`,
      change,
    };
  }
  if (worseRatio < 1 / tolerance && interval && worseUpper < 1 && roundsWorse.every((r) => r < 1)) {
    return {
      status: 'improvement',
      reason: `better by more than the ${tolerance}x tolerance in all ${n} rounds`,
      change,
    };
  }
  // A pass says a regression would have shown. An interval reaching past the tolerance squared
  // (2.25x at 1.5, where the single-side verdict also calls a comparison too noisy) cannot say
  // that: a 1.6x slowdown measured +47% [95% CI -11%, +141%] had passed (bench:ab). Not judged;
  // the check measures one more round (paired/check.ts). At the tolerance itself the tails of an
  // A/A check (same code on both sides) were inconclusive in 4 of its first 6 runs.
  const wideAt = tolerance * tolerance;
  if (interval && worseUpper > wideAt) {
    return {
      status: 'noise',
      reason: `within the ${tolerance}x tolerance, but the 95% interval reaches ${formatPercent((worseUpper - 1) * 100)}, past ${formatPercent((wideAt - 1) * 100)} (the tolerance squared): too wide to rule out a regression; more rounds narrow it`,
      change,
    };
  }
  return { status: 'pass', reason: `within the ${tolerance}x tolerance`, change };
}
