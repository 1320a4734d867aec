import { howToCreateBaseline, type Baseline } from './baseline.js';
import {
  configDifferences,
  configKey,
  describeDifferences,
  environmentDifferences,
  type Difference,
} from './comparability.js';
import { formatPercent, formatRatio, formatWithUnit } from './format.js';
import {
  DEFAULT_GATED_METRICS,
  isMetricId,
  METRIC_LIST,
  worseningAmount,
  worseningRatio,
  type Direction,
  type MetricDefinition,
  type MetricId,
  type MetricKind,
  type MetricUnit,
} from './metrics.js';
import { median, medianAbsoluteDeviation, MAD_TO_SIGMA } from './stats.js';
import { formatTolerance } from './tolerance.js';
import { trialValues, type TrialAggregate } from './trials.js';

export type Outcome = 'pass' | 'regression' | 'inconclusive';

/**
 * pass: within the thresholds. regression: worse beyond the tolerance and the noise floor (or a
 * correctness failure). improvement: better beyond both. noise: the trials disagree too much to
 * judge. info: shown, not judged (not gated, or nothing comparable).
 */
export type MetricStatus = 'pass' | 'regression' | 'improvement' | 'noise' | 'info';

export interface MetricComparison {
  id: MetricId;
  label: string;
  unit: MetricUnit;
  direction: Direction;
  kind: MetricKind;
  gated: boolean;
  baseline: number | null;
  current: number;
  /** (current - baseline) / baseline in percent; null without a baseline or when it is 0. */
  deltaPercent: number | null;
  /** current / baseline; null without a baseline or when it is 0. */
  ratio: number | null;
  status: MetricStatus;
  reason: string;
  /** The thresholds applied, when the metric was judged against the baseline. */
  threshold: { ratio: number; noiseFloor: number; widenedByHistory: boolean } | null;
  /** Relative spread across the current trials (see TrialAggregate.spread). */
  spread: number | null;
}

export interface CompareOptions {
  /** Ratio, at least 1 (see parseTolerance). */
  tolerance: number;
  /** Absolute floors in each metric's unit, overriding the catalogue's defaults. */
  noiseFloors?: Partial<Record<MetricId, number>>;
  /** Performance metrics that decide the outcome; correctness metrics always do. */
  gatedMetrics?: readonly MetricId[];
  /** Largest relative spread across trials still judged; default tolerance - 1. */
  maxSpread?: number;
  /** Default true: a different machine makes the verdict inconclusive, not just a note. */
  requireSameEnvironment?: boolean;
  /** Default true: widen thresholds by the noise the baseline's history shows. */
  useHistory?: boolean;
  /** Names the baseline in the "how to create one" message. */
  baselineName?: string;
}

export interface VerdictSettings {
  tolerance: number;
  maxSpread: number;
  noiseFloors: Record<MetricId, number>;
  gatedMetrics: MetricId[];
  requireSameEnvironment: boolean;
  /**
   * How many nightly figures (the baseline and its comparable history) fed the noise
   * estimate; 0 when there were too few to use, or history was switched off.
   */
  historySamples: number;
}

export interface Verdict {
  outcome: Outcome;
  /** One line: the outcome and why. */
  summary: string;
  /** Everything that decided the outcome, most important first. */
  reasons: string[];
  /** Worth knowing, did not decide the outcome (improvements, widened thresholds, ...). */
  notes: string[];
  metrics: MetricComparison[];
  configDifferences: Difference[];
  environmentDifferences: Difference[];
  settings: VerdictSettings;
}

/** Fewer earlier baselines than this say too little about noise to move a threshold. */
export const MIN_HISTORY_SAMPLES = 5;
/** History may widen a threshold at most this many times, so a noisy metric still gates. */
export const MAX_HISTORY_WIDENING = 2;
/** A metric is "usually within" median ± this many robust standard deviations. */
const HISTORY_SIGMAS = 3;

const SUCCESS_RATE_EPSILON = 1e-9;

function resolveSettings(options: CompareOptions, historySamples: number): VerdictSettings {
  const { tolerance } = options;
  if (!Number.isFinite(tolerance) || tolerance < 1) {
    throw new RangeError(
      `Invalid tolerance ${tolerance}: expected a ratio of at least 1 (e.g. 1.5).`,
    );
  }
  const maxSpread = options.maxSpread ?? tolerance - 1;
  if (!Number.isFinite(maxSpread) || maxSpread < 0) {
    throw new RangeError(
      `Invalid maxSpread ${maxSpread}: expected a fraction of 0 or more (e.g. 0.5).`,
    );
  }
  const noiseFloors = {} as Record<MetricId, number>;
  for (const metric of METRIC_LIST) {
    const floor = options.noiseFloors?.[metric.id] ?? metric.defaultNoiseFloor;
    if (!Number.isFinite(floor) || floor < 0) {
      throw new RangeError(`Invalid noise floor ${floor} for ${metric.id}: expected 0 or more.`);
    }
    noiseFloors[metric.id] = floor;
  }
  const gated = options.gatedMetrics ?? DEFAULT_GATED_METRICS;
  for (const id of gated) {
    if (!isMetricId(id)) throw new RangeError(`Unknown gated metric "${String(id)}".`);
  }
  return {
    tolerance,
    maxSpread,
    noiseFloors,
    gatedMetrics: METRIC_LIST.filter(
      (metric) => metric.kind === 'performance' && gated.includes(metric.id),
    ).map((metric) => metric.id),
    requireSameEnvironment: options.requireSameEnvironment ?? true,
    historySamples,
  };
}

/**
 * Values of a metric from the baseline and its comparable history (same load-shaping config,
 * valid runs): the nightly record of how much the metric moves with no change behind it.
 */
function historySamplesOf(baseline: Baseline, id: MetricId): number[] {
  const key = configKey(baseline.aggregate.config);
  return [
    ...baseline.history
      .filter((entry) => entry.valid && entry.configKey === key)
      .map((entry) => entry.metrics[id]),
    baseline.aggregate.metrics[id],
  ];
}

/**
 * The worsening ratio that nightly runs reach without any change: median vs median +- 3
 * robust sigmas, in the metric's bad direction. 1 when the history is too short to say.
 */
export function historyNoiseRatio(metric: MetricDefinition, samples: readonly number[]): number {
  if (samples.length < MIN_HISTORY_SAMPLES) return 1;
  const center = median(samples);
  const sigma = MAD_TO_SIGMA * medianAbsoluteDeviation(samples);
  const worst =
    metric.direction === 'lower-is-better'
      ? center + HISTORY_SIGMAS * sigma
      : center - HISTORY_SIGMAS * sigma;
  if (center <= 0) return 1;
  if (worst <= 0) return Number.POSITIVE_INFINITY;
  return worseningRatio(metric, center, worst);
}

interface Blocker {
  /** For the one-line summary. */
  short: string;
  /** For the reasons: what and what to do. */
  long: string;
}

type Judgement = 'pass' | 'regression' | 'improvement';

function judge(
  metric: MetricDefinition,
  baseline: number,
  value: number,
  thresholdRatio: number,
  floor: number,
): Judgement {
  const amount = worseningAmount(metric, baseline, value);
  if (worseningRatio(metric, baseline, value) > thresholdRatio && amount > floor)
    return 'regression';
  if (worseningRatio(metric, value, baseline) > thresholdRatio && -amount > floor)
    return 'improvement';
  return 'pass';
}

function describeChange(metric: MetricDefinition, baseline: number, current: number): string {
  const delta = baseline === 0 ? null : ((current - baseline) / baseline) * 100;
  return `${formatWithUnit(metric, baseline)} → ${formatWithUnit(metric, current)} (${formatPercent(delta)})`;
}

function compareCorrectness(
  metric: MetricDefinition,
  current: TrialAggregate,
  baselineValue: number | null,
): Pick<MetricComparison, 'status' | 'reason'> {
  const value = current.metrics[metric.id];
  const acrossTrials = current.trialCount > 1 ? ` across ${current.trialCount} trials` : '';
  switch (metric.id) {
    case 'lost':
      return value > 0
        ? {
            status: 'regression',
            reason: `${formatWithUnit(metric, value)} of ${formatWithUnit(metric, current.delivery.expected)} expected deliveries lost${acrossTrials}; every webhook must arrive.`,
          }
        : { status: 'pass', reason: 'No delivery lost.' };
    case 'badSignatures':
      return value > 0
        ? {
            status: 'regression',
            reason: `${formatWithUnit(metric, value)} deliveries${acrossTrials} carried a wrong X-Webhook-Signature; every signature must verify.`,
          }
        : { status: 'pass', reason: 'Every signature verified.' };
    default:
      if (baselineValue === null) {
        return value >= 1
          ? { status: 'pass', reason: 'Every expected delivery arrived.' }
          : { status: 'info', reason: 'No baseline to compare with; loss is gated on its own.' };
      }
      return value < baselineValue - SUCCESS_RATE_EPSILON
        ? {
            status: 'regression',
            reason: `${metric.label} fell: ${describeChange(metric, baselineValue, value)}; it must not drop below the baseline's.`,
          }
        : {
            status: 'pass',
            reason: `Not below the baseline's ${formatWithUnit(metric, baselineValue)}.`,
          };
  }
}

interface PerformanceContext {
  settings: VerdictSettings;
  blockers: readonly Blocker[];
  baseline: Baseline | null;
  current: TrialAggregate;
  notes: string[];
}

function comparePerformance(
  metric: MetricDefinition,
  context: PerformanceContext,
): Pick<MetricComparison, 'status' | 'reason' | 'threshold'> {
  const { settings, blockers, baseline, current } = context;
  const gated = settings.gatedMetrics.includes(metric.id);
  if (!baseline) return { status: 'info', reason: 'No baseline to compare with.', threshold: null };
  const base = baseline.aggregate.metrics[metric.id];
  const value = current.metrics[metric.id];
  const change = describeChange(metric, base, value);
  if (blockers.length > 0) {
    return {
      status: 'info',
      reason: `Not judged (${blockers[0]?.short}): ${change}.`,
      threshold: null,
    };
  }

  const floor = settings.noiseFloors[metric.id];
  const historyRatio =
    settings.historySamples > 0
      ? historyNoiseRatio(metric, historySamplesOf(baseline, metric.id))
      : 1;
  const cap = settings.tolerance * MAX_HISTORY_WIDENING;
  const widened = historyRatio > settings.tolerance;
  const thresholdRatio = widened ? Math.min(historyRatio, cap) : settings.tolerance;
  const threshold = { ratio: thresholdRatio, noiseFloor: floor, widenedByHistory: widened };
  const limits = `limit ${formatTolerance(thresholdRatio)} and ${formatWithUnit(metric, floor)}`;
  if (!gated) {
    return { status: 'info', reason: `Not gated: ${change}.`, threshold };
  }
  if (widened) {
    context.notes.push(
      `${metric.label}: the baseline's nightly history shows it moving up to ${formatTolerance(historyRatio)} unchanged, so its limit is ${formatTolerance(thresholdRatio)} instead of ${formatTolerance(settings.tolerance)}${historyRatio > cap ? ` (capped at ${MAX_HISTORY_WIDENING}x the tolerance; consider more trials)` : ''}.`,
    );
  }

  const values = trialValues(current, metric.id);
  const spread = current.spread[metric.id];
  const range = Math.max(...values) - Math.min(...values);
  const tooWide =
    values.length > 1 && spread !== null && spread > settings.maxSpread && range > floor;
  const verdictOfMedian = judge(metric, base, value, thresholdRatio, floor);
  const ratio = worseningRatio(metric, base, value);
  const amount = worseningAmount(metric, base, value);

  if (tooWide) {
    const perTrial = values.map((trialValue) =>
      judge(metric, base, trialValue, thresholdRatio, floor),
    );
    const spreadText = `trials spread ${formatPercent((spread as number) * 100).replace('+', '')} (limit ${formatPercent(settings.maxSpread * 100).replace('+', '')})`;
    if (perTrial.every((item) => item === 'regression')) {
      return {
        status: 'regression',
        reason: `${metric.label} regressed: ${change}, ${formatRatio(ratio)} worse; even the best of ${values.length} trials is beyond the ${limits} (${spreadText}).`,
        threshold,
      };
    }
    if (perTrial.some((item) => item === 'regression')) {
      return {
        status: 'noise',
        reason: `${metric.label} is too noisy to judge: ${spreadText}, and the trials disagree (${values
          .map((trialValue) => formatWithUnit(metric, trialValue))
          .join(
            ', ',
          )} vs baseline ${formatWithUnit(metric, base)}). Run more trials or on a quieter runner.`,
        threshold,
      };
    }
  }

  switch (verdictOfMedian) {
    case 'regression':
      return {
        status: 'regression',
        reason: `${metric.label} regressed: ${change}, ${formatRatio(ratio)} worse, beyond the ${limits}.`,
        threshold,
      };
    case 'improvement':
      return {
        status: 'improvement',
        reason: `${metric.label} improved: ${change}, ${formatRatio(worseningRatio(metric, value, base))} better.`,
        threshold,
      };
    case 'pass':
      if (ratio > thresholdRatio && amount > 0) {
        return {
          status: 'pass',
          reason: `${change}: ${formatRatio(ratio)} worse but by only ${formatWithUnit(metric, amount)}, within the ${formatWithUnit(metric, floor)} noise floor.`,
          threshold,
        };
      }
      return {
        status: 'pass',
        reason: `${change}, within ${formatTolerance(thresholdRatio)}.`,
        threshold,
      };
  }
}

function blockersOf(
  current: TrialAggregate,
  baseline: Baseline | null,
  settings: VerdictSettings,
  differences: { config: Difference[]; environment: Difference[] },
  baselineName: string,
  notes: string[],
): Blocker[] {
  const blockers: Blocker[] = [];
  if (!baseline) {
    blockers.push({
      short: 'no baseline',
      long: `No baseline to compare with. ${howToCreateBaseline(baselineName)}`,
    });
  } else {
    if (differences.config.length > 0) {
      blockers.push({
        short: 'scenario differs from the baseline',
        long: `This run's scenario differs from the baseline's: ${describeDifferences(differences.config)}. Figures of different loads are not comparable; compare the same scenario, or refresh the baseline if the change is intended.`,
      });
    }
    if (differences.environment.length > 0) {
      const text = `Measured on a different machine than the baseline: ${describeDifferences(differences.environment)}.`;
      if (settings.requireSameEnvironment) {
        blockers.push({
          short: `environment differs (${differences.environment.map((item) => item.field).join(', ')})`,
          long: `${text} Latency depends on the hardware, so the figures are not comparable. Pin the runner type, or refresh the baseline on this one.`,
        });
      } else {
        notes.push(`${text} Compared anyway, as requested.`);
      }
    }
    if (!baseline.aggregate.validity.valid) {
      blockers.push({
        short: 'the baseline is an invalid run',
        long: `The baseline itself is an invalid run (${baseline.aggregate.validity.reasons.join('; ') || 'no reason recorded'}); refresh it from a valid run.`,
      });
    }
  }
  if (!current.validity.valid) {
    blockers.push({
      short: 'this run is invalid',
      long: `This run is invalid, so its figures cannot be trusted: ${current.validity.reasons.join('; ') || 'no reason recorded'}.`,
    });
  }
  return blockers;
}

function joinLabels(metrics: readonly MetricComparison[]): string {
  return metrics
    .map((metric) =>
      metric.kind === 'correctness' || metric.deltaPercent === null
        ? metric.id === 'lost'
          ? `${metric.current} lost`
          : metric.id === 'badSignatures'
            ? `${metric.current} bad signatures`
            : metric.label
        : `${metric.label} ${formatPercent(metric.deltaPercent)}`,
    )
    .join(', ');
}

/**
 * The verdict on `current` against `baseline`.
 *
 * Correctness failures (a lost delivery, a bad signature, a fallen success rate) make the
 * outcome a regression even when everything else would be inconclusive: they do not depend on
 * the machine, the noise or the baseline's load; a webhook that never arrived is a bug on any
 * runner, and hiding it behind "inconclusive" would let it merge. Performance figures decide
 * only when the comparison is sound (same scenario, same machine, valid runs, judgeable spread).
 */
export function compare(
  current: TrialAggregate,
  baseline: Baseline | null,
  options: CompareOptions,
): Verdict {
  const useHistory = options.useHistory ?? true;
  const comparableSamples = baseline && useHistory ? historySamplesOf(baseline, 'p50').length : 0;
  const settings = resolveSettings(
    options,
    comparableSamples >= MIN_HISTORY_SAMPLES ? comparableSamples : 0,
  );
  const notes: string[] = [];
  const differences = baseline
    ? {
        config: configDifferences(baseline.aggregate.config, current.config),
        environment: environmentDifferences(baseline.aggregate.environment, current.environment),
      }
    : { config: [], environment: [] };
  const blockers = blockersOf(
    current,
    baseline,
    settings,
    differences,
    options.baselineName ?? baseline?.name ?? current.config.scenario,
    notes,
  );

  const context: PerformanceContext = { settings, blockers, baseline, current, notes };
  const metrics = METRIC_LIST.map((metric): MetricComparison => {
    const baselineValue = baseline ? baseline.aggregate.metrics[metric.id] : null;
    const value = current.metrics[metric.id];
    const judged =
      metric.kind === 'correctness'
        ? { ...compareCorrectness(metric, current, baselineValue), threshold: null }
        : comparePerformance(metric, context);
    return {
      id: metric.id,
      label: metric.label,
      unit: metric.unit,
      direction: metric.direction,
      kind: metric.kind,
      gated: metric.kind === 'correctness' || settings.gatedMetrics.includes(metric.id),
      baseline: baselineValue,
      current: value,
      deltaPercent:
        baselineValue === null || baselineValue === 0
          ? null
          : ((value - baselineValue) / baselineValue) * 100,
      ratio: baselineValue === null || baselineValue === 0 ? null : value / baselineValue,
      ...judged,
      spread: current.spread[metric.id],
    };
  });

  const failures = metrics.filter((metric) => metric.gated && metric.status === 'regression');
  const noisy = metrics.filter((metric) => metric.gated && metric.status === 'noise');
  const improvements = metrics.filter((metric) => metric.gated && metric.status === 'improvement');
  if (improvements.length > 0) {
    notes.push(
      `Improved beyond the tolerance: ${joinLabels(improvements)}. Refresh the baseline once this merges so later changes are held to it.`,
    );
  }
  if (baseline && baseline.aggregate.trialCount !== current.trialCount) {
    notes.push(
      `The baseline has ${baseline.aggregate.trialCount} trial(s), this run ${current.trialCount}.`,
    );
  }

  let outcome: Outcome;
  let summary: string;
  let reasons: string[];
  if (failures.length > 0) {
    outcome = 'regression';
    summary = `Regression: ${joinLabels(failures)}.`;
    reasons = [
      ...failures.map((metric) => metric.reason),
      ...blockers.map((blocker) => `Also: ${blocker.long}`),
    ];
  } else if (blockers.length > 0 || noisy.length > 0) {
    outcome = 'inconclusive';
    summary = `Inconclusive: ${blockers.length > 0 ? blockers.map((blocker) => blocker.short).join('; ') : `${noisy.map((metric) => metric.label).join(', ')} too noisy to judge`}.`;
    reasons = [...blockers.map((blocker) => blocker.long), ...noisy.map((metric) => metric.reason)];
  } else {
    outcome = 'pass';
    const gatedCount = settings.gatedMetrics.length;
    summary = `Pass: no gated metric is worse than ${formatTolerance(settings.tolerance)} the baseline beyond its noise floor, and nothing was lost.`;
    reasons = [
      `${gatedCount} performance metric${gatedCount === 1 ? '' : 's'} (${settings.gatedMetrics.join(', ')}) within the limits; no delivery lost, every signature valid.`,
    ];
  }

  return {
    outcome,
    summary,
    reasons,
    notes,
    metrics,
    configDifferences: differences.config,
    environmentDifferences: differences.environment,
    settings,
  };
}

/**
 * Exit codes of a comparison: 0 pass; 1 regression (the step fails); 2 inconclusive when the
 * caller asked to fail on it, else 0 so a noisy runner or a missing baseline never blocks a
 * merge by default. 1 is shared with other failures (bad input), which also fail the step.
 */
export const EXIT_CODES = { pass: 0, regression: 1, inconclusive: 2 } as const;

export function exitCodeFor(
  verdict: Pick<Verdict, 'outcome'>,
  options: { failOnInconclusive?: boolean } = {},
): number {
  switch (verdict.outcome) {
    case 'pass':
      return EXIT_CODES.pass;
    case 'regression':
      return EXIT_CODES.regression;
    case 'inconclusive':
      return options.failOnInconclusive ? EXIT_CODES.inconclusive : EXIT_CODES.pass;
  }
}
