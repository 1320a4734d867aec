import type { DeliveryCounts, RunResult, Validity } from '../engine/measure/result.js';
import {
  DEFAULT_GATED_METRICS,
  METRIC_LIST,
  metricsOfRun,
  worseningRatio,
  type MetricDefinition,
  type MetricId,
  type MetricValues,
} from '../compare/metrics.js';

/**
 * What the judge reads, defined once: a trial, a fresh start of the system under test, the
 * figures it judges with a ratio, the tail and the ratio itself.
 */

/**
 * One measured trial as the judge reads it. A RunResult gives one (trialOfRun); a baseline's
 * TrialSummary (src/compare/trials.ts) already has this shape.
 */
export interface Trial {
  metrics: MetricValues;
  /** HDR histogram of end-to-end latency in µs, compressed base64 (engine/measure/histogram.ts). */
  latencyHistogram: string;
  delivery: Pick<
    DeliveryCounts,
    'expected' | 'lost' | 'unexpected' | 'badSignatures' | 'duplicates'
  > & { successRate: number };
  validity: Validity;
}

/**
 * The trials of one fresh start of the system under test: a round of one side, or this run's
 * trials. The replication unit: starts vary more than trials inside one start (Kalibera & Jones).
 */
export type Start = readonly Trial[];

export function trialOfRun(result: RunResult): Trial {
  return {
    metrics: metricsOfRun(result),
    latencyHistogram: result.delivery.latencyHistogram,
    delivery: result.delivery,
    validity: result.validity,
  };
}

/**
 * A performance figure judged by its ratio to the reference. Counts with an allowance
 * (duplicates) are not: from zero any rise is an infinite ratio, so they have a rule of their own.
 */
export const isRatioFigure = (metric: MetricDefinition): boolean =>
  metric.kind === 'performance' && metric.countAllowance === undefined;

/** The figures judged by ratio, in catalogue order: gated or shown. */
export const RATIO_FIGURES: readonly MetricDefinition[] = METRIC_LIST.filter(isRatioFigure);

/**
 * The tail: latency percentiles above the median. Judged like every other figure (from histograms
 * pooled over starts); named only to say what would settle an undecided one (more events).
 */
export const isTail = (metric: MetricDefinition): boolean => (metric.latency?.percentile ?? 0) > 50;

/** The performance figures that decide, from the user's gate list (correctness always decides). */
export function gatedSet(gatedMetrics: readonly MetricId[] | undefined): ReadonlySet<MetricId> {
  return new Set(gatedMetrics ?? DEFAULT_GATED_METRICS);
}

/**
 * How much worse `head` is than `reference`, direction-normalised: above 1 is worse, 2 twice as
 * bad. The resolution keeps it finite at 0 (a figure of 0 µs schedule lag is not infinitely good).
 */
export function worseRatio(metric: MetricDefinition, reference: number, head: number): number {
  return worseningRatio(metric, reference + metric.resolution, head + metric.resolution);
}
