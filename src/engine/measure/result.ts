import type { LatencySummaryMs } from './histogram.js';

/**
 * The one machine-readable outcome of a run. Versioned: readers reject versions they do not know.
 * Histograms are HDR, integer microseconds, compressed base64 (see histogram.ts), so results of
 * shards and trials can be merged later by adding counts.
 */
export const RUN_RESULT_VERSION = 1;
export const RUN_RESULT_KIND = 'ethhook-load-test/run-result';

export interface EnvironmentFingerprint {
  cpuModel: string;
  cpuCores: number;
  memoryGiB: number;
  os: string;
  arch: string;
  nodeVersion: string;
  redisVersion: string | null;
  postgresVersion: string | null;
}

export interface RunConfigSnapshot {
  scenario: string;
  /** Number of events to publish; null when the run is bounded by duration. */
  events: number | null;
  /** Target publish rate, events/s; 0 = as fast as possible. */
  ratePerSec: number;
  concurrency: number;
  durationSec: number | null;
  chainId: number;
  seed: number;
  mix: Record<string, number>;
  warmupEvents: number;
  drainTimeoutMs: number;
}

export interface PublisherFigures {
  published: number;
  errors: number;
  targetRatePerSec: number;
  achievedRatePerSec: number;
  /** achieved >= 99% of target (always true for rate 0). */
  rateMet: boolean;
  elapsedMs: number;
  /** XADD acknowledged - intended send time. */
  xaddLatencyMs: LatencySummaryMs;
  xaddHistogram: string;
  /** How late the publisher dispatched events relative to their slots. */
  scheduleLagMs: LatencySummaryMs;
}

export interface DeliveryCounts {
  /** Sum over published events of the endpoints that match them. */
  expected: number;
  /** Unique (endpoint, tx_hash, log_index) received with a valid signature. */
  delivered: number;
  lost: number;
  duplicates: number;
  badSignatures: number;
  /** Entries of another run id (never counted as latency). */
  foreign: number;
  malformed: number;
  /** Requests the receiver answered with an injected failure (the SUT must retry them). */
  failedAttempts: number;
  totalRequests: number;
}

export interface DeliveryFigures extends DeliveryCounts {
  /** delivered / expected (1 when nothing was expected). */
  successRate: number;
  /** Unique deliveries per second, from the first intended send to the last delivery. */
  throughputPerSec: number;
  /** End-to-end latency of delivered events: receive time - intended send time. */
  latencyMs: LatencySummaryMs;
  latencyHistogram: string;
  /** Latency with every lost delivery recorded as (end of drain - intended send time). */
  latencyWithLossMs: LatencySummaryMs;
  drainMs: number;
  /** Why the drain ended. */
  drainEnded: 'complete' | 'idle-timeout' | 'deadline';
}

export interface EndpointFigures extends DeliveryCounts {
  endpointId: string;
  name: string;
  latencyMs: LatencySummaryMs;
  latencyHistogram: string;
}

export interface AbsoluteCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface RunResult {
  kind: typeof RUN_RESULT_KIND;
  version: typeof RUN_RESULT_VERSION;
  tool: { name: string; version: string };
  runId: string;
  startedAt: string;
  finishedAt: string;
  config: RunConfigSnapshot;
  environment: EnvironmentFingerprint;
  publisher: PublisherFigures;
  delivery: DeliveryFigures;
  endpoints: EndpointFigures[];
  /** A run is invalid when its measurements cannot be trusted (rate not met, large lag, ...). */
  validity: { valid: boolean; reasons: string[] };
  /** The original tool's absolute verdicts (average latency, throughput class). */
  checks: AbsoluteCheck[];
}
