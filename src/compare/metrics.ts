import { z } from 'zod';
import type { LatencySummaryMs, RunResult } from '../engine/measure/result.js';

/**
 * The catalogue of compared figures. Every metric declares its direction, unit, how one run
 * yields it, how trials combine, and the resolution its figures are measured with.
 */
export const METRIC_IDS = [
  'p50',
  'p95',
  'p99',
  'throughput',
  'lost',
  'badSignatures',
  'successRate',
  'unexpected',
  'p90',
  'p999',
  'max',
  'duplicates',
  'publishRate',
  'scheduleLagP99',
  'xaddP99',
] as const;

export type MetricId = (typeof METRIC_IDS)[number];
export type MetricValues = Record<MetricId, number>;

export type Direction = 'lower-is-better' | 'higher-is-better';

/**
 * performance: judged against the baseline with the tolerance ratio and the noise floor.
 * correctness: judged on its own; no tolerance, never waived as noise.
 */
export type MetricKind = 'performance' | 'correctness';

/**
 * How trials combine. Performance figures take the median, so one trial hit by a noisy
 * neighbour does not decide the verdict. Correctness figures take the worst trial or the sum:
 * a delivery lost in one trial out of three is a bug, not an outlier to be voted away.
 */
export type TrialAggregation = 'median' | 'sum' | 'worst';

export type MetricUnit = 'ms' | 'deliveries/s' | 'events/s' | 'ratio' | 'count';

export interface MetricDefinition {
  id: MetricId;
  label: string;
  unit: MetricUnit;
  direction: Direction;
  kind: MetricKind;
  aggregation: TrialAggregation;
  /** Gated when no gate list is given (correctness metrics are always gated). */
  gatedByDefault: boolean;
  /**
   * The smallest step the figure is measured in, in `unit`: below it two figures are the same
   * measurement. The floor of every limit; the noise measured per run sits on top (noise.ts).
   */
  resolution: number;
  /** Read from an HDR histogram: also uncertain by its relative precision (histogram.ts). */
  fromHistogram: boolean;
  /**
   * For counts that are legitimately non-zero now and then: a rise up to this many per trial, or
   * this share of a trial's expected deliveries if larger, is never a regression. From zero any
   * rise is an infinite ratio, so without it one retry would fail the run; the share keeps the
   * rule the same for a thousand deliveries and a million.
   */
  countAllowance?: { perTrial: number; shareOfExpected: number };
  /** The figure of one run. */
  fromRun(result: RunResult): number;
  /**
   * For latency percentiles (max = 100): the figure of any latency summary, so the per-endpoint
   * table, the charts and the paired verdict's blocks read the catalogue, not a list of their own.
   */
  latency?: { percentile: number; of(summary: LatencySummaryMs): number };
  /**
   * A headline figure: a column of the trials and history tables (and, for latencies, of the
   * per-endpoint table and the history chart), an action output and a figure of comment.json.
   * `column` titles it; `narrowColumn` where the terminal is tight.
   */
  headline?: { column: string; narrowColumn?: string };
  /**
   * The value assumed for files written before this metric existed; without it such files
   * fail to load, naming the missing field.
   */
  whenAbsent?: number;
}

/** Latencies are recorded in whole microseconds. */
const MICROSECOND_MS = 0.001;

type LatencyId = 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'max';
const PERCENTILES: Record<LatencyId, number> = {
  p50: 50,
  p90: 90,
  p95: 95,
  p99: 99,
  p999: 99.9,
  max: 100,
};

/** A latency percentile; a gated one is also a headline figure (a column, an output). */
function latency(id: LatencyId, label: string, gatedByDefault: boolean): MetricDefinition {
  const percentile = PERCENTILES[id];
  return {
    id,
    label,
    unit: 'ms',
    direction: 'lower-is-better',
    kind: 'performance',
    aggregation: 'median',
    gatedByDefault,
    resolution: MICROSECOND_MS,
    fromHistogram: true,
    fromRun: (result) => result.delivery.latencyMs[id],
    latency: { percentile, of: (summary) => summary[id] },
    ...(gatedByDefault ? { headline: { column: id === 'max' ? 'max' : `p${percentile}` } } : {}),
  };
}

export const METRICS: Readonly<Record<MetricId, MetricDefinition>> = {
  p50: latency('p50', 'Latency p50', true),
  p95: latency('p95', 'Latency p95', true),
  p99: latency('p99', 'Latency p99', true),
  throughput: {
    id: 'throughput',
    label: 'Throughput',
    unit: 'deliveries/s',
    direction: 'higher-is-better',
    kind: 'performance',
    aggregation: 'median',
    gatedByDefault: true,
    // Deliveries over milliseconds of wall clock: far finer than any change worth a verdict.
    resolution: 0.01,
    fromHistogram: false,
    fromRun: (result) => result.delivery.throughputPerSec,
    headline: { column: 'Throughput', narrowColumn: 'Thru' },
  },
  lost: {
    id: 'lost',
    label: 'Lost deliveries',
    unit: 'count',
    direction: 'lower-is-better',
    kind: 'correctness',
    aggregation: 'sum',
    gatedByDefault: true,
    resolution: 1,
    fromHistogram: false,
    fromRun: (result) => result.delivery.lost,
    headline: { column: 'Lost' },
  },
  badSignatures: {
    id: 'badSignatures',
    label: 'Bad signatures',
    unit: 'count',
    direction: 'lower-is-better',
    kind: 'correctness',
    aggregation: 'sum',
    gatedByDefault: true,
    resolution: 1,
    fromHistogram: false,
    fromRun: (result) => result.delivery.badSignatures,
  },
  successRate: {
    id: 'successRate',
    label: 'Success rate',
    unit: 'ratio',
    direction: 'higher-is-better',
    kind: 'correctness',
    aggregation: 'worst',
    gatedByDefault: true,
    resolution: 1e-6,
    fromHistogram: false,
    fromRun: (result) => result.delivery.successRate,
  },
  unexpected: {
    id: 'unexpected',
    label: 'Unexpected deliveries',
    unit: 'count',
    direction: 'lower-is-better',
    kind: 'correctness',
    aggregation: 'sum',
    gatedByDefault: true,
    resolution: 1,
    fromHistogram: false,
    fromRun: (result) => result.delivery.unexpected,
    // Files written before it was counted: such deliveries hid in `delivered`, unknown now.
    whenAbsent: 0,
  },
  p90: latency('p90', 'Latency p90', false),
  p999: latency('p999', 'Latency p99.9', false),
  max: latency('max', 'Latency max', false),
  duplicates: {
    id: 'duplicates',
    label: 'Duplicate deliveries',
    unit: 'count',
    direction: 'lower-is-better',
    // EthHook delivers at least once: a few duplicates under retries are legitimate, so they are
    // judged against the baseline, not failed on sight like a loss. The median per trial
    // compares across trial counts, where a sum would not.
    kind: 'performance',
    aggregation: 'median',
    gatedByDefault: true,
    resolution: 1,
    fromHistogram: false,
    countAllowance: { perTrial: 5, shareOfExpected: 0.001 },
    fromRun: (result) => result.delivery.duplicates,
  },
  publishRate: {
    id: 'publishRate',
    label: 'Publish rate',
    unit: 'events/s',
    direction: 'higher-is-better',
    kind: 'performance',
    aggregation: 'median',
    gatedByDefault: false,
    resolution: 0.01,
    fromHistogram: false,
    fromRun: (result) => result.publisher.achievedRatePerSec,
  },
  scheduleLagP99: {
    id: 'scheduleLagP99',
    label: 'Publisher lag p99',
    unit: 'ms',
    direction: 'lower-is-better',
    kind: 'performance',
    aggregation: 'median',
    gatedByDefault: false,
    resolution: MICROSECOND_MS,
    fromHistogram: true,
    fromRun: (result) => result.publisher.scheduleLagMs.p99,
  },
  xaddP99: {
    id: 'xaddP99',
    label: 'XADD p99',
    unit: 'ms',
    direction: 'lower-is-better',
    kind: 'performance',
    aggregation: 'median',
    gatedByDefault: false,
    resolution: MICROSECOND_MS,
    fromHistogram: true,
    fromRun: (result) => result.publisher.xaddLatencyMs.p99,
  },
};

/**
 * One figure per catalogue metric, as stored in result, trial-set and baseline files. A metric
 * added to the catalogue after files were written needs `whenAbsent` so those files still load.
 */
const perMetric = <T>(make: (id: MetricId) => T): Record<MetricId, T> =>
  Object.fromEntries(METRIC_IDS.map((id) => [id, make(id)])) as Record<MetricId, T>;

/**
 * The range a figure of this metric can take: a file that holds anything else was edited or
 * broken, and believing it gives "-0.36x worse" (p50 -5) or "∞x worse" (p50 0). A latency
 * percentile is above 0 (every expected delivery adds a sample, a lost one too), a ratio within
 * [0, 1], anything else not below 0.
 */
export function metricRange(metric: MetricDefinition): z.ZodNumber {
  if (metric.latency) return z.number().positive();
  if (metric.unit === 'ratio') return z.number().min(0).max(1);
  return z.number().nonnegative();
}

export const metricValuesSchema = z.object(
  perMetric((id): z.ZodNumber | z.ZodDefault<z.ZodNumber> => {
    const { whenAbsent } = METRICS[id];
    const range = metricRange(METRICS[id]);
    return whenAbsent === undefined ? range : range.default(whenAbsent);
  }),
);

/** Relative spread across trials per metric (see TrialAggregate.spread); null where undefined. */
export const metricSpreadSchema = z.object(perMetric(() => z.number().nullable().default(null)));

export const METRIC_LIST: readonly MetricDefinition[] = METRIC_IDS.map((id) => METRICS[id]);

export const DEFAULT_GATED_METRICS: readonly MetricId[] = METRIC_LIST.filter(
  (metric) => metric.kind === 'performance' && metric.gatedByDefault,
).map((metric) => metric.id);

/** A count metric's allowance (see countAllowance) for trials expecting this many deliveries. */
export function countAllowanceOf(metric: MetricDefinition, expectedPerTrial: number): number {
  const allowance = metric.countAllowance;
  if (!allowance) return 0;
  return Math.max(allowance.perTrial, Math.ceil(allowance.shareOfExpected * expectedPerTrial));
}

/** Latency percentiles first (by percentile), then the rest in catalogue order. */
const readingOrder = (a: MetricDefinition, b: MetricDefinition): number =>
  (a.latency?.percentile ?? Number.POSITIVE_INFINITY) -
    (b.latency?.percentile ?? Number.POSITIVE_INFINITY) ||
  METRIC_IDS.indexOf(a.id) - METRIC_IDS.indexOf(b.id);

/** The headline figures, in reading order: p50, p95, p99, throughput, lost by default. */
export const HEADLINE_METRICS: readonly MetricDefinition[] = METRIC_LIST.filter(
  (metric) => metric.headline !== undefined,
).sort(readingOrder);

/** Every latency percentile of the catalogue, lowest first. */
export const LATENCY_METRICS: readonly MetricDefinition[] = METRIC_LIST.filter(
  (metric) => metric.latency !== undefined,
).sort(readingOrder);

/** "p50 ms", "Throughput /s", "Lost": a headline metric's column title. */
export function columnTitle(metric: MetricDefinition, narrow = false): string {
  const name = (narrow ? metric.headline?.narrowColumn : undefined) ?? metric.headline?.column;
  const suffix =
    metric.unit === 'ms'
      ? ' ms'
      : metric.unit === 'deliveries/s' || metric.unit === 'events/s'
        ? ' /s'
        : '';
  return `${name ?? metric.label}${suffix}`;
}

/** The action output of a headline metric: p50-ms, throughput, lost (action.yml declares each). */
export function outputName(metric: MetricDefinition): string {
  const kebab = metric.id.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return metric.unit === 'ms' ? `${kebab}-ms` : kebab;
}

export function isMetricId(value: string): value is MetricId {
  return (METRIC_IDS as readonly string[]).includes(value);
}

/** The figure of one run for every metric. */
export function metricsOfRun(result: RunResult): MetricValues {
  const values = {} as MetricValues;
  for (const metric of METRIC_LIST) values[metric.id] = metric.fromRun(result);
  return values;
}

/**
 * How much worse `current` is than `baseline`, as a ratio >= 0 where 1 means equal and 2 means
 * twice as bad in the metric's own direction. Infinity when the baseline is 0 and current worse.
 */
export function worseningRatio(
  metric: MetricDefinition,
  baseline: number,
  current: number,
): number {
  const [worse, better] =
    metric.direction === 'lower-is-better' ? [current, baseline] : [baseline, current];
  if (better === 0) return worse === 0 ? 1 : Number.POSITIVE_INFINITY;
  return worse / better;
}

/** How much worse `current` is than `baseline` in the metric's unit (negative when better). */
export function worseningAmount(
  metric: MetricDefinition,
  baseline: number,
  current: number,
): number {
  return metric.direction === 'lower-is-better' ? current - baseline : baseline - current;
}

export class InvalidMetricOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMetricOptionError';
  }
}

const VALID_IDS_TEXT = METRIC_IDS.join(', ');

/** Parses a metric list such as `p50,p95,throughput`. */
export function parseMetricList(raw: string, inputName = 'metrics'): MetricId[] {
  const ids = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (ids.length === 0) {
    throw new InvalidMetricOptionError(
      `${inputName} is empty; expected metric ids separated by commas, from: ${VALID_IDS_TEXT}.`,
    );
  }
  for (const id of ids) {
    if (!isMetricId(id)) {
      throw new InvalidMetricOptionError(
        `${inputName}: unknown metric "${id}"; expected one of ${VALID_IDS_TEXT}.`,
      );
    }
  }
  return [...new Set(ids)] as MetricId[];
}

/**
 * A figure on a log scale, so a ratio becomes a difference; the resolution keeps it finite at 0
 * (a schedule lag of 0 µs is not infinitely good).
 */
export function logFigure(metric: MetricDefinition, value: number): number {
  return Math.log(Math.max(value, 0) + metric.resolution);
}
