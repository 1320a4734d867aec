import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  recordUs,
  summarizeMs,
} from '../engine/measure/histogram.js';
import { encodeSamplesMs, makeRunResult } from './fixtures.js';
import { trialSetFileSchema, toTrialSetFile } from './result-file.js';
import { aggregateTrials, TrialAggregationError } from './trials.js';

describe('aggregateTrials', () => {
  it('takes the median across trials for performance metrics and reports their spread', () => {
    const aggregate = aggregateTrials([
      makeRunResult({
        runId: 'a',
        latency: { p50Ms: 10, p95Ms: 20, p99Ms: 40 },
        throughputPerSec: 90,
      }),
      makeRunResult({
        runId: 'b',
        latency: { p50Ms: 30, p95Ms: 60, p99Ms: 90 },
        throughputPerSec: 100,
      }),
      makeRunResult({
        runId: 'c',
        latency: { p50Ms: 12, p95Ms: 25, p99Ms: 50 },
        throughputPerSec: 95,
      }),
    ]);
    expect(aggregate.trialCount).toBe(3);
    expect(aggregate.metrics.p50).toBeCloseTo(12, 1);
    expect(aggregate.metrics.p99).toBeCloseTo(50, 0);
    expect(aggregate.metrics.throughput).toBe(95);
    // (30 - 10) / 12, within HDR precision
    expect(aggregate.spread.p50).toBeCloseTo(20 / 12, 1);
    expect(aggregate.spread.throughput).toBeCloseTo(10 / 95, 6);
    expect(aggregate.spread.lost).toBeNull();
  });

  it('merges histograms by adding counts: a pooled percentile, never an average of percentiles', () => {
    const fast = [...Array<number>(900).fill(10), ...Array<number>(100).fill(20)];
    const slow = Array<number>(1000).fill(50);
    const aggregate = aggregateTrials([
      makeRunResult({ runId: 'fast', samplesMs: fast }),
      makeRunResult({ runId: 'slow', samplesMs: slow }),
    ]);
    const pooled = createHistogram();
    for (const ms of [...fast, ...slow]) recordUs(pooled, ms * 1000);
    // Through the same encode/decode path as the trials (which reports max at bucket precision).
    const pooledSummary = summarizeMs(decodeHistogram(encodeHistogram(pooled)));

    expect(aggregate.delivery.latencyMs).toEqual(pooledSummary);
    // Without the encode/decode path, percentiles differ only within HDR's 3 significant digits
    // (they are clamped to the exact max, which decoding knows only to bucket precision).
    for (const percentile of ['p50', 'p90', 'p95', 'p99', 'p999'] as const) {
      const direct = summarizeMs(pooled)[percentile];
      expect(Math.abs(aggregate.delivery.latencyMs[percentile] - direct)).toBeLessThanOrEqual(
        direct * 1e-3,
      );
    }
    expect(aggregate.delivery.latencyMs.count).toBe(2000);
    expect(aggregate.delivery.latencyMs.p99).toBeCloseTo(50, 0);
    const averageOfP99s =
      (aggregate.trials[0]!.latencyMs.p99 + aggregate.trials[1]!.latencyMs.p99) / 2;
    expect(averageOfP99s).toBeCloseTo(35, 0);
    expect(aggregate.delivery.latencyMs.p99).not.toBeCloseTo(averageOfP99s, 0);
    // The encoded merge decodes to the same distribution.
    expect(summarizeMs(decodeHistogram(aggregate.delivery.latencyHistogram))).toEqual(
      pooledSummary,
    );
  });

  it('combines correctness by sum and by worst trial, so one bad trial is never voted away', () => {
    const aggregate = aggregateTrials([
      makeRunResult({ runId: 'a' }),
      makeRunResult({ runId: 'b', lost: 3, badSignatures: 1 }),
      makeRunResult({ runId: 'c' }),
    ]);
    expect(aggregate.metrics.lost).toBe(3);
    expect(aggregate.metrics.badSignatures).toBe(1);
    expect(aggregate.metrics.successRate).toBeCloseTo(1000 / 1003, 9);
    expect(aggregate.delivery.lost).toBe(3);
    expect(aggregate.delivery.expected).toBe(3003);
    expect(aggregate.delivery.successRate).toBeCloseTo(3000 / 3003, 9);
  });

  it('keeps each trial with its encoded histogram and merges endpoints', () => {
    const results = [makeRunResult({ runId: 'a' }), makeRunResult({ runId: 'b', lost: 2 })];
    const aggregate = aggregateTrials(results);
    expect(aggregate.trials.map((trial) => trial.runId)).toEqual(['a', 'b']);
    expect(aggregate.trials[1]!.latencyHistogram).toBe(results[1]!.delivery.latencyHistogram);
    expect(aggregate.trials[1]!.delivery.lost).toBe(2);
    expect(aggregate.endpoints).toHaveLength(5);
    expect(aggregate.endpoints[0]!.delivered).toBe(400);
    expect(aggregate.endpoints[0]!.lost).toBe(2);
    expect(aggregate.endpoints[0]!.latencyMs.count).toBe(400);
    expect(aggregate.publisher.published).toBe(1200);
  });

  it('keeps each trial’s timeline, and loads trials written before timelines existed', () => {
    const timeline = {
      bucketSec: 1,
      publishEndSec: 2,
      publishedPerSec: [100, 100],
      deliveredPerSec: [90, 110],
      p50Ms: [3, null],
      p99Ms: [8, null],
      maxMs: [9, null],
      backlog: [10, 0],
    };
    const aggregate = aggregateTrials([
      { ...makeRunResult({ runId: 'a' }), timeline },
      makeRunResult(),
    ]);
    expect(aggregate.trials[0]!.timeline).toEqual(timeline);
    expect(aggregate.trials[1]!.timeline).toBeUndefined();
    const reread = trialSetFileSchema.parse(JSON.parse(JSON.stringify(toTrialSetFile(aggregate))));
    expect(reread.trials.map((trial) => trial.timeline)).toEqual([timeline, undefined]);
  });

  it('is valid only when every trial is, and says which trial was not', () => {
    const aggregate = aggregateTrials([
      makeRunResult({ runId: 'a' }),
      makeRunResult({ runId: 'b', valid: false, invalidReasons: ['rate not met'] }),
    ]);
    expect(aggregate.validity).toEqual({ valid: false, reasons: ['trial 2: rate not met'] });
    expect(aggregate.publisher.rateMet).toBe(false);
    const single = aggregateTrials([makeRunResult({ valid: false, invalidReasons: ['lag'] })]);
    expect(single.validity.reasons).toEqual(['lag']);
    expect(single.spread.p50).toBe(0);
  });

  it('refuses an empty set and trials of different scenarios or machines', () => {
    expect(() => aggregateTrials([])).toThrow(TrialAggregationError);
    expect(() =>
      aggregateTrials([makeRunResult(), makeRunResult({ config: { ratePerSec: 200 } })]),
    ).toThrow(/Trial 2 .*ratePerSec \(baseline 100, current 200\)/);
    expect(() =>
      aggregateTrials([makeRunResult(), makeRunResult({ environment: { cpuCores: 2 } })]),
    ).toThrow(/different machine.*cpuCores/);
    // One machine whose speed probe moved between sessions is still one machine.
    const probed = (cpuMs: number) =>
      makeRunResult({ environment: { speed: { cpuMs, redisRoundTripUs: 60 } } });
    expect(aggregateTrials([probed(100), probed(180)]).trialCount).toBe(2);
  });

  it('encodes fixture samples into the histogram format of the engine', () => {
    const encoded = encodeSamplesMs([1, 2, 3]);
    const histogram = createHistogram();
    for (const ms of [1, 2, 3]) recordUs(histogram, ms * 1000);
    expect(encoded).toBe(encodeHistogram(histogram));
  });
});
