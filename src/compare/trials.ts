import { z } from 'zod';
import {
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  summarizeMs,
  type LatencySummaryMs,
} from '../engine/measure/histogram.js';
import {
  deliveryCountsSchema,
  deliveryFiguresSchema,
  encodedHistogramSchema,
  endpointFiguresSchema,
  environmentFingerprintSchema,
  deliveryLatencyMsSchema,
  latencySummaryMsSchema,
  publisherFiguresSchema,
  runConfigSnapshotSchema,
  runnerFiguresSchema,
  timelineSchema,
  toolSchema,
  validitySchema,
  type DeliveryCounts,
  type EndpointFigures,
  type PublisherFigures,
  type RunResult,
} from '../engine/measure/result.js';
import { configDifferences, describeDifferences, environmentDifferences } from './comparability.js';
import {
  METRIC_LIST,
  metricSpreadSchema,
  metricValuesSchema,
  metricsOfRun,
  type MetricDefinition,
  type MetricId,
  type MetricValues,
} from './metrics.js';
import { median, relativeSpread } from './stats.js';

/** One measured trial, kept whole enough to re-aggregate and to show in the report. */
export const trialSummarySchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  metrics: metricValuesSchema,
  latencyMs: deliveryLatencyMsSchema,
  latencyHistogram: encodedHistogramSchema,
  delivery: deliveryCountsSchema.extend(
    deliveryFiguresSchema.pick({ successRate: true, drainMs: true, drainEnded: true }).shape,
  ),
  /** The run's publisher figures without its XADD histogram (kept once, merged, in the aggregate). */
  publisher: publisherFiguresSchema.omit({ xaddLatencyMs: true, xaddHistogram: true }),
  validity: validitySchema,
  /** The trial second by second; absent in files written before timelines were recorded. */
  timeline: timelineSchema.optional(),
  /** The machine during the trial (CPU steal); absent where not measured. */
  runner: runnerFiguresSchema.optional(),
});
export type TrialSummary = z.infer<typeof trialSummarySchema>;

export const aggregateDeliverySchema = deliveryCountsSchema.extend({
  /** delivered / expected over all trials. */
  successRate: z.number(),
  /** End-to-end latency of every trial, merged by adding histogram counts. */
  latencyMs: deliveryLatencyMsSchema,
  latencyHistogram: encodedHistogramSchema,
});
export type AggregateDelivery = z.infer<typeof aggregateDeliverySchema>;

export const aggregatePublisherSchema = z.object({
  published: z.number(),
  errors: z.number(),
  targetRatePerSec: z.number(),
  /** Median over trials. */
  achievedRatePerSec: z.number(),
  /** Every trial met its rate. */
  rateMet: z.boolean(),
  xaddLatencyMs: latencySummaryMsSchema,
  xaddHistogram: encodedHistogramSchema,
});
export type AggregatePublisher = z.infer<typeof aggregatePublisherSchema>;

/**
 * N trials of one scenario reduced to the figures a verdict is taken on. The per-metric
 * figures follow each metric's aggregation rule (median for performance, sum or worst trial
 * for correctness); the distributions are merged by adding histogram counts, never by
 * averaging percentiles. The body of trial-set files and of a baseline's `aggregate`.
 */
export const trialAggregateSchema = z.object({
  tool: toolSchema,
  trialCount: z.number().int().positive(),
  startedAt: z.string(),
  finishedAt: z.string(),
  config: runConfigSnapshotSchema,
  environment: environmentFingerprintSchema,
  metrics: metricValuesSchema,
  /**
   * (max - min) / median across trials for median-aggregated metrics: 0 for a single trial,
   * null where it is not defined or not meaningful (sums, worst-of).
   */
  spread: metricSpreadSchema,
  /** Valid only when every trial was. */
  validity: validitySchema,
  delivery: aggregateDeliverySchema,
  publisher: aggregatePublisherSchema,
  /** Per endpoint, counts summed and latency histograms merged across trials. */
  endpoints: z.array(endpointFiguresSchema),
  trials: z.array(trialSummarySchema),
});
export type TrialAggregate = z.infer<typeof trialAggregateSchema>;

export class TrialAggregationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrialAggregationError';
  }
}

function combine(metric: MetricDefinition, values: readonly number[]): number {
  switch (metric.aggregation) {
    case 'median':
      return median(values);
    case 'sum':
      return values.reduce((total, value) => total + value, 0);
    case 'worst':
      return metric.direction === 'lower-is-better' ? Math.max(...values) : Math.min(...values);
  }
}

function mergeEncoded(encoded: readonly string[]): { summary: LatencySummaryMs; encoded: string } {
  const merged = mergeHistograms(encoded.map(decodeHistogram));
  return { summary: summarizeMs(merged), encoded: encodeHistogram(merged) };
}

const COUNT_FIELDS = [
  'expected',
  'delivered',
  'lost',
  'unexpected',
  'rejectedOnPurpose',
  'duplicates',
  'badSignatures',
  'foreign',
  'malformed',
  'failedAttempts',
  'totalRequests',
] as const satisfies readonly (keyof DeliveryCounts)[];

function sumCounts(items: readonly DeliveryCounts[]): DeliveryCounts {
  const counts: DeliveryCounts = {
    expected: 0,
    delivered: 0,
    lost: 0,
    unexpected: 0,
    rejectedOnPurpose: 0,
    duplicates: 0,
    badSignatures: 0,
    foreign: 0,
    malformed: 0,
    failedAttempts: 0,
    totalRequests: 0,
  };
  for (const item of items) for (const field of COUNT_FIELDS) counts[field] += item[field];
  return counts;
}

const pickCounts = (item: DeliveryCounts): DeliveryCounts => sumCounts([item]);

function trialPublisher({
  xaddLatencyMs: _latency,
  xaddHistogram: _histogram,
  ...figures
}: PublisherFigures): TrialSummary['publisher'] {
  return figures;
}

function summarizeTrial(result: RunResult): TrialSummary {
  return {
    runId: result.runId,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    metrics: metricsOfRun(result),
    latencyMs: result.delivery.latencyMs,
    latencyHistogram: result.delivery.latencyHistogram,
    delivery: {
      ...pickCounts(result.delivery),
      successRate: result.delivery.successRate,
      drainMs: result.delivery.drainMs,
      drainEnded: result.delivery.drainEnded,
    },
    publisher: trialPublisher(result.publisher),
    validity: { valid: result.validity.valid, reasons: [...result.validity.reasons] },
    ...(result.timeline ? { timeline: result.timeline } : {}),
    ...(result.runner ? { runner: { ...result.runner } } : {}),
  };
}

function mergeEndpoints(results: readonly RunResult[]): EndpointFigures[] {
  const byId = new Map<string, EndpointFigures[]>();
  for (const result of results) {
    for (const endpoint of result.endpoints) {
      const list = byId.get(endpoint.endpointId) ?? [];
      list.push(endpoint);
      byId.set(endpoint.endpointId, list);
    }
  }
  return [...byId.values()].map((figures) => {
    const first = figures[0] as EndpointFigures;
    const latency = mergeEncoded(figures.map((figure) => figure.latencyHistogram));
    return {
      endpointId: first.endpointId,
      name: first.name,
      ...sumCounts(figures),
      latencyMs: latency.summary,
      latencyHistogram: latency.encoded,
    };
  });
}

/**
 * Reduces the measured trials of one scenario (warm-up excluded) to one aggregate.
 * Throws when the trials are not of one scenario on one machine: such a set has no median.
 */
export function aggregateTrials(results: readonly RunResult[]): TrialAggregate {
  const first = results[0];
  if (!first)
    throw new TrialAggregationError('No trials to aggregate: expected at least one run result.');
  results.forEach((result, index) => {
    const configDiff = configDifferences(first.config, result.config);
    if (configDiff.length > 0) {
      throw new TrialAggregationError(
        `Trial ${index + 1} (run ${result.runId}) ran a different configuration than trial 1: ${describeDifferences(configDiff)}. Trials of different scenarios cannot be aggregated.`,
      );
    }
    // Machine identity, not its momentary speed: trials measured in separate sessions on one
    // busy machine probe differently, and are still trials of one machine.
    const environmentDiff = environmentDifferences(first.environment, result.environment).filter(
      (difference) => difference.field !== 'speed',
    );
    if (environmentDiff.length > 0) {
      throw new TrialAggregationError(
        `Trial ${index + 1} (run ${result.runId}) ran on a different machine than trial 1: ${describeDifferences(environmentDiff)}.`,
      );
    }
  });

  const trials = results.map(summarizeTrial);
  const metrics = {} as MetricValues;
  const spread = {} as Record<MetricId, number | null>;
  for (const metric of METRIC_LIST) {
    const values = trials.map((trial) => trial.metrics[metric.id]);
    metrics[metric.id] = combine(metric, values);
    spread[metric.id] = metric.aggregation === 'median' ? relativeSpread(values) : null;
  }

  const counts = sumCounts(results.map((result) => result.delivery));
  const latency = mergeEncoded(results.map((result) => result.delivery.latencyHistogram));
  const xadd = mergeEncoded(results.map((result) => result.publisher.xaddHistogram));
  const invalidReasons = trials.flatMap((trial, index) =>
    trial.validity.valid
      ? []
      : (trial.validity.reasons.length > 0 ? trial.validity.reasons : ['marked invalid']).map(
          (reason) => (trials.length > 1 ? `trial ${index + 1}: ${reason}` : reason),
        ),
  );

  return {
    tool: { ...first.tool },
    trialCount: trials.length,
    startedAt: first.startedAt,
    finishedAt: (results[results.length - 1] as RunResult).finishedAt,
    config: first.config,
    environment: first.environment,
    metrics,
    spread,
    validity: { valid: invalidReasons.length === 0, reasons: invalidReasons },
    delivery: {
      ...counts,
      successRate: counts.expected === 0 ? 1 : counts.delivered / counts.expected,
      latencyMs: latency.summary,
      latencyHistogram: latency.encoded,
    },
    publisher: {
      published: results.reduce((total, result) => total + result.publisher.published, 0),
      errors: results.reduce((total, result) => total + result.publisher.errors, 0),
      targetRatePerSec: first.publisher.targetRatePerSec,
      achievedRatePerSec: median(results.map((result) => result.publisher.achievedRatePerSec)),
      rateMet: results.every((result) => result.publisher.rateMet),
      xaddLatencyMs: xadd.summary,
      xaddHistogram: xadd.encoded,
    },
    endpoints: mergeEndpoints(results),
    trials,
  };
}

/** The value of one metric for each trial, in trial order. */
export function trialValues(aggregate: TrialAggregate, id: MetricId): number[] {
  return aggregate.trials.map((trial) => trial.metrics[id]);
}
