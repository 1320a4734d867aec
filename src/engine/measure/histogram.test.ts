import { describe, expect, it } from 'vitest';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  recordUs,
  summarizeMs,
} from './histogram.js';

describe('HDR helpers', () => {
  it('summarises in ms with percentiles never above max', () => {
    const histogram = createHistogram();
    for (let us = 1_000; us <= 216_607; us += 997) recordUs(histogram, us);
    recordUs(histogram, 216_607);
    const summary = summarizeMs(histogram);
    expect(summary.max).toBe(216.607);
    for (const key of ['p50', 'p90', 'p95', 'p99', 'p999'] as const)
      expect(summary[key]).toBeLessThanOrEqual(summary.max);
    expect(summary.p50).toBeGreaterThan(100);
    expect(summary.p50).toBeLessThan(120);
  });

  it('round-trips through the compressed encoding and merges by adding counts', () => {
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 100; i++) recordUs(a, i * 1_000);
    for (let i = 1; i <= 100; i++) recordUs(b, 1_000_000 + i);
    const decoded = decodeHistogram(encodeHistogram(a));
    expect(decoded.totalCount).toBe(100);
    // Decoding keeps counts per bucket; the exact max is known only to 3 significant digits.
    const original = summarizeMs(a);
    for (const [key, value] of Object.entries(summarizeMs(decoded))) {
      expect(Math.abs(value - original[key as keyof typeof original])).toBeLessThanOrEqual(
        original.max * 1e-3,
      );
    }
    const merged = mergeHistograms([a, b]);
    expect(merged.totalCount).toBe(200);
    expect(summarizeMs(merged).p50).toBeCloseTo(100, 0);
  });

  it('clamps values outside the trackable range instead of dropping them', () => {
    const histogram = createHistogram();
    recordUs(histogram, 0);
    recordUs(histogram, 10 * 3_600_000_000);
    expect(histogram.totalCount).toBe(2);
  });

  it('records a value n times as n records of it', () => {
    const once = createHistogram();
    const counted = createHistogram();
    for (const [latencyUs, count] of [
      [1234.4, 3],
      [0, 2],
      [10 * 3_600_000_000, 4],
      [77, 1],
    ]) {
      for (let i = 0; i < count!; i++) recordUs(once, latencyUs!);
      recordUs(counted, latencyUs!, count);
    }
    expect(encodeHistogram(counted)).toBe(encodeHistogram(once));
    expect(counted.totalCount).toBe(10);
  });

  it('summarises an empty histogram as zeros', () => {
    expect(summarizeMs(createHistogram())).toMatchObject({ count: 0, p99: 0, max: 0 });
  });
});
