import pg from 'pg';
import { monotonicClock, sleepMs } from '../clock.js';
import { streamKey } from '../../stack/contracts.js';
import { EventGenerator, fieldsToObject } from '../events/generator.js';
import { newRunId } from '../events/identity.js';
import { environmentFingerprint } from '../measure/fingerprint.js';
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
  NO_FAULTS,
  type AbsoluteCheck,
  type DeliveryFigures,
  type EndpointFigures,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type PublisherFigures,
  type RunResult,
} from '../measure/result.js';
import { publish } from '../publisher/publisher.js';
import { Receiver } from '../receiver/receiver.js';
import { maskUrl } from '../../shared/redact.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { matchingEndpoints } from '../../stack/matching.js';
import { seedEndpoints, type SeededEndpoint } from '../../stack/seeder.js';
import {
  consumerGroupReady,
  httpHealthy,
  postgresReady,
  redisReady,
  withRedis,
} from './readiness.js';
import type { RunOptions } from './types.js';

/** Moments the caller can act at; the CLI starts the SUT after seeding (its endpoints exist then). */
export interface RunHooks {
  afterSeed?(): Promise<void>;
  /**
   * After the measured trials, while the SUT and the receiver are still up: the caller may
   * measure more trials in the same session (a regression is confirmed by one more trial).
   */
  afterTrials?(results: readonly RunResult[], measureMore: () => Promise<RunResult>): Promise<void>;
}

/** A run whose schedule lag p99 exceeds this did not publish what it claims: the result is invalid. */
export const MAX_SCHEDULE_LAG_P99_MS = 100;

const DRAIN_POLL_MS = 25;

/**
 * Readiness -> receiver -> seed -> (hook) -> SUT readiness -> unmeasured warm-up -> `trials`
 * measured runs. Returns one RunResult per measured trial. The receiver is always closed.
 */
export async function runTrials(
  options: RunOptions & { trials: number },
  hooks: RunHooks = {},
): Promise<RunResult[]> {
  const { logger, signal } = options;
  const stream = streamKey(options.chainId);

  await logger.group('Waiting for Redis and PostgreSQL', async () => {
    await Promise.all([
      redisReady(options.redisUrl, options.readyTimeoutMs, signal),
      postgresReady(options.databaseUrl, options.readyTimeoutMs, signal),
    ]);
    logger.info(
      `Redis ${maskUrl(options.redisUrl)} and PostgreSQL ${maskUrl(options.databaseUrl)} answer`,
    );
  });

  const receiver = new Receiver({
    host: options.receiver.host,
    port: options.receiver.port,
    path: options.receiver.path,
    acceptRunIds: [],
    faults: receiverFaults(options),
  });
  try {
    await receiver.start();
    const port = new URL(receiver.url).port;
    const webhookUrl = (options.receiver.publicUrl ?? receiver.url).replaceAll('{port}', port);
    logger.info(`Receiver listening on ${receiver.url}; the SUT is told to call ${webhookUrl}`);

    const endpoints = await logger.group('Seeding webhook endpoints', async () => {
      const db = new pg.Client({ connectionString: options.databaseUrl });
      await db.connect();
      try {
        const seeded = await seedEndpoints(db, {
          webhookUrl,
          chainId: options.chainId,
          applySchema: options.applySchema,
        });
        logger.info(`Seeded ${seeded.length} endpoints: ${seeded.map((e) => e.name).join(', ')}`);
        return seeded;
      } finally {
        await db.end();
      }
    });
    receiver.setEndpoints(endpoints.map((e) => ({ id: e.id, name: e.name, secret: e.secret })));

    await hooks.afterSeed?.();

    await logger.group('Waiting for the SUT', async () => {
      await Promise.all([
        consumerGroupReady(options.redisUrl, stream, options.readyTimeoutMs, signal),
        ...options.sutHealthUrls.map((url) => httpHealthy(url, options.readyTimeoutMs, signal)),
      ]);
      failIfSutDied(options);
      logger.info(
        `Consumer group is on ${stream}${options.sutHealthUrls.length ? '; health URLs answer' : ''}`,
      );
    });

    const environment = await fingerprint(options);

    if (options.warmupEvents > 0) {
      await logger.group(`Warm-up: ${options.warmupEvents} events (not measured)`, async () => {
        const warmup = await measureOnce(options, receiver, endpoints, environment, {
          events: options.warmupEvents,
          durationSec: null,
        });
        logger.info(
          `Warm-up delivered ${warmup.delivery.delivered} of ${warmup.delivery.expected}`,
        );
      });
    }

    const results: RunResult[] = [];
    for (let trial = 1; trial <= options.trials; trial++) {
      const title = options.trials > 1 ? `Trial ${trial} of ${options.trials}` : 'Measured run';
      results.push(
        await logger.group(title, () => measureOnce(options, receiver, endpoints, environment)),
      );
    }
    await hooks.afterTrials?.(results, () =>
      logger.group('Confirming trial', () =>
        measureOnce(options, receiver, endpoints, environment),
      ),
    );
    return results;
  } finally {
    await receiver.close();
  }
}

export async function runLoadTest(options: RunOptions, hooks: RunHooks = {}): Promise<RunResult> {
  const [result] = await runTrials({ ...options, trials: 1 }, hooks);
  return result!;
}

function failIfSutDied(options: RunOptions): void {
  const died = options.sutWatch?.exitedError();
  if (died) throw died;
}

/** The receiver's injected faults, recorded in the result's config. */
function receiverFaults(options: RunOptions): InjectedFaults {
  return {
    failureRate: options.receiver.failureRate ?? NO_FAULTS.failureRate,
    failureStatus: options.receiver.failureStatus ?? NO_FAULTS.failureStatus,
    delayMs: options.receiver.delayMs ?? NO_FAULTS.delayMs,
  };
}

async function fingerprint(options: RunOptions): Promise<EnvironmentFingerprint> {
  return environmentFingerprint({
    redisVersion: () =>
      withRedis(
        options.redisUrl,
        async (redis) => /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? null,
      ),
    postgresVersion: async () => {
      const db = new pg.Client({ connectionString: options.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ server_version: string }>('SHOW server_version');
        return rows[0]?.server_version.split(' ')[0] ?? null;
      } finally {
        await db.end();
      }
    },
    withRedisPing: (work) => withRedis(options.redisUrl, (redis) => work(() => redis.ping())),
  });
}

interface ExpectedDelivery {
  endpointIndex: number;
  sequence: number;
}

/** One publish + drain with its own run id; everything the receiver saw before is cleared. */
async function measureOnce(
  options: RunOptions,
  receiver: Receiver,
  endpoints: SeededEndpoint[],
  environment: EnvironmentFingerprint,
  shape: { events: number | null; durationSec: number | null } = options,
): Promise<RunResult> {
  const { logger } = options;
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  receiver.reset();
  receiver.acceptRun(runId);
  const generator = new EventGenerator({
    chainId: options.chainId,
    runId,
    seed: options.seed,
    mix: options.mix,
  });

  const outcome = await publish({
    redisUrl: options.redisUrl,
    streamKey: streamKey(options.chainId),
    generator,
    events: shape.events,
    durationSec: shape.durationSec,
    ratePerSec: options.ratePerSec,
    concurrency: options.concurrency,
    progress: options.progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  failIfSutDied(options);
  const publishedAtUs = monotonicClock.nowUs();

  const expected = expectedDeliveries(
    generator,
    endpoints,
    outcome.attempted,
    new Set(outcome.failedSequences),
  );
  logger.info(
    `Published ${outcome.figures.published} events (${outcome.figures.achievedRatePerSec.toFixed(0)}/s); ` +
      `expecting ${expected.length} webhooks`,
  );

  const drainStartUs = monotonicClock.nowUs();
  let drainEnded: DeliveryFigures['drainEnded'] = 'complete';
  for (;;) {
    if (receiver.uniqueDelivered >= expected.length) break;
    const lastActivityUs = Math.max(receiver.lastDeliveryUs ?? 0, publishedAtUs);
    if (monotonicClock.nowUs() - lastActivityUs > options.drainTimeoutMs * 1000) {
      drainEnded = 'idle-timeout';
      break;
    }
    if (options.signal?.aborted) {
      drainEnded = 'deadline';
      break;
    }
    failIfSutDied(options);
    await sleepMs(DRAIN_POLL_MS);
  }
  const endUs = monotonicClock.nowUs();
  const snapshot = receiver.snapshot();

  // Loss: expected (endpoint, event) pairs that never arrived, also charged to the tail as
  // (end of drain - intended send time), so a run cannot look fast by losing its slow events.
  const lostPerEndpoint = new Map<string, Histogram>();
  const expectedPerEndpoint = new Map<string, number>();
  const withLoss = createHistogram();
  withLoss.add(snapshot.latency);
  for (const { endpointIndex, sequence } of expected) {
    const endpoint = endpoints[endpointIndex]!;
    expectedPerEndpoint.set(endpoint.id, (expectedPerEndpoint.get(endpoint.id) ?? 0) + 1);
    if (receiver.hasDeliveredSequence(endpoint.id, runId, sequence)) continue;
    const lostLatencyUs = endUs - outcome.intendedSendUs(sequence);
    recordUs(withLoss, lostLatencyUs);
    let lost = lostPerEndpoint.get(endpoint.id);
    if (!lost) lostPerEndpoint.set(endpoint.id, (lost = createHistogram()));
    recordUs(lost, lostLatencyUs);
  }

  const counts = snapshot.counts;
  const lost = expected.length - counts.delivered;
  const lastReceiveUs = snapshot.lastReceiveUs ?? endUs;
  const deliverySpanSec = Math.max((lastReceiveUs - outcome.t0Us) / 1e6, 1e-6);
  const delivery: DeliveryFigures = {
    expected: expected.length,
    delivered: counts.delivered,
    lost: Math.max(lost, 0),
    duplicates: counts.duplicates,
    badSignatures: counts.badSignatures,
    foreign: counts.foreign,
    malformed: counts.malformed,
    failedAttempts: counts.failedAttempts,
    totalRequests: counts.totalRequests,
    successRate: expected.length === 0 ? 1 : counts.delivered / expected.length,
    throughputPerSec: counts.delivered / deliverySpanSec,
    latencyMs: summarizeMs(snapshot.latency),
    latencyHistogram: encodeHistogram(snapshot.latency),
    latencyWithLossMs: summarizeMs(withLoss),
    drainMs: Math.round((endUs - drainStartUs) / 1000),
    drainEnded,
  };

  const endpointFigures: EndpointFigures[] = endpoints.map((endpoint) => {
    const seen = snapshot.perEndpoint.get(endpoint.id);
    const histogram = seen?.latency ?? createHistogram();
    const expectedCount = expectedPerEndpoint.get(endpoint.id) ?? 0;
    const delivered = seen?.counts.delivered ?? 0;
    return {
      endpointId: endpoint.id,
      name: endpoint.name,
      expected: expectedCount,
      delivered,
      lost: Math.max(expectedCount - delivered, 0),
      duplicates: seen?.counts.duplicates ?? 0,
      badSignatures: seen?.counts.badSignatures ?? 0,
      foreign: seen?.counts.foreign ?? 0,
      malformed: seen?.counts.malformed ?? 0,
      failedAttempts: seen?.counts.failedAttempts ?? 0,
      totalRequests: seen?.counts.totalRequests ?? 0,
      latencyMs: summarizeMs(histogram),
      latencyHistogram: encodeHistogram(histogram),
    };
  });

  return {
    kind: RUN_RESULT_KIND,
    version: RUN_RESULT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    config: {
      scenario: options.scenario,
      events: shape.events,
      ratePerSec: options.ratePerSec,
      concurrency: options.concurrency,
      durationSec: shape.durationSec,
      chainId: options.chainId,
      seed: options.seed,
      mix: { ...options.mix },
      warmupEvents: options.warmupEvents,
      drainTimeoutMs: options.drainTimeoutMs,
      faults: receiverFaults(options),
    },
    environment,
    publisher: outcome.figures,
    delivery,
    endpoints: endpointFigures,
    validity: validity(outcome.figures, options),
    checks: absoluteChecks(delivery, options),
  };
}

/**
 * Expected deliveries under the SUT's own matching rule, evaluated on the exact topics each
 * published event carried. Events whose XADD failed are not in the stream and expect nothing.
 */
export function expectedDeliveries(
  generator: EventGenerator,
  endpoints: readonly SeededEndpoint[],
  attempted: number,
  failed: ReadonlySet<number>,
): ExpectedDelivery[] {
  const expected: ExpectedDelivery[] = [];
  const indexOf = new Map(endpoints.map((e, i) => [e, i]));
  for (let sequence = 0; sequence < attempted; sequence++) {
    if (failed.has(sequence)) continue;
    const fields = fieldsToObject(generator.build(sequence, 0, 0));
    const event = {
      chainId: generator.chainId,
      contract: fields.contract!,
      topics: JSON.parse(fields.topics!) as string[],
    };
    for (const endpoint of matchingEndpoints(endpoints, event)) {
      expected.push({ endpointIndex: indexOf.get(endpoint)!, sequence });
    }
  }
  return expected;
}

export function validity(
  publisher: PublisherFigures,
  options: Pick<RunOptions, 'ratePerSec'>,
): RunResult['validity'] {
  const reasons: string[] = [];
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
  return { valid: reasons.length === 0, reasons };
}

/** The original tool's verdicts, kept as absolute checks beside the baseline comparison. */
export function absoluteChecks(
  delivery: DeliveryFigures,
  options: Pick<RunOptions, 'thresholds'>,
): AbsoluteCheck[] {
  const { maxAvgLatencyMs, excellentThroughputPerSec, goodThroughputPerSec } = options.thresholds;
  const avg = delivery.latencyMs.mean;
  const throughput = delivery.throughputPerSec;
  const grade =
    throughput > excellentThroughputPerSec
      ? 'excellent'
      : throughput >= goodThroughputPerSec
        ? 'good'
        : 'needs improvement';
  return [
    {
      name: 'average latency',
      passed: delivery.delivered > 0 && avg < maxAvgLatencyMs,
      detail: `${avg.toFixed(1)} ms (must be under ${maxAvgLatencyMs} ms)`,
    },
    {
      name: 'throughput',
      passed: grade !== 'needs improvement',
      detail: `${throughput.toFixed(0)}/s: ${grade} (excellent above ${excellentThroughputPerSec}/s, good from ${goodThroughputPerSec}/s)`,
    },
  ];
}
