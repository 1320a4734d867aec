import { SutFailedError } from './errors.js';
import { monotonicClock, sleepMs } from '../clock.js';
import type { EventGenerator } from '../events/generator.js';
import type { DeliveryFigures } from '../measure/result.js';
import { plannedEvents, publish, RedisUnavailableError } from '../publisher/publisher.js';
import type { Receiver } from '../receiver/receiver.js';
import { streamKey } from '../../stack/contracts.js';
import type { ExpectedPairs } from './expected.js';
import { ServiceWatch } from './outage.js';
import type { Measurement } from './result.js';
import type { RunOptions } from './types.js';

const DRAIN_POLL_MS = 25;

export interface PublishAndDrainInput {
  options: RunOptions;
  receiver: Receiver;
  generator: EventGenerator;
  expected: ExpectedPairs;
  shape: { events: number | null; durationSec: number | null };
}

/**
 * Publishes one run's events and waits until every expected (endpoint, event) pair has arrived
 * (or was turned away on purpose by the receiver), nothing arrived for the drain timeout, or the
 * run was aborted. The receiver must be reset and accept only this run's id.
 */
export async function publishAndDrain(input: PublishAndDrainInput): Promise<Measurement> {
  const { options, receiver, expected, shape } = input;
  const startedAt = new Date().toISOString();

  const planned = plannedEvents(shape.events, shape.durationSec, options.ratePerSec);
  if (Number.isFinite(planned)) expected.prepare(planned);
  receiver.expectPairs((endpointId, sequence) => expected.expects(endpointId, sequence));

  const watch = new ServiceWatch(
    options.redisUrl,
    options.databaseUrl,
    expected.endpoints.map((endpoint) => endpoint.id),
  ).start();
  try {
    return await watched(input, watch, startedAt);
  } finally {
    await watch.stop();
  }
}

/** publishAndDrain, throwing a ServiceOutage as soon as the watch or the publisher sees one. */
async function watched(
  input: PublishAndDrainInput,
  watch: ServiceWatch,
  startedAt: string,
): Promise<Measurement> {
  const { options, receiver, generator, expected, shape } = input;
  const { logger } = options;
  const outcome = await publish({
    redisUrl: options.redisUrl,
    streamKey: streamKey(options.chainId),
    generator,
    events: shape.events,
    durationSec: shape.durationSec,
    ratePerSec: options.ratePerSec,
    concurrency: options.concurrency,
    progress: options.progress,
    // The timeline's second 0 is the schedule's slot 0.
    onStart: (t0Us) => receiver.startTimeline(t0Us),
    ...(options.signal ? { signal: options.signal } : {}),
  }).catch((error: unknown) => {
    if (error instanceof RedisUnavailableError) throw watch.report('Redis', error.message);
    throw error;
  });
  // Redis, not the SUT, cut the trial short: the events not written were never the SUT's.
  if (outcome.stopReason === 'connection-lost' || outcome.stopReason === 'stalled') {
    throw watch.report('Redis', outcome.stopMessage ?? outcome.stopReason);
  }
  failIfSutDied(options);
  const publishedAtUs = monotonicClock.nowUs();
  expected.settle(outcome.attempted, outcome.failedSequences);
  logger.info(
    `Published ${outcome.figures.published} events (${outcome.figures.achievedRatePerSec.toFixed(0)}/s); ` +
      `expecting ${expected.count} webhooks`,
  );

  const drainStartUs = monotonicClock.nowUs();
  let drainEnded: DeliveryFigures['drainEnded'] = 'complete';
  for (;;) {
    if (receiver.uniqueDelivered + receiver.uniqueRejected >= expected.count) break;
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
    if (watch.failure) throw watch.failure;
    await sleepMs(DRAIN_POLL_MS);
  }
  const endUs = monotonicClock.nowUs();
  const outage = await watch.check();
  if (outage) throw outage;
  const runId = generator.runId;
  return {
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    shape,
    publisher: outcome.figures,
    t0Us: outcome.t0Us,
    publishedPerSecond: outcome.publishedPerSecond,
    intendedSendUs: outcome.intendedSendUs,
    expected,
    received: {
      snapshot: receiver.snapshot(),
      delivered: (endpointId, sequence) =>
        receiver.hasDeliveredSequence(endpointId, runId, sequence),
      rejected: (endpointId, sequence) => receiver.hasRejectedSequence(endpointId, runId, sequence),
    },
    endUs,
    drainMs: Math.round((endUs - drainStartUs) / 1000),
    drainEnded,
  };
}

export function failIfSutDied(options: Pick<RunOptions, 'sut'>): void {
  const died = options.sut?.exitedError();
  if (died)
    throw died instanceof SutFailedError ? died : new SutFailedError(died.message, { cause: died });
}
