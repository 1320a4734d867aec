import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from '../engine/log.js';
import { maskUrl } from '../shared/redact.js';
import { applySchema, describeConnectionError } from '../stack/db.js';
import type { ReferenceConfig } from './config.js';
import { WebhookDelivery, type DeliveryStats } from './delivery.js';
import { startHealthServer, type HealthRoutes, type HealthServer } from './health.js';
import { MessageProcessor, type ProcessorStats } from './processor.js';

export interface ReferencePipeline {
  /** Base URL of the processor's /health and /ready; null when this role does not run it. */
  processorHealthUrl: string | null;
  /** Base URL of the delivery's /health and /ready. */
  deliveryHealthUrl: string | null;
  stats(): { processor: ProcessorStats | null; delivery: DeliveryStats | null };
  /** Graceful: stop reading, finish in-flight work, close every connection and server. */
  stop(): Promise<void>;
}

/** EthHook's services each open a pool of 20 (common::create_pool). */
const POOL_SIZE = 20;

/**
 * EthHook writes every matched event and every attempt, one commit each. Waiting for the WAL flush
 * of each commit made the runner's disk, not the pipeline, the bottleneck (about 300 events/s
 * here, below the quick scenario's 500/s). The rows are still written; only their durability
 * against a crash of PostgreSQL is relaxed, which a load-test SUT does not need. Set as a startup
 * parameter, so it holds on every pooled connection before its first query.
 */
export function withoutCommitFlushWaits(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', `${existing ? `${existing} ` : ''}-c synchronous_commit=off`);
  return url.toString();
}

function openPool(databaseUrl: string, name: string, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withoutCommitFlushWaits(databaseUrl),
    max: POOL_SIZE,
    connectionTimeoutMillis: 5_000,
    application_name: name,
  });
  pool.on('error', (error) =>
    logger.warn(`${name}: idle PostgreSQL connection failed: ${error.message}`),
  );
  return pool;
}

/** A start-up failure the operator can fix (unreachable service, port in use); says which. */
export class PipelineStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PipelineStartError';
  }
}

async function checkPostgres(pool: pg.Pool, databaseUrl: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    const unreachable = describeConnectionError(error, databaseUrl);
    if (unreachable) throw new PipelineStartError(unreachable);
    throw error;
  }
}

async function checkRedis(redisUrl: string): Promise<void> {
  const probe = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The connect() rejection only says "Connection is closed."; the error event says why.
  let cause: Error | null = null;
  probe.on('error', (error: Error) => {
    cause = error;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    const reason = (cause ?? (error as Error)).message;
    throw new PipelineStartError(`cannot connect to Redis at ${maskUrl(redisUrl)}: ${reason}`);
  } finally {
    probe.disconnect();
  }
}

async function listen(
  what: string,
  host: string,
  port: number,
  routes: HealthRoutes,
): Promise<HealthServer> {
  try {
    return await startHealthServer(host, port, routes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PipelineStartError(`cannot listen on ${host}:${port} for the ${what}: ${code}`);
  }
}

/**
 * Starts the reference pipeline: the message processor, the webhook delivery, or both in one
 * process. Health servers come up first (answering "not ready"), as in EthHook, so an orchestrator
 * can watch start-up.
 */
export async function startReferencePipeline(
  config: ReferenceConfig,
  logger: Logger,
): Promise<ReferencePipeline> {
  const runsProcessor = config.role !== 'delivery';
  const runsDelivery = config.role !== 'processor';
  // Shutdown order: the processor stops first (its last batch reaches the queue and is
  // acknowledged), then the delivery (requests in flight finish), then health servers, then pools.
  const services: (() => Promise<void>)[] = [];
  const servers: (() => Promise<void>)[] = [];
  const pools: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of [...services.splice(0), ...servers.splice(0), ...pools.splice(0)]) {
      await close().catch((error: Error) => logger.warn(`reference: ${error.message}`));
    }
  };

  try {
    await checkRedis(config.redisUrl);
    if (config.applySchema) {
      const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
      try {
        await checkPostgres(pool, config.databaseUrl);
        await applySchema(pool);
      } finally {
        await pool.end();
      }
    }
    let processor: MessageProcessor | null = null;
    let delivery: WebhookDelivery | null = null;
    let processorHealth: HealthServer | null = null;
    let deliveryHealth: HealthServer | null = null;

    if (runsProcessor) {
      const pool = openPool(config.databaseUrl, 'reference-processor', logger);
      pools.push(() => pool.end());
      await checkPostgres(pool, config.databaseUrl);
      const started = new MessageProcessor(config, pool, logger);
      services.push(() => started.stop());
      processorHealth = await listen(
        'processor health server',
        config.healthHost,
        config.processorHealthPort,
        {
          '/health': () => ({
            status: 200,
            body: { status: 'healthy', service: 'message-processor', stats: started.stats },
          }),
          '/ready': async () => {
            const { ready, problems } = await started.readiness();
            return {
              status: ready ? 200 : 503,
              body: { ready, service: 'message-processor', problems },
            };
          },
        },
      );
      servers.push(processorHealth.close);
      await started.start();
      processor = started;
      logger.info(
        `processor: reading ${started.streamKeys.join(', ')} as ${config.consumerGroup}/` +
          `${config.consumerName} into ${config.deliveryQueue} ` +
          `(matching: ${config.endpointCache ? 'in-memory cache' : 'SQL per event'}, ` +
          `processing delay ${config.processingDelayMs} ms); ` +
          `health ${processorHealth.url}/health, ${processorHealth.url}/ready`,
      );
    }

    if (runsDelivery) {
      const pool = config.logAttempts
        ? openPool(config.databaseUrl, 'reference-delivery', logger)
        : null;
      if (pool) {
        pools.push(() => pool.end());
        await checkPostgres(pool, config.databaseUrl);
      }
      const started = new WebhookDelivery(config, pool, logger);
      services.push(() => started.stop());
      deliveryHealth = await listen(
        'delivery health server',
        config.healthHost,
        config.deliveryHealthPort,
        {
          '/health': () => ({
            status: 200,
            body: { status: 'healthy', service: 'webhook-delivery', stats: started.stats },
          }),
          '/ready': () => ({
            status: started.ready ? 200 : 503,
            body: { ready: started.ready, service: 'webhook-delivery', workers: config.workers },
          }),
        },
      );
      servers.push(deliveryHealth.close);
      await started.start();
      delivery = started;
      logger.info(
        `delivery: ${config.workers} workers on ${config.deliveryQueue}; ` +
          `health ${deliveryHealth.url}/health`,
      );
    }

    logger.info(
      `reference pipeline up (Redis ${maskUrl(config.redisUrl)}, PostgreSQL ${maskUrl(config.databaseUrl)})`,
    );
    let stopped: Promise<void> | null = null;
    return {
      processorHealthUrl: processorHealth?.url ?? null,
      deliveryHealthUrl: deliveryHealth?.url ?? null,
      stats: () => ({ processor: processor?.stats ?? null, delivery: delivery?.stats ?? null }),
      stop: () => (stopped ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
