import { lastLevelStart } from '../compare/changepoint.js';
import { MAD_TO_SIGMA, median } from '../compare/stats.js';
import {
  logFigure,
  type MetricDefinition,
  type MetricId,
  type MetricValues,
} from '../compare/metrics.js';
import { seededRandom } from '../engine/random.js';
import { isTail, RATIO_FIGURES, worseRatio, type Start } from './figures.js';
import { allStarts, PooledLatency } from './pooled.js';

/**
 * The change of each ratio figure, head over reference, with its 90% interval: the one statistic
 * of the model, with three estimators of the reference (README.md in this folder).
 */

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * What the reference is read from: paired rounds, the baseline's nights, a young baseline's
 * nights (too few to show their spread, which is assumed), or the newest night's trials.
 */
export type Basis = 'rounds' | 'nights' | 'young-nights' | 'trials';

export interface FigureEstimate {
  basis: Basis;
  /** The reference's figure, in the metric's unit. */
  reference: number;
  head: number;
  /** Direction-normalised head / reference: above 1 is worse. Null when a side has no figure. */
  ratio: number | null;
  /** 90% interval of `ratio`; null when the data cannot give one (one start or one trial a side). */
  interval: Interval | null;
}

export type Estimates = ReadonlyMap<MetricId, FigureEstimate>;

/**
 * Resamples per interval. The 5th percentile of 2,000 draws moves by about 0.1 of the interval's
 * width from seed to seed; the seed is fixed, so the same data always gives the same verdict.
 */
export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_SEED = 0x24;

/**
 * The interval's confidence. Each decision is a one-sided test at 5%: a regression needs the
 * interval above no change, a pass needs it below the tolerance (the two one-sided tests of an
 * equivalence test, Schuirmann 1987, which use the 90% interval). A 95% interval made each a
 * test at 2.5%: identical code took more rounds and was more often undecided at the limit
 * (bench/model-sim.ts, docs/method.md).
 */
export const CONFIDENCE = 0.9;
/** The confidence as every report and rule names it: "90%" ("+23% [90% CI +12%, +35%]"). */
export const CONFIDENCE_LABEL = `${Math.round(CONFIDENCE * 100)}%`;
/** The change column's heading in every report table. */
export const CHANGE_HEADING = `Change [${CONFIDENCE_LABEL} CI]`;
/**
 * Student's t, 95th percentile (the upper end of a 90% interval), for 1 to 30 degrees of freedom
 * (a table: the interval needs nothing else of a t distribution). Beyond 30 the normal's 1.645 is
 * within 4%.
 */
const T_95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761,
  1.753, 1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701,
  1.699, 1.697,
];
const Z_95 = 1.644854;

/**
 * How much wider a percentile-bootstrap interval from `units` starts must be (the expanded
 * percentile interval, Hesterberg 2015): a bootstrap of few units is too narrow, as a normal
 * interval is where a t interval belongs. 1.8x at 3 units, 1.3x at 5, 1.15x at 8, 1 from 31.
 */
export function expansion(units: number): number {
  if (units < 2) return Number.POSITIVE_INFINITY;
  return (T_95[units - 2] ?? Z_95) / Z_95;
}

/** The interval widened by `factor` in log units about the figure's change. */
function expand(interval: Interval, ratio: number, factor: number): Interval {
  const lower = Math.min(interval.lower, ratio);
  const upper = Math.max(interval.upper, ratio);
  return {
    lower: ratio * (lower / ratio) ** factor,
    upper: ratio * (upper / ratio) ** factor,
  };
}

/**
 * How much one start of the system moves a figure from another start (log standard deviation),
 * for a young baseline whose nights cannot show it yet. From this machine's six nights of the
 * quick scenario (baselines/quick.json, robust spread): p50 0.14, p95 0.19, p99 0.17, p99.9
 * 0.29; rounded up. The tail's figure covers every percentile above the median; other figures
 * (throughput, paced by the publisher) moved by less than 0.001 there.
 */
export const START_SPREAD = { median: 0.15, tail: 0.25, other: 0.05 } as const;

/**
 * Nights of one level the baseline needs before its nights give the interval. The spread of
 * fewer is a guess (two or three nights agree by chance), and a median of four is half noise.
 */
export const MIN_NIGHTS = 5;
/**
 * Nights of one level from which a young baseline's reference is their median, not the newest
 * night: a median of three outvotes one odd night (CI, December 2026: nights p50 8.3, 2.6 and
 * 846 ms of an unchanged pipeline on a busy machine, the last the reference, let a 475x slower
 * head read +366% against a 5x tolerance). With fewer, the newest night's trials are all there is.
 */
export const YOUNG_NIGHTS = 3;
/** The reference is the median of at most this many newest nights of the current level. */
export const REFERENCE_NIGHTS = 10;
/** Nights searched for the current level: enough to see a shift, few enough to search fast. */
const LEVEL_SEARCH_NIGHTS = 3 * REFERENCE_NIGHTS;

/** The histograms and figures of one side's starts, ready to be pooled with any weights. */
interface Side {
  latency: PooledLatency;
  /** Per starts, per non-latency figure: the mean over the start's trials. */
  means: ReadonlyMap<MetricId, readonly number[]>;
}

function sideOf(starts: readonly Start[]): Side {
  const means = new Map<MetricId, number[]>();
  for (const metric of RATIO_FIGURES) {
    if (metric.latency) continue;
    means.set(
      metric.id,
      starts.map(
        (start) => start.reduce((sum, trial) => sum + trial.metrics[metric.id], 0) / start.length,
      ),
    );
  }
  return { latency: new PooledLatency(starts), means };
}

/** The side's figure with its starts weighted (a latency percentile of the pool, else a mean). */
function figureOf(side: Side, metric: MetricDefinition, weights: ArrayLike<number>): number | null {
  if (metric.latency) {
    const us = side.latency.percentileUs(metric.latency.percentile, weights);
    return us === null ? null : us / 1000;
  }
  const values = side.means.get(metric.id) ?? [];
  let sum = 0;
  let count = 0;
  values.forEach((value, index) => {
    sum += (weights[index] as number) * value;
    count += weights[index] as number;
  });
  return count === 0 ? null : sum / count;
}

/** The 5th and 95th percentiles of the resampled ratios (nearest rank). */
function percentileInterval(ratios: number[]): Interval | null {
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const at = (share: number) =>
    ratios[
      Math.min(ratios.length - 1, Math.max(0, Math.ceil(share * ratios.length) - 1))
    ] as number;
  return { lower: at((1 - CONFIDENCE) / 2), upper: at((1 + CONFIDENCE) / 2) };
}

/** Draws `count` indices with replacement into `weights` (how often each was drawn). */
function resample(weights: Float64Array, random: () => number): void {
  weights.fill(0);
  for (let draw = 0; draw < weights.length; draw += 1) {
    const index = Math.floor(random() * weights.length);
    weights[index] = (weights[index] as number) + 1;
  }
}

/** A standard normal draw (Box-Muller) from the seeded generator. */
const normal = (random: () => number): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/**
 * A young baseline: one start of the baseline (its newest night's trials) and one of this run,
 * pooled per side. Their ratio carries the noise of two starts that nothing here measures, so
 * each resample (the trials of each side, drawn anew) is moved by a draw of that noise: two
 * starts' worth of START_SPREAD. The interval is honest and wide: a tail cannot pass against one
 * start, a doubled p50 fails.
 */
function youngEstimates(reference: Start, head: Start): Map<MetricId, FigureEstimate> {
  const sides = {
    reference: sideOf(reference.map((trial) => [trial])),
    head: sideOf(head.map((trial) => [trial])),
  };
  const point = (metric: MetricDefinition) => ({
    reference: figureOf(sides.reference, metric, allStarts(reference.length)),
    head: figureOf(sides.head, metric, allStarts(head.length)),
  });
  const ratios = new Map<MetricId, number[]>(RATIO_FIGURES.map((metric) => [metric.id, []]));
  const random = seededRandom(BOOTSTRAP_SEED);
  const referenceWeights = new Float64Array(reference.length);
  const headWeights = new Float64Array(head.length);
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b += 1) {
    resample(referenceWeights, random);
    resample(headWeights, random);
    const startNoise = Math.SQRT2 * normal(random);
    for (const metric of RATIO_FIGURES) {
      const referenceFigure = figureOf(sides.reference, metric, referenceWeights);
      const headFigure = figureOf(sides.head, metric, headWeights);
      if (referenceFigure === null || headFigure === null) continue;
      ratios
        .get(metric.id)
        ?.push(
          worseRatio(metric, referenceFigure, headFigure) *
            Math.exp(startNoise * startSpread(metric)),
        );
    }
  }
  const estimates = new Map<MetricId, FigureEstimate>();
  for (const metric of RATIO_FIGURES) {
    const figures = point(metric);
    const measured = figures.reference !== null && figures.head !== null;
    estimates.set(metric.id, {
      basis: 'trials',
      reference: figures.reference ?? 0,
      head: figures.head ?? 0,
      ratio: measured ? worseRatio(metric, figures.reference ?? 0, figures.head ?? 0) : null,
      interval: measured ? percentileInterval(ratios.get(metric.id) ?? []) : null,
    });
  }
  return estimates;
}

/** The START_SPREAD of a figure: the median's, the tail's, or the other figures'. */
const startSpread = (metric: MetricDefinition): number =>
  !metric.latency ? START_SPREAD.other : isTail(metric) ? START_SPREAD.tail : START_SPREAD.median;

/**
 * The variance of the median of `n` starts, in units of one start's: 1 for one, 1/2 for two (their
 * mean), then the large-sample π / 2n, which is above the exact value for three (0.449).
 */
const medianVariance = (n: number): number => (n <= 2 ? 1 / n : Math.PI / (2 * n));

/**
 * The interval of a young baseline of YOUNG_NIGHTS nights or more but fewer than MIN_NIGHTS: so
 * few nights cannot show their spread, so it assumes START_SPREAD: the head's median start and the
 * nights' median each carry that noise, and their difference is normal (the spread is assumed,
 * not estimated, so no t is needed).
 */
function assumedInterval(
  metric: MetricDefinition,
  nights: number,
  headStarts: number,
  ratio: number,
): Interval {
  const half =
    Z_95 * startSpread(metric) * Math.sqrt(medianVariance(headStarts) + medianVariance(nights));
  return { lower: ratio * Math.exp(-half), upper: ratio * Math.exp(half) };
}

/**
 * The interval from MIN_NIGHTS nights or more: the nights resampled (median of the resample) plus
 * the head's own start-to-start noise, which one start cannot show: a normal draw with the spread
 * of the resampled nights over the square root of the head's starts (a prediction-style interval),
 * widened for the few nights it rests on.
 */
function nightsInterval(
  metric: MetricDefinition,
  level: readonly number[],
  headLogs: readonly number[],
  ratio: number,
): Interval | null {
  const direction = metric.direction === 'lower-is-better' ? 1 : -1;
  const headLog = median(headLogs);
  const levelLogs = level.map((value) => logFigure(metric, value));
  const random = seededRandom(BOOTSTRAP_SEED);
  const drawn = new Array<number>(levelLogs.length);
  const ratios: number[] = [];
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b += 1) {
    for (let i = 0; i < drawn.length; i += 1) {
      drawn[i] = levelLogs[Math.floor(random() * levelLogs.length)] as number;
    }
    const startNoise = (normal(random) * nightSigma(drawn)) / Math.sqrt(headLogs.length);
    ratios.push(Math.exp(direction * (headLog - startNoise - median(drawn))));
  }
  const bootstrap = percentileInterval(ratios);
  return bootstrap && expand(bootstrap, ratio, expansion(level.length));
}

/** No figure of either side: nothing valid was measured yet. */
function unmeasured(basis: Basis): Estimates {
  return new Map(
    RATIO_FIGURES.map((metric) => [
      metric.id,
      { basis, reference: 0, head: 0, ratio: null, interval: null },
    ]),
  );
}

/** Every weight 0 but one: a single start of a side. */
const only = (index: number, count: number): Float64Array => {
  const weights = new Float64Array(count);
  weights[index] = 1;
  return weights;
};

/**
 * One paired round's ratio of a figure, head over base (direction-normalised: above 1 is worse),
 * each side's figure read from the round's trials pooled; null when a side has none.
 */
export function roundRatio(metric: MetricDefinition, base: Start, head: Start): number | null {
  const reference = figureOf(sideOf([base]), metric, [1]);
  const measured = figureOf(sideOf([head]), metric, [1]);
  return reference === null || measured === null ? null : worseRatio(metric, reference, measured);
}

/**
 * Paired rounds: each round one start of the base and one of the head on the same runner. A
 * round's ratio is read from each side's histogram of that round (its trials pooled); the change
 * is the median of the round ratios, its interval a bootstrap of that median over the rounds.
 * Not the ratio of histograms pooled over all rounds: a pooled tail leans on the slowest start,
 * so one stalled round of the head moved it past the tolerance (bench/model-sim.ts: a 1.3x
 * change failed 42 of 200 checks pooled, 37 with the median, identical code 7 and 0).
 */
export function pairedEstimates(rounds: readonly { base: Start; head: Start }[]): Estimates {
  if (rounds.length === 0) return unmeasured('rounds');
  const sides = {
    reference: sideOf(rounds.map((r) => r.base)),
    head: sideOf(rounds.map((r) => r.head)),
  };
  const n = rounds.length;
  const estimates = new Map<MetricId, FigureEstimate>();
  for (const metric of RATIO_FIGURES) {
    const references = rounds.map((_, index) => figureOf(sides.reference, metric, only(index, n)));
    const heads = rounds.map((_, index) => figureOf(sides.head, metric, only(index, n)));
    const measured = (values: (number | null)[]): values is number[] =>
      values.every((value) => value !== null);
    if (!measured(references) || !measured(heads)) {
      estimates.set(metric.id, {
        basis: 'rounds',
        reference: 0,
        head: 0,
        ratio: null,
        interval: null,
      });
      continue;
    }
    const ratios = references.map((reference, index) =>
      worseRatio(metric, reference, heads[index] as number),
    );
    let interval: Interval | null = null;
    if (n >= 2) {
      const random = seededRandom(BOOTSTRAP_SEED);
      const drawn = new Array<number>(n);
      const medians: number[] = [];
      for (let b = 0; b < BOOTSTRAP_RESAMPLES; b += 1) {
        for (let i = 0; i < n; i += 1) drawn[i] = ratios[Math.floor(random() * n)] as number;
        medians.push(median(drawn));
      }
      const bootstrap = percentileInterval(medians);
      interval = bootstrap && expand(bootstrap, median(ratios), expansion(n));
    }
    estimates.set(metric.id, {
      basis: 'rounds',
      reference: median(references),
      head: median(heads),
      ratio: median(ratios),
      interval,
    });
  }
  return estimates;
}

/** A start's figure as a baseline stores a night's: the median over its trials. */
const startFigure = (start: Start, id: MetricId): number =>
  median(start.map((trial) => trial.metrics[id]));

/**
 * The spread of one night's figure (log units, robust): a MAD, so one odd night neither widens
 * the interval to nothing nor becomes the reference. Floored at the histograms' precision.
 */
const nightSigma = (logs: readonly number[]): number => {
  const center = median(logs);
  return Math.max(MAD_TO_SIGMA * median(logs.map((value) => Math.abs(value - center))), 0.001);
};

/**
 * The nights of the current level of one figure, newest last, at most REFERENCE_NIGHTS: a level
 * shift with three nights or more after it (a merged change, a new runner image) starts anew.
 */
export function referenceNights(
  metric: MetricDefinition,
  nights: readonly MetricValues[],
): number[] {
  const values = nights.slice(-LEVEL_SEARCH_NIGHTS).map((night) => night[metric.id]);
  const start = lastLevelStart(values.map((value) => logFigure(metric, value)));
  return values.slice(start).slice(-REFERENCE_NIGHTS);
}

/**
 * A committed baseline. With YOUNG_NIGHTS nights or more of a figure's level, the reference is
 * their median and the head is its median start; the interval comes from the nights
 * (nightsInterval) from MIN_NIGHTS on, else from the spread assumed (assumedInterval). With fewer:
 * a young baseline read from its newest night's trials (youngEstimates).
 */
export function baselineEstimates(
  /** Valid nights of this load on a comparable runner, oldest first, the newest last. */
  nights: readonly MetricValues[],
  /** The newest night's trials (the baseline's aggregate). */
  newestTrials: Start,
  headStarts: readonly Start[],
): Estimates {
  // Only when some figure has too few nights: the young estimate pools histograms.
  let young: Estimates | null = null;
  const estimates = new Map<MetricId, FigureEstimate>();
  for (const metric of RATIO_FIGURES) {
    const level = referenceNights(metric, nights);
    const basis: Basis =
      level.length >= MIN_NIGHTS
        ? 'nights'
        : level.length >= YOUNG_NIGHTS
          ? 'young-nights'
          : 'trials';
    if (headStarts.length === 0) {
      // No valid start yet: no figure, read as the nights will be once one is measured.
      estimates.set(metric.id, { basis, reference: 0, head: 0, ratio: null, interval: null });
      continue;
    }
    if (basis === 'trials') {
      young ??= youngEstimates(newestTrials, headStarts.flat());
      estimates.set(metric.id, young.get(metric.id) as FigureEstimate);
      continue;
    }
    const headLogs = headStarts.map((start) => logFigure(metric, startFigure(start, metric.id)));
    const reference = median(level);
    // The median start of the head: one stalled start among several does not move it.
    const head = Math.exp(median(headLogs)) - metric.resolution;
    const ratio = worseRatio(metric, reference, head);
    estimates.set(metric.id, {
      basis,
      reference,
      head,
      ratio,
      interval:
        basis === 'nights'
          ? nightsInterval(metric, level, headLogs, ratio)
          : assumedInterval(metric, level.length, headLogs.length, ratio),
    });
  }
  return estimates;
}
