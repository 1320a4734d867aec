import { describe, expect, it } from 'vitest';
import { makeRunResult } from './fixtures.js';
import {
  columnTitle,
  HEADLINE_METRICS,
  LATENCY_METRICS,
  outputName,
  DEFAULT_GATED_METRICS,
  METRIC_IDS,
  METRIC_LIST,
  METRICS,
  metricsOfRun,
  parseMetricList,
  worseningAmount,
  worseningRatio,
} from './metrics.js';

describe('metric catalogue', () => {
  it('gates end-to-end p50, p95, p99, throughput and duplicates by default, correctness always', () => {
    expect(DEFAULT_GATED_METRICS).toEqual(['p50', 'p95', 'p99', 'throughput', 'duplicates']);
    expect(
      METRIC_LIST.filter((metric) => metric.kind === 'correctness').map((metric) => metric.id),
    ).toEqual(['lost', 'badSignatures', 'successRate', 'unexpected']);
  });

  it('declares a direction, a unit and a positive resolution for every metric', () => {
    for (const id of METRIC_IDS) {
      const metric = METRICS[id];
      expect(metric.id).toBe(id);
      expect(['lower-is-better', 'higher-is-better']).toContain(metric.direction);
      expect(metric.resolution).toBeGreaterThan(0);
    }
    expect(METRICS.p50.direction).toBe('lower-is-better');
    expect(METRICS.throughput.direction).toBe('higher-is-better');
    expect(METRICS.successRate.direction).toBe('higher-is-better');
    // Latencies are recorded in whole microseconds, from HDR histograms; no fixed ms floor.
    expect(METRICS.p50).toMatchObject({ resolution: 0.001, fromHistogram: true });
    expect(METRICS.throughput.fromHistogram).toBe(false);
  });

  it('reads each figure from a run result', () => {
    const result = makeRunResult({ throughputPerSec: 123, lost: 2, duplicates: 4 });
    const values = metricsOfRun(result);
    expect(values.p95).toBe(result.delivery.latencyMs.p95);
    expect(values.throughput).toBe(123);
    expect(values.lost).toBe(2);
    expect(values.duplicates).toBe(4);
    expect(values.publishRate).toBe(result.publisher.achievedRatePerSec);
    expect(values.xaddP99).toBe(result.publisher.xaddLatencyMs.p99);
  });

  it('measures worsening in the metric direction', () => {
    expect(worseningRatio(METRICS.p50, 10, 20)).toBe(2);
    expect(worseningRatio(METRICS.p50, 20, 10)).toBe(0.5);
    expect(worseningRatio(METRICS.throughput, 100, 50)).toBe(2);
    expect(worseningRatio(METRICS.throughput, 50, 100)).toBe(0.5);
    expect(worseningRatio(METRICS.p50, 0, 0)).toBe(1);
    expect(worseningRatio(METRICS.p50, 0, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(worseningAmount(METRICS.p50, 10, 13)).toBe(3);
    expect(worseningAmount(METRICS.throughput, 100, 90)).toBe(10);
  });
});

describe('parseMetricList', () => {
  it('reads ids, dropping repeats', () => {
    expect(parseMetricList('p50, p99,p50')).toEqual(['p50', 'p99']);
    expect(() => parseMetricList('p50,latency', '--gate')).toThrow(
      /--gate: unknown metric "latency"/,
    );
    expect(() => parseMetricList(' , ', '--gate')).toThrow(/--gate is empty/);
  });
});

describe('the catalogue drives the report, the outputs and the headline', () => {
  it('makes every gated latency a headline figure, so gating one is one line', () => {
    for (const metric of LATENCY_METRICS) {
      expect(metric.headline !== undefined, metric.id).toBe(metric.gatedByDefault);
    }
    expect(HEADLINE_METRICS.map((metric) => metric.id)).toEqual([
      'p50',
      'p95',
      'p99',
      'throughput',
      'lost',
    ]);
    expect(HEADLINE_METRICS.map(outputName)).toEqual([
      'p50-ms',
      'p95-ms',
      'p99-ms',
      'throughput',
      'lost',
    ]);
    expect(HEADLINE_METRICS.map((metric) => columnTitle(metric))).toEqual([
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'Throughput /s',
      'Lost',
    ]);
    expect(columnTitle(METRICS.throughput, true)).toBe('Thru /s');
  });

  it('orders latencies by percentile and names each as the chart does', () => {
    expect(LATENCY_METRICS.map((metric) => metric.latency?.percentile)).toEqual([
      50, 90, 95, 99, 99.9, 100,
    ]);
    const p999 = { ...METRICS.p999, headline: { column: 'p99.9' } };
    expect(columnTitle(p999)).toBe('p99.9 ms');
    expect(outputName(p999)).toBe('p999-ms');
    expect(outputName(METRICS.scheduleLagP99)).toBe('schedule-lag-p99-ms');
  });
});
