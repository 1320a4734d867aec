import {
  createHistogram,
  encodeHistogram,
  recordUs,
  summarizeMs,
  type Histogram,
} from '../measure/histogram.js';
import {
  RUN_RESULT_KIND,
  RUN_RESULT_VERSION,
  type AbsoluteCheck,
  type DeliveryFigures,
  type EndpointFigures,
  type EnvironmentFingerprint,
  type HarnessCpu,
  type InjectedFaults,
  type PublisherFigures,
  type RunConfigSnapshot,
  type RunResult,
} from '../measure/result.js';
import { formatShare, MAX_STOLEN_CPU_SHARE } from '../measure/steal.js';
import { buildTimeline } from '../measure/timeline.js';
import type { ReceiverSnapshot } from '../receiver/receiver.js';
import { plannedEvents } from '../publisher/scheduler.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ExpectedPairs } from './expected.js';
import type { RunOptions } from './types.js';

/** A run whose schedule lag p99 exceeds this did not publish what it claims: the result is invalid. */
export const MAX_SCHEDULE_LAG_P99_MS = 100;

/** What the receiver holds about one run, as the result builder asks for it. */
export interface ReceivedDeliveries {
  snapshot: ReceiverSnapshot;
  /** Whether the endpoint received event `sequence` with a valid signature. */
  delivered(endpointId: string, sequence: number): boolean;
  /** Whether the receiver turned the endpoint's delivery of `sequence` away on purpose, for good. */
  rejected(endpointId: string, sequence: number): boolean;
}

/** Everything one publish-and-drain measured; the result is a pure function of it. */
export interface Measurement {
  runId: string;
  startedAt: string;
  finishedAt: string;
  shape: { events: number | null; durationSec: number | null };
  publisher: PublisherFigures;
  /** Monotonic µs of the schedule's slot 0. */
  t0Us: number;
  /** Events acknowledged in each second after t0Us (absent: no timeline is built). */
  publishedPerSecond?: readonly number[];
  intendedSendUs(sequence: number): number;
  /** Settled: what reached the stream. */
  expected: ExpectedPairs;
  received: ReceivedDeliveries;
  /** Monotonic µs when the drain ended: lost deliveries are charged up to here. */
  endUs: number;
  drainMs: number;
  drainEnded: DeliveryFigures['drainEnded'];
  /** Share of the machine's CPU time stolen by the hypervisor meanwhile; null: not measured. */
  stolenCpuShare?: number | null;
  /** The harness's own CPU time meanwhile (measure/cpu.ts); null: not measured. */
  harnessCpu?: HarnessCpu | null;
}

export type ResultContext = Pick<
  RunOptions,
  | 'scenario'
  | 'ratePerSec'
  | 'concurrency'
  | 'chainId'
  | 'seed'
  | 'mix'
  | 'warmupEvents'
  | 'drainTimeoutMs'
  | 'thresholds'
> & { environment: EnvironmentFingerprint; faults: InjectedFaults };

interface PairTally {
  expected: number;
  delivered: number;
  lost: number;
  rejectedOnPurpose: number;
  /** Delivered latencies plus every lost pair charged as end of drain - intended send time. */
  latency: Histogram;
}

/** The config a result records: the load's shape and what the receiver injected. */
export function runConfigSnapshot(
  context: Omit<ResultContext, 'environment' | 'thresholds'>,
  shape: { events: number | null; durationSec: number | null },
): RunConfigSnapshot {
  return {
    scenario: context.scenario,
    events: shape.events,
    ratePerSec: context.ratePerSec,
    concurrency: context.concurrency,
    durationSec: shape.durationSec,
    chainId: context.chainId,
    seed: context.seed,
    mix: { ...context.mix },
    warmupEvents: context.warmupEvents,
    drainTimeoutMs: context.drainTimeoutMs,
    faults: { ...context.faults },
  };
}

/**
 * The RunResult of one measurement, counted per expected (endpoint, event) pair: delivered when
 * the endpoint received it validly signed, rejected on purpose when the receiver turned it away
 * for good, else lost and charged to the latency as (end of drain - intended send time). Valid
 * deliveries that match no expected pair are unexpected. Pure: no clock, no I/O.
 */
export function buildRunResult(measurement: Measurement, context: ResultContext): RunResult {
  const { expected, received, endUs } = measurement;
  const { snapshot } = received;
  const endpoints = expected.endpoints;

  const tallies: PairTally[] = endpoints.map((endpoint) => {
    const latency = createHistogram();
    const seen = snapshot.perEndpoint.get(endpoint.id);
    if (seen) latency.add(seen.latency);
    return { expected: 0, delivered: 0, lost: 0, rejectedOnPurpose: 0, latency };
  });
  const overallLatency = createHistogram();
  overallLatency.add(snapshot.latency);
  expected.forEach((endpointIndex, sequence) => {
    const tally = tallies[endpointIndex]!;
    const endpointId = endpoints[endpointIndex]!.id;
    tally.expected++;
    if (received.delivered(endpointId, sequence)) {
      tally.delivered++;
    } else if (received.rejected(endpointId, sequence)) {
      tally.rejectedOnPurpose++;
    } else {
      tally.lost++;
      const lostLatencyUs = endUs - measurement.intendedSendUs(sequence);
      recordUs(tally.latency, lostLatencyUs);
      recordUs(overallLatency, lostLatencyUs);
    }
  });

  const sum = (pick: (tally: PairTally) => number): number =>
    tallies.reduce((total, tally) => total + pick(tally), 0);
  const delivered = sum((tally) => tally.delivered);
  const counts = snapshot.counts;
  const lastReceiveUs = snapshot.lastReceiveUs ?? endUs;
  const deliverySpanSec = Math.max((lastReceiveUs - measurement.t0Us) / 1e6, 1e-6);
  const delivery: DeliveryFigures = {
    expected: expected.count,
    delivered,
    lost: sum((tally) => tally.lost),
    // Every validly signed first delivery that is not an expected pair (the receiver's own split
    // is only provisional while publishing).
    unexpected: Math.max(counts.delivered + counts.unexpected - delivered, 0),
    rejectedOnPurpose: sum((tally) => tally.rejectedOnPurpose),
    duplicates: counts.duplicates,
    badSignatures: counts.badSignatures,
    foreign: counts.foreign,
    malformed: counts.malformed,
    failedAttempts: counts.failedAttempts,
    totalRequests: counts.totalRequests,
    successRate: expected.count === 0 ? 1 : delivered / expected.count,
    throughputPerSec: delivered / deliverySpanSec,
    latencyMs: summarizeMs(overallLatency),
    latencyHistogram: encodeHistogram(overallLatency),
    deliveredLatencyMs: summarizeMs(snapshot.latency),
    latencyOutOfRange: snapshot.latencyOutOfRange,
    drainMs: measurement.drainMs,
    drainEnded: measurement.drainEnded,
  };

  const endpointFigures: EndpointFigures[] = endpoints.map((endpoint, index) => {
    const tally = tallies[index]!;
    const seen = snapshot.perEndpoint.get(endpoint.id);
    const validFirst = (seen?.counts.delivered ?? 0) + (seen?.counts.unexpected ?? 0);
    return {
      endpointId: endpoint.id,
      name: endpoint.name,
      expected: tally.expected,
      delivered: tally.delivered,
      lost: tally.lost,
      unexpected: Math.max(validFirst - tally.delivered, 0),
      rejectedOnPurpose: tally.rejectedOnPurpose,
      duplicates: seen?.counts.duplicates ?? 0,
      badSignatures: seen?.counts.badSignatures ?? 0,
      foreign: seen?.counts.foreign ?? 0,
      malformed: seen?.counts.malformed ?? 0,
      failedAttempts: seen?.counts.failedAttempts ?? 0,
      totalRequests: seen?.counts.totalRequests ?? 0,
      latencyMs: summarizeMs(tally.latency),
      latencyHistogram: encodeHistogram(tally.latency),
    };
  });

  return {
    kind: RUN_RESULT_KIND,
    version: RUN_RESULT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    runId: measurement.runId,
    startedAt: measurement.startedAt,
    finishedAt: measurement.finishedAt,
    config: runConfigSnapshot(context, measurement.shape),
    environment: context.environment,
    publisher: measurement.publisher,
    delivery,
    endpoints: endpointFigures,
    validity: validity(
      measurement.publisher,
      context,
      delivery.latencyOutOfRange,
      measurement.stolenCpuShare ?? null,
      plannedEvents(measurement.shape.events, measurement.shape.durationSec, context.ratePerSec),
    ),
    ...(measurement.stolenCpuShare != null
      ? {
          runner: {
            stolenCpuShare: measurement.stolenCpuShare,
            ...(measurement.harnessCpu ? { harnessCpu: measurement.harnessCpu } : {}),
          },
        }
      : {}),
    checks: absoluteChecks(delivery, {
      thresholds: context.thresholds,
      ratePerSec: context.ratePerSec,
      published: measurement.publisher.published,
    }),
    ...(snapshot.seconds && measurement.publishedPerSecond
      ? {
          timeline: buildTimeline({
            durationUs: endUs - measurement.t0Us,
            publishEndUs: measurement.publisher.elapsedMs * 1000,
            publishedPerSecond: measurement.publishedPerSecond,
            deliveries: snapshot.seconds,
            pairsOfFirst: (events) => expected.pairsOfFirst(events),
          }),
        }
      : {}),
  };
}

export function validity(
  publisher: PublisherFigures,
  options: Pick<RunOptions, 'ratePerSec'>,
  latencyOutOfRange = 0,
  stolenCpuShare: number | null = null,
  askedEvents = Infinity,
): RunResult['validity'] {
  const reasons: string[] = [];
  // A trial that stopped early (Redis went away, a signal) measured a shorter load than asked:
  // its rate and its errors can both look clean, so the count itself is checked.
  if (Number.isFinite(askedEvents) && publisher.published + publisher.errors < askedEvents) {
    reasons.push(
      `published ${publisher.published} of the ${askedEvents} events asked: the trial stopped early`,
    );
  }
  if (!publisher.rateMet) {
    reasons.push(
      `publish rate not met: achieved ${publisher.achievedRatePerSec.toFixed(1)}/s of the ${options.ratePerSec}/s target (below 99%)`,
    );
  }
  if (publisher.scheduleLagMs.p99 > MAX_SCHEDULE_LAG_P99_MS) {
    reasons.push(
      `publisher fell behind its schedule: lag p99 ${publisher.scheduleLagMs.p99} ms (limit ${MAX_SCHEDULE_LAG_P99_MS} ms); the load generator, not the SUT, was the bottleneck`,
    );
  }
  if (publisher.errors > 0) {
    reasons.push(`${publisher.errors} XADD errors: those events never reached the stream`);
  }
  if (stolenCpuShare !== null && stolenCpuShare > MAX_STOLEN_CPU_SHARE) {
    reasons.push(
      `the hypervisor gave ${formatShare(stolenCpuShare)} of this runner's CPU time to other guests during the trial (steal; limit ${formatShare(MAX_STOLEN_CPU_SHARE)}): the host's other tenants, not the SUT, set the numbers`,
    );
  }
  if (latencyOutOfRange > 0) {
    reasons.push(
      `${latencyOutOfRange} latency samples out of range (below 0 or above 1 hour): the intended send times were not read on the receiver's clock; publisher and receiver must run on one host`,
    );
  }
  return { valid: reasons.length === 0, reasons };
}

/**
 * Whether the machine, not the SUT, made this trial invalid, so that measuring it again may give
 * a valid one: more CPU time stolen than the limit (steal: true), or a load generator that fell
 * behind or could not write. A latency sample out of range is a setup fault and would repeat.
 * A SUT that starves the runner's CPU would make every trial fail alike: after the trials
 * measured again it stays invalid, inconclusive, not a pass.
 */
export function disturbance(result: RunResult): { steal: boolean } | null {
  const steal = (result.runner?.stolenCpuShare ?? 0) > MAX_STOLEN_CPU_SHARE;
  const { publisher } = result;
  const loadGenerator =
    !publisher.rateMet ||
    publisher.scheduleLagMs.p99 > MAX_SCHEDULE_LAG_P99_MS ||
    publisher.errors > 0;
  return steal || loadGenerator ? { steal } : null;
}

/**
 * A paced run that delivered within 1% of what its pace allows kept up: the publisher's own
 * "rate met" margin (scheduler.ts). Such a run is graded at its pace, so 499.6/s at a paced
 * 500/s is not "below 500/s" by the rounding of a clock.
 */
const PACE_KEPT_SHARE = 0.99;

const rate = (perSec: number): string => `${perSec.toFixed(1)}/s`;

/**
 * The original tool's verdicts, kept as absolute checks beside the baseline comparison: fixed
 * limits (average latency under 500 ms; throughput graded good from 500/s), not the verdict.
 * A paced run cannot deliver faster than its pace: it is graded at the pace when it kept up,
 * and not graded when the pace itself sits below the "good" mark.
 */
export function absoluteChecks(
  delivery: Pick<DeliveryFigures, 'delivered' | 'expected' | 'throughputPerSec' | 'latencyMs'>,
  options: Pick<RunOptions, 'thresholds'> & { ratePerSec?: number; published?: number },
): AbsoluteCheck[] {
  const { maxAvgLatencyMs, excellentThroughputPerSec, goodThroughputPerSec } = options.thresholds;
  const avg = delivery.latencyMs.mean;
  const throughput = delivery.throughputPerSec;
  const marks = `good from ${goodThroughputPerSec}/s, excellent above ${excellentThroughputPerSec}/s`;
  // Deliveries per second the pace allows: events/s times deliveries per event.
  const pace =
    (options.ratePerSec ?? 0) > 0 && (options.published ?? 0) > 0 && delivery.expected > 0
      ? (options.ratePerSec as number) * (delivery.expected / (options.published as number))
      : null;
  const keptPace = pace !== null && throughput >= PACE_KEPT_SHARE * pace;
  const graded = keptPace ? Math.max(throughput, pace) : throughput;
  const grade =
    graded > excellentThroughputPerSec
      ? 'excellent'
      : graded >= goodThroughputPerSec
        ? 'good'
        : 'needs improvement';
  const latencyOk = delivery.delivered > 0 && avg < maxAvgLatencyMs;
  let throughputCheck: AbsoluteCheck;
  if (keptPace && pace < goodThroughputPerSec) {
    throughputCheck = {
      name: 'throughput',
      passed: true,
      detail: `${rate(throughput)}, kept up with its pace of ${rate(pace)}: not graded, the pace is below the marks (${marks}); run unpaced (rate 0) to grade it`,
    };
  } else {
    throughputCheck = {
      name: 'throughput',
      passed: grade !== 'needs improvement',
      detail: `${rate(throughput)}${keptPace ? `, kept up with its pace of ${rate(pace)}` : pace !== null ? `, below its pace of ${rate(pace)}` : ''}: ${grade} (${marks})`,
    };
  }
  return [
    {
      name: 'average latency',
      passed: latencyOk,
      detail: `${avg.toFixed(1)} ms: ${latencyOk ? 'under' : 'not under'} the ${maxAvgLatencyMs} ms limit`,
    },
    throughputCheck,
  ];
}
