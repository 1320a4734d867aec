import pg from 'pg';
import { monotonicClock, sleepMs } from '../clock.js';
import { streamKey } from '../../stack/contracts.js';
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
  withRedis,
} from './readiness.js';
import type { RunOptions, RunPhase } from './types.js';
import { eventsPerLatencyBlock } from '../measure/blocks.js';
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

/** A moment the caller can act at, inside the run's session. */
export interface RunHooks {
  /**
   * After the measured trials, while the SUT and the receiver are still up: the caller may
   * measure more trials in the same session (a regression is confirmed by one more trial).
   * They are returned with the others, last.
   */
  afterTrials?(results: readonly RunResult[], measureMore: () => Promise<RunResult>): Promise<void>;
}

/**
 * Start the SUT -> its own readiness -> Redis and PostgreSQL answer -> the SUT reads its stream
 * (and its tables exist) -> receiver -> seed -> unmeasured warm-up -> `trials` measured runs.
 * With `seedBeforeStart` the SUT starts after the seed instead (for a SUT that loads its endpoints
 * once at start-up; its tables must exist before it starts). Returns one RunResult per measured
 * trial. The receiver is always closed; stopping the SUT is the caller's (it started nothing else).
 */
export async function runTrials(
  options: RunOptions & { trials: number },
  hooks: RunHooks = {},
): Promise<RunResult[]> {
  const { logger, signal, sut } = options;
  const stream = streamKey(options.chainId);
  const timed = async <T>(phase: RunPhase, work: () => Promise<T>): Promise<T> => {
    const startedMs = performance.now();
    try {
      return await work();
    } finally {
      options.onPhase?.(phase, performance.now() - startedMs);
    }
  };
  const startSut = async () => {
    if (!sut) return;
    await sut.start();
    await sut.waitReady();
  };

  if (!options.seedBeforeStart) await startSut();

  await timed('ready', () =>
    logger.group('Waiting for Redis and PostgreSQL', async () => {
      await Promise.all([
        redisReady(options.redisUrl, options.readyTimeoutMs, signal),
        postgresReady(options.databaseUrl, options.readyTimeoutMs, signal),
      ]);
      logger.info(
        `Redis ${maskUrl(options.redisUrl)} and PostgreSQL ${maskUrl(options.databaseUrl)} answer`,
      );
    }),
  );

  const waitForSut = () =>
    timed('ready', () =>
      logger.group('Waiting for the SUT', async () => {
        await allReady(
          [
            consumerAlive(
              options.redisUrl,
              stream,
              options.chainId,
              options.readyTimeoutMs,
              signal,
            ),
            ...options.sutHealthUrls.map((url) => httpHealthy(url, options.readyTimeoutMs, signal)),
            // Its migrations: seeding must not race the SUT creating its own tables.
            ...(options.applySchema || options.seedBeforeStart
              ? []
              : [sutTablesReady(options.databaseUrl, options.readyTimeoutMs, signal)]),
          ],
          options,
        );
        logger.info(
          `Consumer group is on ${stream} and a consumer reads it${options.sutHealthUrls.length ? '; health URLs answer' : ''}`,
        );
      }),
    );
  if (!options.seedBeforeStart) await waitForSut();

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

    const endpoints = await timed('seed', () =>
      logger.group('Seeding webhook endpoints', async () => {
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
      }),
    );
    receiver.setEndpoints(endpoints.map((e) => ({ id: e.id, name: e.name, secret: e.secret })));

    if (options.seedBeforeStart) {
      await startSut();
      await waitForSut();
    }

    const environment = await fingerprint(options);

    if (options.warmupEvents > 0) {
      await timed('warmup', () =>
        logger.group(`Warm-up: ${options.warmupEvents} events (not measured)`, async () => {
          const warmup = await measureOnce(
            options,
            receiver,
            endpoints,
            environment,
            { events: options.warmupEvents, durationSec: null },
            false,
          );
          logger.info(
            `Warm-up delivered ${warmup.delivery.delivered} of ${warmup.delivery.expected}`,
          );
          failIfWarmupDeliveredNothing(warmup, webhookUrl);
        }),
      );
    }

    let remeasured = 0;
    // A trial the machine disturbed (CPU steal, a starved load generator) is measured again, a
    // few times at most; after steal, once a few seconds in a row had little stolen.
    const measureTrial = async (title: string): Promise<RunResult> => {
      for (;;) {
        const result = await timed('measure', () =>
          logger.group(title, () => measureOnce(options, receiver, endpoints, environment)),
        );
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
    const results: RunResult[] = [];
    for (let trial = 1; trial <= options.trials; trial++) {
      results.push(
        await measureTrial(
          options.trials > 1 ? `Trial ${trial} of ${options.trials}` : 'Measured run',
        ),
      );
    }
    await hooks.afterTrials?.([...results], async () => {
      const extra = await measureTrial('Confirming trial');
      results.push(extra);
      return extra;
    });
    return results;
  } finally {
    await receiver.close();
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
export class WarmupDeliveredNothingError extends Error {
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
  // Blocks of the trial's events give the noise inside one trial (paired A/B).
  receiver.setLatencyBlocks(
    eventsPerLatencyBlock(
      shape.events ??
        (shape.durationSec && options.ratePerSec > 0
          ? Math.ceil(shape.durationSec * options.ratePerSec)
          : null),
    ),
  );
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
