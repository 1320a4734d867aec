import {
  createHistogram,
  encodeHistogram,
  isTrackableUs,
  recordUs,
  summarizeMs,
  type Histogram,
} from '../measure/histogram.js';

/** What the receiver saw, request by request. Every webhook request lands in exactly one of the
 * outcome counters (delivered, unexpected, duplicates, badSignatures, foreign, malformed,
 * failedAttempts). */
export interface ReceiverCounts {
  /** Every request to the webhook path. */
  totalRequests: number;
  /**
   * Unique (endpoint, tx_hash, log_index) of an accepted run with a valid signature, that the run
   * expected (every one when the receiver is not told what to expect).
   */
  delivered: number;
  /**
   * Like delivered, but a pair the run did not expect: an event sent to an endpoint that does not
   * match it (with that endpoint's valid signature), or an event nobody published.
   */
  unexpected: number;
  /** The same (endpoint, tx_hash, log_index) again, after it was delivered. */
  duplicates: number;
  /** Missing or wrong X-Webhook-Signature, or an X-Webhook-Id the receiver has no secret for. */
  badSignatures: number;
  /** Well-formed events whose tx_hash is not ours, or carries a run id not accepted. */
  foreign: number;
  /** Body not JSON, or not an event object with the documented fields. */
  malformed: number;
  /** Requests answered with an injected failure (the SUT should retry them). */
  failedAttempts: number;
}

export type Outcome = Exclude<keyof ReceiverCounts, 'totalRequests'>;

export function emptyCounts(): ReceiverCounts {
  return {
    totalRequests: 0,
    delivered: 0,
    unexpected: 0,
    duplicates: 0,
    badSignatures: 0,
    foreign: 0,
    malformed: 0,
    failedAttempts: 0,
  };
}

/** Counts and end-to-end latency (µs) of first valid deliveries, for the whole run or one endpoint. */
export class DeliveryStats {
  readonly counts = emptyCounts();
  readonly latency: Histogram = createHistogram();
  /**
   * Latencies below 0 or above the histogram's range, recorded clamped. Either means the
   * intended send time was read on another clock than the receive time (publisher and receiver
   * on two hosts), so the run's latency cannot be trusted.
   */
  latencyOutOfRange = 0;

  recordLatency(latencyUs: number): void {
    if (!isTrackableUs(latencyUs)) this.latencyOutOfRange++;
    recordUs(this.latency, latencyUs);
  }

  reset(): void {
    Object.assign(this.counts, emptyCounts());
    this.latency.reset();
    this.latencyOutOfRange = 0;
  }

  /** A copy that later requests and resets leave alone. */
  copy(): { counts: ReceiverCounts; latency: Histogram; latencyOutOfRange: number } {
    const latency = createHistogram();
    latency.add(this.latency);
    return { counts: { ...this.counts }, latency, latencyOutOfRange: this.latencyOutOfRange };
  }
}

/**
 * Requests per second over the last `windowSec` seconds, in one-second buckets: the seed's
 * `recent_throughput_rps`, kept without allocating per request.
 */
export class ThroughputWindow {
  private readonly seconds: Float64Array;
  private readonly counts: Float64Array;

  constructor(readonly windowSec = 10) {
    this.seconds = new Float64Array(windowSec).fill(-1);
    this.counts = new Float64Array(windowSec);
  }

  add(nowUs: number): void {
    const second = Math.floor(nowUs / 1_000_000);
    const slot = second % this.windowSec;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot]! += 1;
  }

  /** Rate over the window, or over the time since `sinceUs` when that is shorter. */
  ratePerSec(nowUs: number, sinceUs: number): number {
    const second = Math.floor(nowUs / 1_000_000);
    const oldest = second - this.windowSec + 1;
    let total = 0;
    for (let slot = 0; slot < this.windowSec; slot++) {
      const bucket = this.seconds[slot]!;
      if (bucket >= oldest && bucket <= second) total += this.counts[slot]!;
    }
    const spanUs = nowUs - Math.max(sinceUs, oldest * 1_000_000);
    return spanUs > 0 ? total / (spanUs / 1_000_000) : 0;
  }

  reset(): void {
    this.seconds.fill(-1);
    this.counts.fill(0);
  }
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** The seed's latency_ms keys (min, max, avg, median, p95, p99) plus the richer percentiles. */
export function latencyJson(histogram: Histogram) {
  const summary = summarizeMs(histogram);
  return {
    min: summary.min,
    max: summary.max,
    avg: summary.mean,
    median: summary.p50,
    p95: summary.p95,
    p99: summary.p99,
    count: summary.count,
    p50: summary.p50,
    p90: summary.p90,
    p999: summary.p999,
  };
}

/** The outcome counters; total_requests is placed by the caller (first in /metrics, as the seed). */
function outcomesJson(counts: ReceiverCounts) {
  return {
    delivered: counts.delivered,
    unexpected: counts.unexpected,
    duplicates: counts.duplicates,
    bad_signatures: counts.badSignatures,
    foreign: counts.foreign,
    malformed: counts.malformed,
    failed_attempts: counts.failedAttempts,
  };
}

/** Requests the receiver answered with 2xx: deliveries, unexpected, duplicates and foreign entries. */
export function answeredOk(counts: ReceiverCounts): number {
  return counts.delivered + counts.unexpected + counts.duplicates + counts.foreign;
}

export interface MetricsInput {
  nowUs: number;
  startedUs: number;
  recentRps: number;
  overall: DeliveryStats;
  perEndpoint: ReadonlyMap<string, { name: string; stats: DeliveryStats }>;
  firstReceiveUs: number | null;
  lastReceiveUs: number | null;
  signaturesVerified: boolean;
  acceptedRunIds: readonly string[] | null;
  faults: object;
}

/**
 * The GET /metrics body. The seed's keys come first with their meaning kept: `successful` are
 * requests answered 2xx and `failed` the others, so total_requests = successful + failed;
 * `delivered` is the honest figure (unique valid deliveries).
 */
export function metricsJson(input: MetricsInput) {
  const { overall } = input;
  const counts = overall.counts;
  const uptimeSec = Math.max(input.nowUs - input.startedUs, 0) / 1_000_000;
  const successful = answeredOk(counts);
  const perEndpoint: Record<string, object> = {};
  for (const [id, { name, stats }] of input.perEndpoint) {
    perEndpoint[id] = {
      name,
      total_requests: stats.counts.totalRequests,
      ...outcomesJson(stats.counts),
      latency_ms: latencyJson(stats.latency),
      latency_histogram: encodeHistogram(stats.latency),
    };
  }
  const deliverySpanUs =
    input.firstReceiveUs !== null && input.lastReceiveUs !== null
      ? input.lastReceiveUs - input.firstReceiveUs
      : 0;
  return {
    total_requests: counts.totalRequests,
    successful,
    failed: counts.totalRequests - successful,
    uptime_seconds: round2(uptimeSec),
    throughput_rps: uptimeSec > 0 ? round2(counts.totalRequests / uptimeSec) : 0,
    recent_throughput_rps: round2(input.recentRps),
    latency_ms: latencyJson(overall.latency),
    latency_out_of_range: overall.latencyOutOfRange,
    ...outcomesJson(counts),
    delivered_rps: deliverySpanUs > 0 ? round2((counts.delivered - 1) / (deliverySpanUs / 1e6)) : 0,
    first_receive_us: input.firstReceiveUs,
    last_receive_us: input.lastReceiveUs,
    signatures_verified: input.signaturesVerified,
    accepted_run_ids: input.acceptedRunIds,
    faults: input.faults,
    latency_histogram: encodeHistogram(overall.latency),
    per_endpoint: perEndpoint,
  };
}

export type MetricsJson = ReturnType<typeof metricsJson>;
