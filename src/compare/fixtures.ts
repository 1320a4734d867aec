/**
 * Test-only: builders of RunResult fixtures with real HDR histograms. Imported by tests of
 * src/compare and src/report; nothing in the shipped code imports it.
 */
import {
  createHistogram,
  encodeHistogram,
  recordUs,
  summarizeMs,
} from '../engine/measure/histogram.js';
import {
  RUN_RESULT_KIND,
  RUN_RESULT_VERSION,
  NO_FAULTS,
  type EndpointFigures,
  type EnvironmentFingerprint,
  type RunConfigSnapshot,
  type RunResult,
} from '../engine/measure/result.js';
import type { HistoryEntry } from './baseline.js';
import { configKey } from './comparability.js';
import type { TrialAggregate } from './trials.js';

export interface LatencyShape {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/**
 * Deterministic latencies (ms) following a piecewise-linear quantile curve through the given
 * percentiles, so a histogram of them reports about those percentiles.
 */
export function latencySamplesMs(shape: LatencyShape, count = 1000): number[] {
  const points: [number, number][] = [
    [0, shape.p50Ms * 0.5],
    [0.5, shape.p50Ms],
    [0.95, shape.p95Ms],
    [0.99, shape.p99Ms],
    [1, shape.p99Ms * 1.25],
  ];
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const q = (i + 0.5) / count;
    let segment = 1;
    while (segment < points.length - 1 && q > (points[segment] as [number, number])[0])
      segment += 1;
    const [q0, v0] = points[segment - 1] as [number, number];
    const [q1, v1] = points[segment] as [number, number];
    samples.push(v0 + ((v1 - v0) * (q - q0)) / (q1 - q0));
  }
  return samples;
}

export function encodeSamplesMs(samplesMs: readonly number[]): string {
  const histogram = createHistogram();
  for (const ms of samplesMs) recordUs(histogram, ms * 1000);
  return encodeHistogram(histogram);
}

function histogramOf(samplesMs: readonly number[]) {
  const histogram = createHistogram();
  for (const ms of samplesMs) recordUs(histogram, ms * 1000);
  return { summary: summarizeMs(histogram), encoded: encodeHistogram(histogram) };
}

export const fixtureEnvironment = (): EnvironmentFingerprint => ({
  cpuModel: 'AMD EPYC 7763 64-Core Processor',
  cpuCores: 4,
  memoryGiB: 16,
  os: 'Linux 6.8.0-1017-azure',
  arch: 'x64',
  nodeVersion: 'v20.18.1',
  redisVersion: '7.2.5',
  postgresVersion: '16.4',
});

export const fixtureConfig = (): RunConfigSnapshot => ({
  scenario: 'steady',
  events: 3000,
  ratePerSec: 100,
  concurrency: 4,
  durationSec: null,
  chainId: 11155111,
  seed: 42,
  mix: { transfer: 0.8, swap: 0.2 },
  warmupEvents: 100,
  drainTimeoutMs: 10_000,
  faults: { ...NO_FAULTS },
});

const ENDPOINT_NAMES = [
  'USDC Transfers',
  'WETH All Events',
  'DAI Transfers',
  'LINK Transfers',
  'Uniswap V3 Swaps',
];

export interface RunFixtureOptions {
  runId?: string;
  latency?: LatencyShape;
  /** Explicit latency samples (ms); take precedence over `latency`. */
  samplesMs?: number[];
  /** How many deliveries `latency` is spread over (default 1000). */
  sampleCount?: number;
  throughputPerSec?: number;
  lost?: number;
  unexpected?: number;
  badSignatures?: number;
  duplicates?: number;
  endpointCount?: number;
  valid?: boolean;
  invalidReasons?: string[];
  startedAt?: string;
  config?: Partial<RunConfigSnapshot>;
  environment?: Partial<EnvironmentFingerprint>;
}

export const DEFAULT_FIXTURE_LATENCY: LatencyShape = { p50Ms: 12, p95Ms: 30, p99Ms: 60 };

export function makeRunResult(options: RunFixtureOptions = {}): RunResult {
  const samples =
    options.samplesMs ??
    latencySamplesMs(options.latency ?? DEFAULT_FIXTURE_LATENCY, options.sampleCount ?? 1000);
  const latency = histogramOf(samples);
  const xadd = histogramOf(latencySamplesMs({ p50Ms: 0.4, p95Ms: 0.9, p99Ms: 1.6 }, 200));
  const lag = summarizeMs(createHistogram());
  const lost = options.lost ?? 0;
  const delivered = samples.length;
  const expected = delivered + lost;
  const endpointCount = options.endpointCount ?? 5;
  const endpoints: EndpointFigures[] = [];
  for (let index = 0; index < endpointCount; index += 1) {
    const mine = samples.filter((_, sample) => sample % endpointCount === index);
    const histogram = histogramOf(mine);
    const mineLost = index === 0 ? lost : 0;
    endpoints.push({
      endpointId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      name: ENDPOINT_NAMES[index] ?? `Endpoint ${index + 1}`,
      expected: mine.length + mineLost,
      delivered: mine.length,
      lost: mineLost,
      unexpected: index === 0 ? (options.unexpected ?? 0) : 0,
      rejectedOnPurpose: 0,
      duplicates: 0,
      badSignatures: 0,
      foreign: 0,
      malformed: 0,
      failedAttempts: 0,
      totalRequests: mine.length,
      latencyMs: histogram.summary,
      latencyHistogram: histogram.encoded,
    });
  }
  const config = { ...fixtureConfig(), ...options.config };
  const valid = options.valid ?? true;
  const achievedRate = valid ? config.ratePerSec : config.ratePerSec * 0.8;
  const startedAt = options.startedAt ?? '2025-01-15T02:00:00.000Z';
  return {
    kind: RUN_RESULT_KIND,
    version: RUN_RESULT_VERSION,
    tool: { name: 'ethhook-load-test', version: '0.1.0' },
    runId: options.runId ?? 'a1b2c3d4e5f60718',
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 45_000).toISOString(),
    config,
    environment: { ...fixtureEnvironment(), ...options.environment },
    publisher: {
      published: 600,
      errors: 0,
      targetRatePerSec: config.ratePerSec,
      achievedRatePerSec: achievedRate,
      rateMet: valid,
      elapsedMs: 30_000,
      xaddLatencyMs: xadd.summary,
      xaddHistogram: xadd.encoded,
      scheduleLagMs: lag,
    },
    delivery: {
      expected,
      delivered,
      lost,
      unexpected: options.unexpected ?? 0,
      rejectedOnPurpose: 0,
      duplicates: options.duplicates ?? 0,
      badSignatures: options.badSignatures ?? 0,
      foreign: 0,
      malformed: 0,
      failedAttempts: 0,
      totalRequests:
        delivered +
        (options.unexpected ?? 0) +
        (options.duplicates ?? 0) +
        (options.badSignatures ?? 0),
      successRate: expected === 0 ? 1 : delivered / expected,
      throughputPerSec: options.throughputPerSec ?? 100,
      latencyMs: latency.summary,
      latencyHistogram: latency.encoded,
      deliveredLatencyMs: latency.summary,
      latencyOutOfRange: 0,
      drainMs: 1200,
      drainEnded: lost > 0 ? 'idle-timeout' : 'complete',
    },
    endpoints,
    validity: {
      valid,
      reasons: valid
        ? []
        : (options.invalidReasons ?? ['achieved 80.0 of 100 events/s (rate not met)']),
    },
    checks: [],
  };
}

/**
 * One night of a baseline's history: `latest`'s figures with this p50, on the fixture runner,
 * the same load, valid; `overrides` change any field.
 */
export function nightOf(
  latest: TrialAggregate,
  p50: number,
  date: string,
  overrides: Partial<HistoryEntry> = {},
): HistoryEntry {
  return {
    date,
    commit: null,
    trialCount: 3,
    configKey: configKey(latest.config),
    valid: true,
    environment: fixtureEnvironment(),
    metrics: { ...latest.metrics, p50 },
    ...overrides,
  };
}
