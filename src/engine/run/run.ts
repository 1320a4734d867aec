import pg from 'pg';
import { monotonicClock, sleepMs } from '../clock.js';
import { DELIVERY_QUEUE, streamKey } from '../../stack/contracts.js';
import { EventGenerator } from '../events/generator.js';
import { newRunId } from '../events/identity.js';
import { environmentFingerprint } from '../measure/fingerprint.js';
import {
  NO_FAULTS,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type RunConfigSnapshot,
  type RunResult,
} from '../measure/result.js';
import { Receiver } from '../receiver/receiver.js';
import { maskUrl } from '../../shared/redact.js';
import { onAbort } from '../../shared/abort.js';
import { seedEndpoints, type SeededEndpoint } from '../../stack/seeder.js';
import { failIfSutDied, publishAndDrain } from './drain.js';
import { ExpectedPairs } from './expected.js';
import { buildRunResult, disturbance, runConfigSnapshot, type ResultContext } from './result.js';
import {
  consumerAlive,
  httpHealthy,
  postgresReady,
  redisReady,
  sutTablesReady,
  waitUntil,
  withRedis,
} from './readiness.js';
import { seededEndpointsProblem, ServiceOutage } from './outage.js';
import { StreamInUseError, StreamLock } from './lock.js';
import { clearStaleDeliveries, describeStale } from './stale.js';
import type { RunOptions, RunPhase } from './types.js';
import { settled, warmupSlices, type SliceFigures } from './warmup.js';
import { failingAs, ServiceUnavailableError, SutFailedError } from './errors.js';
import { harnessCpuFigures, harnessCpuText, processCpu } from '../measure/cpu.js';
import {
  procStatSteal,
  QUIET_SECONDS,
  stolenShare,
  waitForQuietSeconds,
} from '../measure/steal.js';

/**
 * At most this many trials of one session are measured again because the machine disturbed them
 * (see disturbance in result.ts); past it, a disturbed trial is kept, invalid, and the verdict
 * says so.
 */
export const MAX_REMEASURED_TRIALS = 3;

/**
 * Start the SUT -> its own readiness -> Redis and PostgreSQL answer -> the SUT reads its stream
 * (and its tables exist) -> receiver -> seed -> unmeasured warm-up -> `trials` measured runs.
 * With `seedBeforeStart` the SUT starts after the seed instead (for a SUT that loads its endpoints
 * once at start-up; its tables must exist before it starts). Returns one RunResult per measured
 * trial. The receiver is always closed; stopping the SUT is the caller's (it started nothing else).
 */
export async function runTrials(options: RunOptions & { trials: number }): Promise<RunResult[]> {
  const stream = streamKey(options.chainId);
  let lock: StreamLock | null = null;
  const hold: StreamHold = {
    take: async () => {
      if (lock) return;
      lock = await StreamLock.acquire(options.redisUrl, stream);
      options.logger.info(`This run holds ${stream} (${lock.key}: ${lock.holder})`);
      // Under the hold, before the SUT's workers trip their circuit breakers on dead receivers.
      const queue = options.deliveryQueue ?? DELIVERY_QUEUE;
      const stale = await withRedis(options.redisUrl, (redis) =>
        clearStaleDeliveries(redis, { queue }),
      );
      const line = describeStale(stale, queue);
      if (line) options.logger.info(line);
    },
    check: () => {
      if (lock?.lost) {
        throw new StreamInUseError(`this run lost its hold on ${stream}: ${lock.lost}`);
      }
    },
  };
  try {
    // Up front when Redis answers already, so a second run starts nothing; else once it does.
    await hold.take().catch((error: unknown) => {
      if (error instanceof StreamInUseError) throw error;
    });
    return await runTrialsHolding(options, hold);
  } finally {
    await (lock as StreamLock | null)?.release();
  }
}

/** The run's exclusive use of its stream (lock.ts): taken once Redis answers, checked per trial. */
interface StreamHold {
  take(): Promise<void>;
  check(): void;
}

async function runTrialsHolding(
  options: RunOptions & { trials: number },
  hold: StreamHold,
): Promise<RunResult[]> {
  const { sut } = options;
  const startSut = async () => {
    if (!sut) return;
    await failingAs(SutFailedError, async () => {
      await sut.start();
      await sut.waitReady();
    });
  };

  if (!options.seedBeforeStart) await startSut();
  await waitForServices(options);
  await hold.take();
  if (!options.seedBeforeStart) await waitForSut(options);

  const receiver = new Receiver({
    host: options.receiver.host,
    port: options.receiver.port,
    path: options.receiver.path,
    acceptRunIds: [],
    faults: receiverFaults(options),
  });
  try {
    const { endpoints, webhookUrl } = await startAndSeed(options, receiver);
    if (options.seedBeforeStart) {
      await startSut();
      await waitForSut(options);
    }

    sut?.measuring?.();
    const session: Session = {
      options,
      receiver,
      endpoints,
      environment: await fingerprint(options),
    };
    await warmUp(session, webhookUrl);

    const measureTrial = trialMeasurer(session, hold);
    const results: RunResult[] = [];
    for (let trial = 1; trial <= options.trials; trial++) {
      results.push(
        await measureTrial(
          options.trials > 1 ? `Trial ${trial} of ${options.trials}` : 'Measured run',
        ),
      );
    }
    return results;
  } finally {
    await receiver.close();
  }
}

/** What the warm-up and the trials of one run share: its SUT's endpoints, receiver, machine. */
interface Session {
  options: RunOptions;
  receiver: Receiver;
  endpoints: SeededEndpoint[];
  environment: EnvironmentFingerprint;
}

/** Runs `work` as `phase`, telling onPhase how long it took. */
async function timed<T>(
  options: Pick<RunOptions, 'onPhase'>,
  phase: RunPhase,
  work: () => Promise<T>,
): Promise<T> {
  const startedMs = performance.now();
  try {
    return await work();
  } finally {
    options.onPhase?.(phase, performance.now() - startedMs);
  }
}

async function waitForServices(options: RunOptions): Promise<void> {
  const { logger, signal } = options;
  await timed(options, 'ready', () =>
    logger.group('Waiting for Redis and PostgreSQL', async () => {
      await failingAs(ServiceUnavailableError, () =>
        Promise.all([
          redisReady(options.redisUrl, options.readyTimeoutMs, signal),
          postgresReady(options.databaseUrl, options.readyTimeoutMs, signal),
        ]),
      );
      logger.info(
        `Redis ${maskUrl(options.redisUrl)} and PostgreSQL ${maskUrl(options.databaseUrl)} answer`,
      );
    }),
  );
}

/** The SUT reads its stream (and its health URLs answer, its tables exist). */
async function waitForSut(options: RunOptions): Promise<void> {
  const { logger, signal } = options;
  const stream = streamKey(options.chainId);
  await timed(options, 'ready', () =>
    logger.group('Waiting for the SUT', async () => {
      // The probes end with the wait: when the SUT died (or one probe failed), none polls on
      // until its ready timeout, holding the process open after the run has failed.
      // A signal raised already (SIGTERM while Redis and PostgreSQL were probed) stops them at once.
      const probing = new AbortController();
      const unfollow = onAbort(signal, () => probing.abort());
      try {
        await failingAs(SutFailedError, () =>
          allReady(
            [
              consumerAlive(
                options.redisUrl,
                stream,
                options.chainId,
                options.readyTimeoutMs,
                probing.signal,
              ),
              ...options.sutHealthUrls.map((url) =>
                httpHealthy(url, options.readyTimeoutMs, probing.signal),
              ),
              // Its migrations: seeding must not race the SUT creating its own tables.
              ...(options.applySchema || options.seedBeforeStart
                ? []
                : [sutTablesReady(options.databaseUrl, options.readyTimeoutMs, probing.signal)]),
            ],
            options,
          ),
        );
      } finally {
        unfollow();
        probing.abort();
      }
      logger.info(
        `Consumer group is on ${stream} and a consumer reads it${options.sutHealthUrls.length ? '; health URLs answer' : ''}`,
      );
    }),
  );
}

/** The receiver listening, and the SUT's endpoints seeded to call it. */
async function startAndSeed(
  options: RunOptions,
  receiver: Receiver,
): Promise<{ endpoints: SeededEndpoint[]; webhookUrl: string }> {
  const { logger } = options;
  await receiver.start();
  const port = new URL(receiver.url).port;
  const webhookUrl = (options.receiver.publicUrl ?? receiver.url).replaceAll('{port}', port);
  logger.info(`Receiver listening on ${receiver.url}; the SUT is told to call ${webhookUrl}`);

  const endpoints = await timed(options, 'seed', () =>
    logger.group('Seeding webhook endpoints', async () => {
      const db = new pg.Client({ connectionString: options.databaseUrl });
      // It answered the readiness probe; gone now, it is an outage, not a bug of this tool.
      await db.connect().catch((error: unknown) => {
        throw new ServiceUnavailableError(
          `PostgreSQL at ${maskUrl(options.databaseUrl)} went away before seeding: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      });
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
    }),
  );
  receiver.setEndpoints(endpoints.map((e) => ({ id: e.id, name: e.name, secret: e.secret })));
  return { endpoints, webhookUrl };
}

/** Unmeasured slices of load until latency settles, or the warm-up's events run out. */
async function warmUp(session: Session, webhookUrl: string): Promise<void> {
  const { options, receiver, endpoints, environment } = session;
  const { logger, signal } = options;
  const slices = warmupSlices(options.warmupEvents, options.ratePerSec);
  if (slices.length > 0) {
    await timed(options, 'warmup', () =>
      logger.group(
        `Warm-up: ${options.warmupEvents} events at most, until latency settles (not measured)`,
        async () => {
          const measuredSlices: SliceFigures[] = [];
          let published = 0;
          for (const events of slices) {
            const slice = await measureOnce(
              options,
              receiver,
              endpoints,
              environment,
              { events, durationSec: null },
              false,
            ).catch((error: unknown) => {
              if (!(error instanceof ServiceOutage)) throw error;
              throw new ServiceOutageError(
                `${error.during('the warm-up')}; nothing was measured, no verdict on the SUT`,
              );
            });
            published += events;
            stopIfAborted(signal, 'the measured trials');
            failIfWarmupDeliveredNothing(slice, webhookUrl);
            measuredSlices.push({
              p50: slice.delivery.latencyMs.p50,
              expected: slice.delivery.expected,
              delivered: slice.delivery.delivered,
            });
            if (settled(measuredSlices)) break;
          }
          logger.info(
            `Warm-up ${settled(measuredSlices) ? 'settled' : 'ended unsettled, at its limit,'} after ` +
              `${published} events in ${measuredSlices.length} slice${measuredSlices.length === 1 ? '' : 's'}` +
              (measuredSlices.length > 0
                ? `; p50 a slice ${measuredSlices.map((slice) => slice.p50.toFixed(2)).join(', ')} ms`
                : ''),
          );
        },
      ),
    );
  }
}

/**
 * Measures one trial, titled. A trial the machine disturbed (CPU steal, a starved load generator)
 * or a service outage cut short is measured again, a few times at most over the run.
 */
function trialMeasurer(session: Session, hold: StreamHold): (title: string) => Promise<RunResult> {
  const { options, receiver, endpoints, environment } = session;
  const { logger, signal } = options;
  let remeasured = 0;
  // A trial the machine disturbed (CPU steal, a starved load generator) is measured again, a
  // few times at most; after steal, once a few seconds in a row had little stolen.
  return async (title: string): Promise<RunResult> => {
    for (;;) {
      stopIfAborted(signal, title);
      let result: RunResult;
      try {
        result = await timed(options, 'measure', () =>
          logger.group(title, () => measureOnce(options, receiver, endpoints, environment)),
        );
      } catch (error) {
        if (!(error instanceof ServiceOutage)) throw error;
        // Redis or PostgreSQL, not the SUT, failed: the trial counts neither way.
        const named = error.during(title);
        if (remeasured >= MAX_REMEASURED_TRIALS) {
          throw new ServiceOutageError(
            `${named}; ${MAX_REMEASURED_TRIALS} trials were measured again already, ` +
              'so the run ends without a verdict on the SUT',
          );
        }
        remeasured += 1;
        logger.warn(
          `${named}; ${title} is measured again once ${error.service} is back ` +
            `(${remeasured} of at most ${MAX_REMEASURED_TRIALS})`,
        );
        await waitForServiceBack(error, named, options, endpoints);
        continue;
      }
      // Stopped mid-trial: the partial trial is neither judged nor measured again.
      stopIfAborted(signal, `the rest of ${title}`);
      hold.check();
      const disturbed = disturbance(result);
      if (!disturbed || remeasured >= MAX_REMEASURED_TRIALS) return result;
      remeasured += 1;
      const waited = disturbed.steal
        ? `, after ${((await waitForQuietSeconds(options.steal ?? procStatSteal)) / 1000).toFixed(
            0,
          )} s waiting for ${QUIET_SECONDS} quiet seconds in a row`
        : '';
      logger.warn(
        `${title} is measured again (${remeasured} of at most ${MAX_REMEASURED_TRIALS})${waited}: ${result.validity.reasons.join('; ')}`,
      );
    }
  };
}

/** The run's signal was aborted (SIGINT, SIGTERM): nothing more was started after it. */
export class RunStoppedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStoppedError';
  }
}

function stopIfAborted(signal: AbortSignal | undefined, next: string): void {
  if (signal?.aborted) throw new RunStoppedError(`stopped before ${next}`);
}

/** A Redis or PostgreSQL outage ended the run: an error, not a verdict on the SUT. */
export class ServiceOutageError extends ServiceUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceOutageError';
  }
}

/**
 * After an outage, waits (the ready timeout) until the service is back and the run's state in it
 * too: the SUT's consumer group reading the stream again (a restarted Redis may have lost it),
 * or the seeded endpoints still in the database. Else the run ends naming the outage.
 */
async function waitForServiceBack(
  outage: ServiceOutage,
  named: string,
  options: RunOptions,
  endpoints: readonly SeededEndpoint[],
): Promise<void> {
  const { readyTimeoutMs: timeoutMs, signal } = options;
  try {
    if (outage.service === 'Redis') {
      await redisReady(options.redisUrl, timeoutMs, signal);
      const stream = streamKey(options.chainId);
      await consumerAlive(options.redisUrl, stream, options.chainId, timeoutMs, signal);
    } else {
      await postgresReady(options.databaseUrl, timeoutMs, signal);
      const ids = endpoints.map((endpoint) => endpoint.id);
      await waitUntil(
        'the seeded endpoints in PostgreSQL',
        async () => {
          const db = new pg.Client({ connectionString: options.databaseUrl });
          db.on('error', () => undefined);
          await db.connect();
          try {
            return (await seededEndpointsProblem(db, ids)) ?? true;
          } finally {
            await db.end().catch(() => undefined);
          }
        },
        { timeoutMs, signal },
      );
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ServiceOutageError(
      `${named}; it was not back: ${why}. The run ends without a verdict on the SUT`,
    );
  }
}

export async function runLoadTest(options: RunOptions): Promise<RunResult> {
  const [result] = await runTrials({ ...options, trials: 1 });
  return result!;
}

/**
 * Every probe passed; else one error naming every probe that failed (not only the first), or the
 * SUT's own death as soon as it happens: waiting for a dead SUT until the timeout helps nobody.
 */
async function allReady(probes: Promise<void>[], options: RunOptions): Promise<void> {
  let watching = true;
  const died = (async () => {
    while (watching) {
      failIfSutDied(options);
      await sleepMs(100);
    }
  })();
  try {
    const outcomes = await Promise.race([
      Promise.allSettled(probes),
      died.then((): PromiseSettledResult<void>[] => []),
    ]);
    const failures = outcomes
      .filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
      .map((outcome) =>
        outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason),
      );
    if (failures.length > 0) throw new Error(failures.join('; and '));
    failIfSutDied(options);
  } finally {
    watching = false;
  }
}

/**
 * The config the results of a run with these options will record, known before it runs: what a
 * committed baseline must have measured to compare with it.
 */
export function plannedRunConfig(
  options: Omit<ResultContext, 'environment' | 'thresholds' | 'faults'> &
    Pick<RunOptions, 'events' | 'durationSec' | 'receiver'>,
): RunConfigSnapshot {
  return runConfigSnapshot({ ...options, faults: receiverFaults(options) }, options);
}

/** The receiver's injected faults, recorded in the result's config. */
function receiverFaults(options: Pick<RunOptions, 'receiver'>): InjectedFaults {
  return {
    failureRate: options.receiver.failureRate ?? NO_FAULTS.failureRate,
    failureStatus: options.receiver.failureStatus ?? NO_FAULTS.failureStatus,
    delayMs: options.receiver.delayMs ?? NO_FAULTS.delayMs,
    ...(options.receiver.stallMs
      ? { stallMs: options.receiver.stallMs, stallAtSec: options.receiver.stallAtSec ?? 0 }
      : {}),
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

/** The warm-up delivered nothing: measuring would only time out; the message says what was seen. */
export class WarmupDeliveredNothingError extends SutFailedError {
  constructor(message: string) {
    super(message);
    this.name = 'WarmupDeliveredNothingError';
  }
}

/** One publish + drain with its own run id; everything the receiver saw before is cleared. */
async function measureOnce(
  options: RunOptions,
  receiver: Receiver,
  endpoints: readonly SeededEndpoint[],
  environment: EnvironmentFingerprint,
  shape: { events: number | null; durationSec: number | null } = options,
  measured = true,
): Promise<RunResult> {
  const generator = new EventGenerator({
    chainId: options.chainId,
    runId: newRunId(),
    seed: options.seed,
    mix: options.mix,
  });
  receiver.reset();
  receiver.acceptRun(generator.runId);
  const { stallMs, stallAtSec } = options.receiver;
  receiver.setStall(measured && stallMs ? { atSec: stallAtSec ?? 0, ms: stallMs } : null);
  const steal = options.steal ?? procStatSteal;
  const ticksBefore = steal.read();
  const cpuBeforeUs = processCpu.readUs();
  const wallBeforeUs = monotonicClock.nowUs();
  const measurement = await publishAndDrain({
    options,
    receiver,
    generator,
    expected: new ExpectedPairs(generator, endpoints),
    shape,
  });
  const harnessCpu = harnessCpuFigures({
    cpuUs: processCpu.readUs() - cpuBeforeUs,
    wallUs: monotonicClock.nowUs() - wallBeforeUs,
    cores: processCpu.cores,
    events: measurement.publisher.published,
  });
  if (measured) options.logger.info(harnessCpuText(harnessCpu));
  return buildRunResult(
    { ...measurement, stolenCpuShare: stolenShare(ticksBefore, steal.read()), harnessCpu },
    { ...options, environment, faults: receiverFaults(options) },
  );
}

/** Ends the run before measuring when the warm-up delivered none of its expected webhooks. */
function failIfWarmupDeliveredNothing(warmup: RunResult, webhookUrl: string): void {
  const { delivery } = warmup;
  if (delivery.expected === 0 || delivery.delivered > 0) return;
  const seen = [
    delivery.rejectedOnPurpose > 0 &&
      `${delivery.rejectedOnPurpose} rejected on purpose by the receiver's injected failures`,
    delivery.unexpected > 0 && `${delivery.unexpected} to an endpoint that does not match them`,
    delivery.badSignatures > 0 && `${delivery.badSignatures} with a bad signature`,
    delivery.foreign > 0 && `${delivery.foreign} of another run`,
    delivery.malformed > 0 && `${delivery.malformed} malformed`,
  ].filter((part): part is string => typeof part === 'string');
  throw new WarmupDeliveredNothingError(
    `the warm-up delivered 0 of ${delivery.expected} expected webhooks ` +
      `(${delivery.totalRequests} requests reached the receiver${seen.length ? `: ${seen.join(', ')}` : ''}; ` +
      `the drain ended ${delivery.drainEnded === 'idle-timeout' ? `after ${Math.round(warmup.config.drainTimeoutMs / 1000)} s without a webhook` : delivery.drainEnded}), ` +
      `so nothing was measured. Check that the SUT can reach ${webhookUrl} and that its delivery workers run (their logs)`,
  );
}
