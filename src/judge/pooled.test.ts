import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import { decodeHistogram, mergeHistograms, summarizeMs } from '../engine/measure/histogram.js';
import { trialOfRun } from './figures.js';
import { allStarts, PooledLatency } from './pooled.js';

describe('PooledLatency', () => {
  const starts = [
    [trialOfRun(makeRunResult({ latency: { p50Ms: 3, p95Ms: 9, p99Ms: 20 } }))],
    [
      trialOfRun(makeRunResult({ latency: { p50Ms: 4, p95Ms: 7, p99Ms: 31 }, sampleCount: 700 })),
      trialOfRun(makeRunResult({ latency: { p50Ms: 2.5, p95Ms: 12, p99Ms: 14 } })),
    ],
  ];
  const pooled = new PooledLatency(starts);

  it('reads what summarizeMs reads from the added histograms', () => {
    const merged = summarizeMs(
      mergeHistograms(starts.flat().map((trial) => decodeHistogram(trial.latencyHistogram))),
    );
    const at = (percentile: number) => (pooled.percentileUs(percentile, allStarts(2)) ?? 0) / 1000;
    expect([at(50), at(90), at(95), at(99), at(99.9), at(100)]).toEqual([
      merged.p50,
      merged.p90,
      merged.p95,
      merged.p99,
      merged.p999,
      merged.max,
    ]);
  });

  it('weights a start drawn twice as two, and one not drawn as none', () => {
    const first = summarizeMs(decodeHistogram(starts[0]![0]!.latencyHistogram));
    expect((pooled.percentileUs(95, [2, 0]) ?? 0) / 1000).toBe(first.p95);
    expect(pooled.percentileUs(50, [0, 0])).toBeNull();
  });
});
