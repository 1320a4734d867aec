import * as hdr from 'hdr-histogram-js';
import type { LatencySummaryMs } from './result.js';

/** Latencies are recorded in integer microseconds, 1 µs to 1 hour, 3 significant digits. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;
export const SIGNIFICANT_DIGITS = 3;

export type Histogram = hdr.Histogram;

export function createHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/** Whether a latency fits the histogram as it is: 0 to HIGHEST_TRACKABLE_US (0 is stored as 1). */
export function isTrackableUs(latencyUs: number): boolean {
  return latencyUs >= 0 && latencyUs <= HIGHEST_TRACKABLE_US;
}

/**
 * Records a latency (`count` times), clamped into the trackable range so an outlier is never dropped; callers
 * that must know about clamping check isTrackableUs first.
 */
export function recordUs(histogram: Histogram, latencyUs: number, count = 1): void {
  const value = Math.min(Math.max(Math.round(latencyUs), 1), HIGHEST_TRACKABLE_US);
  if (count === 1) histogram.recordValue(value);
  else histogram.recordValueWithCount(value, count);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 64, false);
  // Re-home into our standard shape so merges never overflow a narrower bucket size.
  const histogram = createHistogram();
  histogram.add(decoded);
  return histogram;
}

/** Merges histograms by adding counts; percentiles are never averaged. */
export function mergeHistograms(histograms: Iterable<Histogram>): Histogram {
  const merged = createHistogram();
  for (const histogram of histograms) merged.add(histogram);
  return merged;
}

export type { LatencySummaryMs };

const usToMs = (us: number): number => Math.round(us) / 1000;

export function summarizeMs(histogram: Histogram): LatencySummaryMs {
  const count = histogram.totalCount;
  if (count === 0) {
    return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  }
  // A percentile is reported as the top of its bucket (3 significant digits), which can lie above
  // the largest value recorded; clamp so p99.9 never reads higher than max.
  const maxUs = histogram.maxValue;
  const at = (percentile: number): number =>
    usToMs(Math.min(histogram.getValueAtPercentile(percentile), maxUs));
  return {
    count,
    min: usToMs(histogram.minNonZeroValue),
    mean: Math.round(histogram.mean) / 1000,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: usToMs(maxUs),
  };
}
