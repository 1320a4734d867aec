import { z } from 'zod';

/**
 * The one machine-readable outcome of a run, declared once: the schema below is what readers
 * check and every type is inferred from it. Versioned: readers reject versions they do not know.
 * Histograms are HDR, integer microseconds, compressed base64 (see histogram.ts), so results of
 * shards and trials can be merged later by adding counts.
 *
 * To add a field: one line in its object. A field that files written before it lack gets a
 * `.default(...)`, so those files still load (say in a comment what the default means).
 */
export const RUN_RESULT_VERSION = 1;
export const RUN_RESULT_KIND = 'ethhook-load-test/run-result';

const count = z.number().int().nonnegative();

/** A latency in ms as a file holds it: never below 0 (0 only in an empty summary). */
const latencyMs = z.number().nonnegative();

export const latencySummaryMsSchema = z.object({
  count,
  min: latencyMs,
  mean: latencyMs,
  p50: latencyMs,
  p90: latencyMs,
  p95: latencyMs,
  p99: latencyMs,
  p999: latencyMs,
  max: latencyMs,
});
export type LatencySummaryMs = z.infer<typeof latencySummaryMsSchema>;

/**
 * An end-to-end delivery latency summary: with samples, every figure is above 0 (a webhook cannot
 * arrive before it was due; a p50 of 0 would read as "∞x worse"). Publisher figures (XADD
 * latency, schedule lag) can be 0 and keep the plain summary.
 */
export const deliveryLatencyMsSchema = latencySummaryMsSchema.superRefine((summary, context) => {
  if (summary.count === 0) return;
  for (const field of ['min', 'mean', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const) {
    if (summary[field] <= 0) {
      context.addIssue({
        code: 'custom',
        path: [field],
        message: `must be above 0 when count is ${summary.count}, got ${summary[field]}`,
      });
    }
  }
});

/** An HDR histogram, compressed base64 (histogram.ts encodes and decodes it). */
export const encodedHistogramSchema = z.string();

/**
 * How fast this runner is right now, measured in about a second before the warm-up: runners of
 * one CPU model differ in speed (host generation, neighbours), and runners of two models can be
 * alike.
 */
export const speedProbeSchema = z.object({
  /** A fixed CPU-bound loop: the best of several rounds, in ms. */
  cpuMs: z.number().positive(),
  /** Median Redis PING round trip, in microseconds; null when Redis was not probed. */
  redisRoundTripUs: z.number().nonnegative().nullable(),
  /**
   * The same loop on every core at once, in files of earlier versions: read, never written or
   * used. It served a rule the decision model deleted (a busier runner excused a regression) and
   * cost each process 0.8 s of both cores.
   */
  allCoresMs: z.number().positive().nullable().optional(),
});
export type SpeedProbe = z.infer<typeof speedProbeSchema>;

export const environmentFingerprintSchema = z.object({
  cpuModel: z.string(),
  cpuCores: z.number(),
  memoryGiB: z.number(),
  os: z.string(),
  arch: z.string(),
  nodeVersion: z.string(),
  redisVersion: z.string().nullable(),
  postgresVersion: z.string().nullable(),
  /** Absent in files written before the probe existed; null when it could not run. */
  speed: speedProbeSchema.nullable().optional(),
});
export type EnvironmentFingerprint = z.infer<typeof environmentFingerprintSchema>;

/**
 * Failures the receiver injected on purpose (`--fail-rate`, `--fail-status`, `--delay-ms`): they
 * change the figures, so a run with them is neither a baseline nor comparable with one without.
 */
export const injectedFaultsSchema = z.object({
  /** Fraction of webhook requests, 0 to 1, answered with `failureStatus`. */
  failureRate: z.number().min(0).max(1),
  failureStatus: z.number().int(),
  /** Every reply to a webhook request waited this long. */
  delayMs: z.number().nonnegative(),
  /**
   * The receiver took no webhook for this long in each measured trial (`--stall-ms`), from
   * `stallAtSec` after its first scheduled send. Absent: no stall (also in older files).
   */
  stallMs: z.number().nonnegative().optional(),
  stallAtSec: z.number().nonnegative().optional(),
});
export type InjectedFaults = z.infer<typeof injectedFaultsSchema>;

export const NO_FAULTS: Readonly<InjectedFaults> = {
  failureRate: 0,
  failureStatus: 503,
  delayMs: 0,
};

/** Whether the receiver failed or slowed any reply on purpose (the status alone changes nothing). */
export const faultsInjected = (faults: InjectedFaults): boolean =>
  faults.failureRate > 0 || faults.delayMs > 0 || (faults.stallMs ?? 0) > 0;

/** e.g. "10% of webhooks answered 503, every reply delayed 50 ms"; "none" for a clean run. */
export function describeFaults(faults: InjectedFaults): string {
  const parts: string[] = [];
  if (faults.failureRate > 0) {
    parts.push(
      `${Number((faults.failureRate * 100).toFixed(2))}% of webhooks answered ${faults.failureStatus}`,
    );
  }
  if (faults.delayMs > 0) parts.push(`every reply delayed ${faults.delayMs} ms`);
  if ((faults.stallMs ?? 0) > 0) {
    parts.push(`no webhook taken for ${faults.stallMs} ms from second ${faults.stallAtSec ?? 0}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export const runConfigSnapshotSchema = z.object({
  scenario: z.string(),
  /** Number of events to publish; null when the run is bounded by duration. */
  events: z.number().nullable(),
  /** Target publish rate, events/s; 0 = as fast as possible. */
  ratePerSec: z.number(),
  concurrency: z.number(),
  durationSec: z.number().nullable(),
  chainId: z.number(),
  seed: z.number(),
  mix: z.record(z.string(), z.number()),
  warmupEvents: z.number(),
  drainTimeoutMs: z.number(),
  /** Files written before faults were recorded did not say; runs of the action never had any. */
  faults: injectedFaultsSchema.default(NO_FAULTS),
});
export type RunConfigSnapshot = z.infer<typeof runConfigSnapshotSchema>;

export const publisherFiguresSchema = z.object({
  published: count,
  errors: count,
  targetRatePerSec: z.number(),
  /**
   * The load offered: events sent per second, over the time from the start to the last send
   * (files of earlier versions: to the last acknowledgement).
   */
  achievedRatePerSec: z.number(),
  /** achieved >= 99% of target (always true for rate 0). */
  rateMet: z.boolean(),
  /** From the start to the last acknowledgement. */
  elapsedMs: z.number(),
  /** XADD acknowledged - intended send time. */
  xaddLatencyMs: latencySummaryMsSchema,
  xaddHistogram: encodedHistogramSchema,
  /** How late the publisher dispatched events relative to their slots. */
  scheduleLagMs: latencySummaryMsSchema,
});
export type PublisherFigures = z.infer<typeof publisherFiguresSchema>;

export const deliveryCountsSchema = z.object({
  /** Expected (endpoint, event) pairs: every published event times the endpoints that match it. */
  expected: count,
  /** Expected pairs received with a valid signature (unique; at most `expected`). */
  delivered: count,
  /** Expected pairs never received, other than those in rejectedOnPurpose. */
  lost: count,
  /**
   * Validly signed deliveries of this run that match no expected pair: an event sent to an
   * endpoint that does not match it, or an event nobody published. A correctness failure like
   * loss. Files written before it was counted lack it (such deliveries were in `delivered`).
   */
  unexpected: count.default(0),
  /**
   * Expected pairs not delivered because the receiver turned them away on purpose (injected
   * failure with a status EthHook never retries, e.g. 400): fault injection, not the SUT's loss.
   */
  rejectedOnPurpose: count.default(0),
  duplicates: count,
  badSignatures: count,
  /** Entries of another run id (never counted as latency). */
  foreign: count,
  malformed: count,
  /** Requests the receiver answered with an injected failure (the SUT must retry them). */
  failedAttempts: count,
  totalRequests: count,
});
export type DeliveryCounts = z.infer<typeof deliveryCountsSchema>;

export const drainEndedSchema = z.enum(['complete', 'idle-timeout', 'deadline']);

export const deliveryFiguresSchema = deliveryCountsSchema.extend({
  /** delivered / expected (1 when nothing was expected): never above 1. */
  successRate: z.number(),
  /** Unique deliveries per second, from the first intended send to the last delivery. */
  throughputPerSec: z.number(),
  /**
   * End-to-end latency of every expected pair: receive time - intended send time, and for each
   * lost one end of drain - intended send time, so a run cannot look fast by losing its slow
   * events. This is what is gated and merged. (Files written before loss was charged here hold
   * delivered events only; the same figures whenever nothing was lost.)
   */
  latencyMs: deliveryLatencyMsSchema,
  latencyHistogram: encodedHistogramSchema,
  /** Latency of the delivered pairs alone. Absent in files written before latencyMs held loss. */
  deliveredLatencyMs: latencySummaryMsSchema.optional(),
  /**
   * Latency samples below 0 or above the histogram's maximum (recorded clamped): the intended
   * send time came from another clock (publisher and receiver on two hosts). The run is invalid.
   */
  latencyOutOfRange: count.default(0),
  drainMs: z.number(),
  /** Why the drain ended. */
  drainEnded: drainEndedSchema,
});
export type DeliveryFigures = z.infer<typeof deliveryFiguresSchema>;

export const endpointFiguresSchema = deliveryCountsSchema.extend({
  endpointId: z.string(),
  name: z.string(),
  latencyMs: deliveryLatencyMsSchema,
  latencyHistogram: encodedHistogramSchema,
});
export type EndpointFigures = z.infer<typeof endpointFiguresSchema>;

/** At most this many points per timeline; longer runs merge adjacent seconds (see timeline.ts). */
export const TIMELINE_MAX_POINTS = 600;

/**
 * What happened second by second during one measured trial, as one array per series (point i
 * covers seconds [i × bucketSec, (i + 1) × bucketSec) after the first scheduled send; the warm-up
 * is never in it). Rates are per second, rounded to 0.1; latencies in ms, of the deliveries that
 * arrived in that second (lost ones have no arrival time and are not in it); null where nothing
 * arrived. See src/engine/measure/timeline.ts for how it is recorded and merged.
 */
export const timelineSchema = z.object({
  /**
   * Seconds per point: 1, or wider when the trial was longer than TIMELINE_MAX_POINTS seconds
   * and adjacent seconds were merged (then p99/max are the worst second's, p50 the median second's).
   */
  bucketSec: z.number().int().positive(),
  /** When publishing ended (last XADD acknowledged), seconds after the first scheduled send. */
  publishEndSec: z.number().nonnegative(),
  /** Events Redis acknowledged (XADD), per second. */
  publishedPerSec: z.array(z.number()),
  /** Unique expected (endpoint, event) pairs delivered, per second. */
  deliveredPerSec: z.array(z.number()),
  p50Ms: z.array(z.number().nullable()),
  p99Ms: z.array(z.number().nullable()),
  maxMs: z.array(z.number().nullable()),
  /**
   * At the end of the point: webhooks owed for the events published so far (their matching
   * endpoints) minus webhooks delivered so far. Grows while the SUT falls behind.
   */
  backlog: z.array(z.number()),
});
export type Timeline = z.infer<typeof timelineSchema>;

export const toolSchema = z.object({ name: z.string(), version: z.string() });

/** A run is invalid when its measurements cannot be trusted (rate not met, large lag, ...). */
export const validitySchema = z.object({ valid: z.boolean(), reasons: z.array(z.string()) });
export type Validity = z.infer<typeof validitySchema>;

export const absoluteCheckSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  detail: z.string(),
});
export type AbsoluteCheck = z.infer<typeof absoluteCheckSchema>;

/**
 * CPU time the harness (publisher and receiver: one process, one JS thread, not split) took during
 * the trial, from the publisher's start to the end of the drain (src/engine/measure/cpu.ts).
 */
export const harnessCpuSchema = z.object({
  /** User plus system CPU time. */
  cpuMs: z.number().nonnegative(),
  /** The time it was taken over. */
  wallMs: z.number().nonnegative(),
  /** The runner's cores (os.availableParallelism). */
  cores: z.number().int().positive(),
  /** cpuMs per 1,000 published events; null when none was published. */
  cpuMsPerThousandEvents: z.number().nonnegative().nullable(),
  /** cpuMs / (wallMs x cores): 0.25 on 2 cores = half a core busy. */
  shareOfCores: z.number().min(0).max(1),
});
export type HarnessCpu = z.infer<typeof harnessCpuSchema>;

/** What the machine itself did during a trial (src/engine/measure/steal.ts). */
export const runnerFiguresSchema = z.object({
  /** Share (0-1) of all CPU time the hypervisor gave to other guests: steal. */
  stolenCpuShare: z.number().min(0).max(1),
  /** The harness's own share of it; absent in files written before it was measured. */
  harnessCpu: harnessCpuSchema.optional(),
});
export type RunnerFigures = z.infer<typeof runnerFiguresSchema>;

export const runResultSchema = z.object({
  kind: z.literal(RUN_RESULT_KIND),
  version: z.literal(RUN_RESULT_VERSION),
  tool: toolSchema,
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  config: runConfigSnapshotSchema,
  environment: environmentFingerprintSchema,
  publisher: publisherFiguresSchema,
  delivery: deliveryFiguresSchema,
  endpoints: z.array(endpointFiguresSchema),
  validity: validitySchema,
  /** The original tool's absolute verdicts (average latency, throughput class). */
  checks: z.array(absoluteCheckSchema),
  /** Second by second; absent in files written before timelines were recorded. */
  timeline: timelineSchema.optional(),
  /** The machine during the trial; absent where it was not measured (not Linux, older files). */
  runner: runnerFiguresSchema.optional(),
});
export type RunResult = z.infer<typeof runResultSchema>;
