import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CHAIN_ID } from '../../stack/contracts.js';
import { stderrLogger, type Logger } from '../../engine/log.js';
import {
  DEFAULT_CONSUMER_GROUP,
  DEFAULT_DELIVERY_QUEUE,
  defaultConsumerName,
  redisUrlFromEnv,
  referenceConfig,
  type ReferenceConfig,
  type ReferenceRole,
} from '../../reference/config.js';
import { PipelineStartError, startReferencePipeline } from '../../reference/pipeline.js';
import { UserError } from '../errors.js';
import {
  DEFAULT_REDIS_URL,
  databaseUrl,
  defaultDatabaseUrl,
  nonNegativeInt,
  nonNegativeNumber,
  port,
  positiveInt,
  redisUrl,
} from '../options.js';

export interface ReferenceFlags {
  role: ReferenceRole;
  redisUrl?: string;
  databaseUrl?: string;
  applySchema: boolean;
  chainIds: number[];
  consumerGroup: string;
  consumerName?: string;
  batchSize: number;
  blockMs: number;
  deliveryQueue: string;
  processingDelayMs: number;
  holdEvery: number;
  holdMs: number;
  endpointCache: boolean;
  storeEvents: boolean;
  workers: number;
  logAttempts: boolean;
  retryBaseDelayMs: number;
  circuitBreakerThreshold: number;
  circuitBreakerTimeoutMs: number;
  healthHost: string;
  processorHealthPort: number;
  deliveryHealthPort: number;
}

function onOff(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new InvalidArgumentError('Expected on or off.');
}

function chainIdList(raw: string): number[] {
  const ids = raw.split(',').map((part) => part.trim());
  if (
    ids.length === 0 ||
    ids.some((id) => !/^\d+$/.test(id) || Number(id) < 1 || Number(id) > 2 ** 31 - 1)
  ) {
    throw new InvalidArgumentError('Expected chain ids separated by commas, e.g. 11155111,1.');
  }
  return [...new Set(ids.map(Number))];
}

function queueKey(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('Expected a Redis key.');
  return raw;
}

/** Resolves the flags (already defaulted from the environment by commander) into a config. */
export function configFromFlags(
  flags: ReferenceFlags,
  env: NodeJS.ProcessEnv = process.env,
): ReferenceConfig {
  return referenceConfig({
    role: flags.role,
    redisUrl: flags.redisUrl ?? redisUrlFromEnv(env) ?? DEFAULT_REDIS_URL,
    databaseUrl: flags.databaseUrl ?? defaultDatabaseUrl(env),
    applySchema: flags.applySchema,
    chainIds: flags.chainIds,
    consumerGroup: flags.consumerGroup,
    consumerName: flags.consumerName ?? defaultConsumerName(),
    batchSize: flags.batchSize,
    blockMs: flags.blockMs,
    deliveryQueue: flags.deliveryQueue,
    processingDelayMs: flags.processingDelayMs,
    holdEvery: flags.holdEvery,
    holdMs: flags.holdMs,
    endpointCache: flags.endpointCache,
    storeEvents: flags.storeEvents,
    workers: flags.workers,
    logAttempts: flags.logAttempts,
    retryBaseDelayMs: flags.retryBaseDelayMs,
    circuitBreakerThreshold: flags.circuitBreakerThreshold,
    circuitBreakerTimeoutMs: flags.circuitBreakerTimeoutMs,
    healthHost: flags.healthHost,
    processorHealthPort: flags.processorHealthPort,
    deliveryHealthPort: flags.deliveryHealthPort,
  });
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully; a second signal exits at once. */
export async function runReference(config: ReferenceConfig, logger: Logger): Promise<void> {
  let pipeline;
  try {
    pipeline = await startReferencePipeline(config, logger);
  } catch (error) {
    if (error instanceof PipelineStartError) throw new UserError(error.message);
    throw error;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const force = (): never => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  logger.info(`reference: ${signal}: stopping (finishing work in flight; again to force)`);
  await pipeline.stop();
  const { processor, delivery } = pipeline.stats();
  logger.info(`reference: stopped ${JSON.stringify({ processor, delivery })}`);
  process.off('SIGTERM', force);
  process.off('SIGINT', force);
}

export function registerReferenceCommand(program: Command): void {
  program
    .command('reference')
    .description(
      "Run the reference pipeline: a faithful TypeScript implementation of EthHook's message " +
        'processor and webhook delivery (Redis stream → endpoint matching in PostgreSQL → ' +
        'delivery queue → signed webhooks). Env as EthHook: DATABASE_URL, REDIS_HOST, REDIS_PORT ' +
        '(or REDIS_URL).',
    )
    .addOption(
      new Option('--role <role>', 'which service(s) this process runs')
        .choices(['all', 'processor', 'delivery'])
        .default('all'),
    )
    .option(
      '--redis-url <url>',
      'Redis URL (default: $REDIS_URL, else $REDIS_HOST:$REDIS_PORT, else localhost)',
      redisUrl,
    )
    .option(
      '--database-url <url>',
      'PostgreSQL URL (default: $DATABASE_URL, else localhost)',
      databaseUrl,
    )
    .option('--apply-schema', "create EthHook's tables at start-up when missing", false)
    .addOption(
      new Option('--chain-ids <ids>', 'chains to process: one stream events:<id> each')
        .env('CHAIN_IDS')
        .argParser(chainIdList)
        .default([DEFAULT_CHAIN_ID], String(DEFAULT_CHAIN_ID)),
    )
    .addOption(
      new Option('--consumer-group <name>', 'Redis consumer group')
        .env('CONSUMER_GROUP')
        .default(DEFAULT_CONSUMER_GROUP),
    )
    .addOption(
      new Option(
        '--consumer-name <name>',
        'consumer name in the group (default: <hostname>-<pid>)',
      ).env('CONSUMER_NAME'),
    )
    .addOption(
      new Option('--batch-size <n>', 'entries per XREADGROUP')
        .env('BATCH_SIZE')
        .argParser(positiveInt)
        .default(100),
    )
    .addOption(
      new Option('--block-ms <ms>', 'XREADGROUP BLOCK time')
        .env('BLOCK_TIME_MS')
        .argParser(positiveInt)
        .default(5_000),
    )
    .addOption(
      new Option('--delivery-queue <key>', 'Redis list the processor fills and the workers drain')
        .env('QUEUE_NAME')
        .argParser(queueKey)
        .default(DEFAULT_DELIVERY_QUEUE),
    )
    .addOption(
      new Option(
        '--processing-delay-ms <ms>',
        'injected regression: each event waits this long after being read (overlapping within a ' +
          'batch: adds latency without capping throughput); fractions allowed, e.g. 0.9',
      )
        .env('PROCESSING_DELAY_MS')
        .argParser(nonNegativeNumber)
        .default(0),
    )
    .addOption(
      new Option(
        '--hold-every <n>',
        'injected tail regression: every n-th delivery waits --hold-ms before its first attempt ' +
          '(0: none), so p50 stays and the tail moves',
      )
        .argParser(nonNegativeInt)
        .default(0),
    )
    .addOption(
      new Option('--hold-ms <ms>', 'how long each held delivery waits (with --hold-every)')
        .argParser(nonNegativeNumber)
        .default(0),
    )
    .addOption(
      new Option(
        '--endpoint-cache <on|off>',
        'match against an in-memory endpoint cache (on) or with one SQL query per event as EthHook (off)',
      )
        .env('ENDPOINT_CACHE')
        .argParser(onOff)
        .default(false, 'off'),
    )
    .addOption(
      new Option('--store-events <on|off>', 'store matched events in the events table, as EthHook')
        .env('STORE_EVENTS')
        .argParser(onOff)
        .default(true, 'on'),
    )
    .addOption(
      new Option('--workers <n>', 'delivery workers')
        .env('WORKER_COUNT')
        .argParser(positiveInt)
        .default(50),
    )
    .addOption(
      new Option('--log-attempts <on|off>', 'record every attempt in delivery_attempts, as EthHook')
        .env('LOG_ATTEMPTS')
        .argParser(onOff)
        .default(true, 'on'),
    )
    .addOption(
      new Option(
        '--retry-base-delay-ms <ms>',
        'backoff before the first retry; doubles per attempt, ±20% jitter',
      )
        .env('RETRY_BASE_DELAY_MS')
        .argParser(nonNegativeInt)
        .default(2_000),
    )
    .addOption(
      new Option(
        '--circuit-breaker-threshold <n>',
        "consecutive failures that open an endpoint's circuit (its jobs are dropped meanwhile); 0 = off",
      )
        .env('CIRCUIT_BREAKER_THRESHOLD')
        .argParser(nonNegativeInt)
        .default(5),
    )
    .addOption(
      new Option('--circuit-breaker-timeout-ms <ms>', 'how long an open circuit stays open')
        .env('CIRCUIT_BREAKER_TIMEOUT_MS')
        .argParser(nonNegativeInt)
        .default(60_000),
    )
    .option('--health-host <host>', 'address the health servers listen on', '0.0.0.0')
    .addOption(
      new Option(
        '--processor-health-port <port>',
        'processor /health and /ready (0 = any free port)',
      )
        .env('PROCESSOR_HEALTH_PORT')
        .argParser(port)
        .default(8081),
    )
    .addOption(
      new Option('--delivery-health-port <port>', 'delivery /health and /ready (0 = any free port)')
        .env('DELIVERY_HEALTH_PORT')
        .argParser(port)
        .default(8080),
    )
    .action(async (flags: ReferenceFlags) => {
      await runReference(configFromFlags(flags), stderrLogger());
    });
}
