import { z } from 'zod';
import type { EnvironmentFingerprint, RunConfigSnapshot } from '../engine/measure/result.js';
import { configKey, environmentDifferences } from './comparability.js';
import { formatPercent, formatWithUnit } from './format.js';
import {
  METRIC_IDS,
  METRIC_LIST,
  type Direction,
  type MetricDefinition,
  type MetricValues,
} from './metrics.js';
import { lastLevelStart } from './changepoint.js';
import { median, medianVarianceFactor, pooledPairSigma } from './stats.js';
import { formatTolerance } from './tolerance.js';

/**
 * How much a metric moves with nothing changed, measured: the trials of the baseline and of this
 * run, and the baseline's nightly history on the same kind of runner. From it, each metric's
 * limit: a change must be worse than the tolerance AND beyond what this measurement can tell
 * apart from noise. A fixed millisecond floor cannot do this: 5 ms hides a 1.85 -> 2.88 ms p50
 * on a pipeline whose trials agree within 5%, and is nothing on a 200 ms one.
 *
 * Noise is estimated on the logarithm of the figures: latency noise grows with the latency, so a
 * relative spread (±4%) carries from one pipeline to the next where an absolute one does not.
 */

/**
 * How many standard errors of the baseline-vs-run difference a change must exceed. At 3 an
 * unchanged run crosses it about once in 700 comparisons per metric under normal noise; the
 * noise estimates rest on few trials, so the real rate is higher, and the confirming trial
 * (confirm.ts) is the second guard.
 */
export const NOISE_SIGMAS = 3;
/** Fewer nights than this on one level say too little about noise to use. */
export const MIN_HISTORY_SAMPLES = 5;
/**
 * The reference figure is the median of the newest nights of the current level, this many at
 * most: one night's figure carries the whole between-start noise of the SUT (the reference
 * pipeline's p50 moved ±8% between fresh starts, its p99 ±25%, bench:verdict), the median of five
 * about half of it. Few enough that a new level takes over within three nights.
 */
export const REFERENCE_NIGHTS = 5;
/**
 * HDR histograms with 3 significant digits report a value within 1 part in 1,000 (a bucket's
 * width); two compared figures each carry it.
 */
export const HISTOGRAM_RELATIVE_PRECISION = 0.001;

/** The nightly noise of one metric, as stored in the baseline file. */
export const historyNoiseSchema = z.object({
  /** Robust standard deviation of one nightly figure, in natural-log units (about relative). */
  sigma: z.number().nonnegative(),
  /** Nights on the current level that fed it (same environment, same load, valid runs). */
  samples: z.number().int().positive(),
  /** Date of the first night after the last level shift; null when the series never shifted. */
  levelSince: z.string().nullable(),
  /**
   * The figure a run is compared with: the median of the level's newest nights (at most
   * REFERENCE_NIGHTS, the newest included), or the newest night alone (`nights` 1) when it sits
   * beyond the noise of the ones before it, a shift too new to be a level yet. Absent in files
   * written before it was recorded: the newest night is the reference then.
   */
  reference: z.object({ value: z.number(), nights: z.number().int().positive() }).optional(),
});
export type HistoryNoise = z.infer<typeof historyNoiseSchema>;

/** Per performance metric; null where the history is too short. */
export const baselineNoiseSchema = z.partialRecord(
  z.enum(METRIC_IDS),
  historyNoiseSchema.nullable(),
);
export type BaselineNoise = z.infer<typeof baselineNoiseSchema>;

/** What a nightly figure must carry to be part of the noise estimate. */
export interface NightlyFigures {
  date: string;
  configKey: string;
  valid: boolean;
  /** Absent in entries written before environments were recorded: such nights are skipped. */
  environment?: EnvironmentFingerprint;
  metrics: MetricValues;
}

/** The figure on the log scale the noise is measured on; the resolution keeps 0 finite. */
export function logFigure(metric: MetricDefinition, value: number): number {
  return Math.log(Math.max(value, 0) + metric.resolution);
}

/**
 * The nightly noise of every performance metric, for a baseline whose newest figures are
 * `latest`: from the nights measured on a comparable runner with the same load, since the last
 * level shift, so a step (a faster runner image, a merged optimisation) neither inflates the
 * estimate nor mixes two machines.
 */
export function historyNoise(
  history: readonly NightlyFigures[],
  latest: {
    date: string;
    config: RunConfigSnapshot;
    environment: EnvironmentFingerprint;
    metrics: MetricValues;
  },
): BaselineNoise {
  const key = configKey(latest.config);
  const nights = [
    ...history.filter(
      (entry) =>
        entry.valid &&
        entry.configKey === key &&
        entry.environment !== undefined &&
        environmentDifferences(entry.environment, latest.environment).length === 0,
    ),
    { date: latest.date, metrics: latest.metrics },
  ];
  const noise: BaselineNoise = {};
  for (const metric of METRIC_LIST) {
    if (metric.kind !== 'performance') continue;
    const series = nights.map((night) => logFigure(metric, night.metrics[metric.id]));
    const start = lastLevelStart(series);
    const level = series.slice(start);
    const sigma = level.length >= MIN_HISTORY_SAMPLES ? pooledPairSigma([level]) : null;
    noise[metric.id] =
      sigma === null
        ? null
        : {
            sigma,
            samples: level.length,
            levelSince: start > 0 ? (nights[start] as { date: string }).date : null,
            reference: referenceOf(
              metric,
              nights.slice(start).map((night) => night.metrics[metric.id]),
              sigma,
            ),
          };
  }
  return noise;
}

/**
 * The median of the level's newest REFERENCE_NIGHTS figures (`level` oldest first, the newest
 * night last), unless the newest sits more than NOISE_SIGMAS of the level's noise from the median
 * of the nights before it: then the level is moving (a merged change, a new runner image) and the
 * newest night alone is the reference, as it was before the median, until the shift is a level.
 */
function referenceOf(
  metric: MetricDefinition,
  level: readonly number[],
  sigma: number,
): { value: number; nights: number } {
  const newest = level[level.length - 1] as number;
  const window = level.slice(-REFERENCE_NIGHTS);
  const before = window.slice(0, -1);
  const away = Math.abs(logFigure(metric, newest) - logFigure(metric, median(before)));
  const allowed = NOISE_SIGMAS * sigma * Math.sqrt(1 + medianVarianceFactor(before.length));
  return away > allowed
    ? { value: newest, nights: 1 }
    : { value: median(window), nights: window.length };
}

/** What set a limit. */
export type LimitSource = 'tolerance' | 'noise' | 'floor' | 'resolution' | 'allowance';

export interface MetricLimit {
  /** The worst figure still not a regression: a maximum when lower is better, else a minimum. */
  worst: number;
  /** The mirror bound: a figure beyond it is an improvement. */
  best: number;
  source: LimitSource;
  /** The absolute change the limit allows beyond the tolerance: user floor, noise or resolution. */
  floor: number;
  /**
   * The smallest worsening ratio this comparison can tell from noise (e.g. 1.09: changes of 9%
   * and more); null when the noise was not measured (a single trial on both sides, no history).
   */
  detectableRatio: number | null;
  /** Robust sigma of one trial (log units), pooled over both sides' trials; null below 2 trials. */
  trialSigma: number | null;
  /** Trials on both sides. */
  trials: number;
  history: HistoryNoise | null;
}

export interface LimitInputs {
  baseline: number;
  baselineTrials: readonly number[];
  currentTrials: readonly number[];
  history: HistoryNoise | null;
  tolerance: number;
  /** A floor set by the user, in the metric's unit: it replaces the measured one. */
  userFloor?: number;
  /** A count metric's allowance (metrics.ts countAllowanceOf): the least floor, noise or not. */
  allowance?: number;
}

const worse = (direction: Direction, from: number, by: number): number =>
  direction === 'lower-is-better' ? from + by : from - by;

/**
 * The standard error, from the nights alone, of this run's figure against the reference: this
 * run is one night (one fresh start of the SUT), the reference the median of `nights` of them.
 */
function historyError(history: HistoryNoise): number {
  return history.sigma * Math.sqrt(1 + medianVarianceFactor(history.reference?.nights ?? 1));
}

/**
 * The smallest worsening ratio a comparison with this baseline can tell from noise by its nights
 * alone, before any trial is run: e.g. 2.0 when its nights vary by ±23% (5 nights), whatever this
 * run's trials show.
 */
export function historyDetectableRatio(history: HistoryNoise): number {
  return Math.exp(NOISE_SIGMAS * historyError(history));
}

/**
 * A metric's limit: the tolerance ratio, widened to the change this measurement can tell apart
 * from noise when that is larger. The difference of two medians (baseline's and this run's) has
 * a standard error of sigma * sqrt(v(nBaseline) + v(nCurrent)) from the trials, and of
 * sigma * sqrt(1 + v(nights)) from the nights (this run is one night, the reference the median of
 * `nights` of them); the larger decides, times NOISE_SIGMAS.
 */
export function metricLimit(metric: MetricDefinition, inputs: LimitInputs): MetricLimit {
  const { baseline, baselineTrials, currentTrials, history, tolerance } = inputs;
  const log = (value: number) => logFigure(metric, value);
  const trialSigma = pooledPairSigma([baselineTrials.map(log), currentTrials.map(log)]);
  const errors: number[] = [];
  if (trialSigma !== null && baselineTrials.length > 0 && currentTrials.length > 0) {
    errors.push(
      trialSigma *
        Math.sqrt(
          medianVarianceFactor(baselineTrials.length) + medianVarianceFactor(currentTrials.length),
        ),
    );
  }
  if (history) errors.push(historyError(history));
  const detectableRatio = errors.length > 0 ? Math.exp(NOISE_SIGMAS * Math.max(...errors)) : null;

  const noiseFloor =
    detectableRatio === null
      ? 0
      : metric.direction === 'lower-is-better'
        ? baseline * (detectableRatio - 1)
        : baseline * (1 - 1 / detectableRatio);
  const resolutionFloor =
    metric.resolution +
    (metric.fromHistogram ? 2 * HISTOGRAM_RELATIVE_PRECISION * Math.abs(baseline) : 0);
  const allowance = inputs.allowance ?? 0;
  let floor: number;
  let floorSource: LimitSource;
  if (inputs.userFloor !== undefined) {
    floor = inputs.userFloor;
    floorSource = 'floor';
  } else if (noiseFloor > Math.max(resolutionFloor, allowance)) {
    floor = noiseFloor;
    floorSource = 'noise';
  } else if (allowance > resolutionFloor) {
    floor = allowance;
    floorSource = 'allowance';
  } else {
    floor = resolutionFloor;
    floorSource = 'resolution';
  }

  const lower = metric.direction === 'lower-is-better';
  const byTolerance = lower ? baseline * tolerance : baseline / tolerance;
  const byFloor = worse(metric.direction, baseline, floor);
  const floorWins = lower ? byFloor > byTolerance : byFloor < byTolerance;
  const betterByTolerance = lower ? baseline / tolerance : baseline * tolerance;
  const betterByFloor = worse(metric.direction, baseline, -floor);
  return {
    worst: floorWins ? byFloor : byTolerance,
    best: lower
      ? Math.min(betterByTolerance, betterByFloor)
      : Math.max(betterByTolerance, betterByFloor),
    source: floorWins ? floorSource : 'tolerance',
    floor,
    detectableRatio,
    trialSigma,
    trials: baselineTrials.length + currentTrials.length,
    history,
  };
}

/** Where a point on the scale falls against the limit. */
export type Side = 'worse' | 'better' | 'same';

export function sideOf(metric: MetricDefinition, limit: MetricLimit, value: number): Side {
  const lower = metric.direction === 'lower-is-better';
  if (lower ? value > limit.worst : value < limit.worst) return 'worse';
  if (lower ? value < limit.best : value > limit.best) return 'better';
  return 'same';
}

export const percentOfSigma = (sigma: number): string =>
  formatPercent((Math.exp(sigma) - 1) * 100).replace('+', '±');

/** "noise ±4% from 6 trials, ±3% over 12 nights; could see +12%" (a drop, for throughput). */
export function describeNoise(metric: MetricDefinition, limit: MetricLimit): string {
  const parts: string[] = [];
  if (limit.trialSigma !== null)
    parts.push(`noise ${percentOfSigma(limit.trialSigma)} from ${limit.trials} trials`);
  if (limit.history) {
    parts.push(
      `${percentOfSigma(limit.history.sigma)} over ${limit.history.samples} nights${limit.history.levelSince ? ` since ${limit.history.levelSince.slice(0, 10)}` : ''}`,
    );
  }
  if (parts.length === 0) return 'noise not measured: one trial on each side';
  const ratio = limit.detectableRatio;
  const detectable =
    ratio === null
      ? ''
      : `; could see ${formatPercent(((metric.direction === 'lower-is-better' ? ratio : 1 / ratio) - 1) * 100)}`;
  return `${parts.join(', ')}${detectable}`;
}

/** "≤ 2.78 ms (1.5x baseline; noise ±4% from 6 trials; could see +12%)" */
export function describeLimit(
  metric: MetricDefinition,
  limit: MetricLimit,
  tolerance: number,
): string {
  const bound = metric.direction === 'lower-is-better' ? '≤' : '≥';
  const origin: Record<LimitSource, string> = {
    tolerance: `${formatTolerance(tolerance)} baseline`,
    noise: 'beyond the noise',
    floor: `your floor ${formatWithUnit(metric, limit.floor)}`,
    resolution: 'measurement resolution',
    allowance: `${formatWithUnit(metric, limit.floor)} per trial allowed`,
  };
  return `${bound} ${formatWithUnit(metric, limit.worst)} (${origin[limit.source]}; ${describeNoise(metric, limit)})`;
}
