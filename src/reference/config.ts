import os from 'node:os';
import { DEFAULT_CHAIN_ID } from '../stack/contracts.js';

export type ReferenceRole = 'processor' | 'delivery' | 'all';

/**
 * Everything the reference pipeline needs. Defaults are EthHook's own (message-processor and
 * webhook-delivery config.rs), except where a field says otherwise.
 */
export interface ReferenceConfig {
  role: ReferenceRole;
  redisUrl: string;
  databaseUrl: string;
  /** Create EthHook's tables at start-up when missing (stands in for the SUT's migration). */
  applySchema: boolean;

  /** One stream `events:<chain>` per chain id. */
  chainIds: number[];
  consumerGroup: string;
  consumerName: string;
  /** XREADGROUP COUNT. */
  batchSize: number;
  /** XREADGROUP BLOCK. */
  blockMs: number;
  deliveryQueue: string;
  /**
   * Injected regression: every event is processed no earlier than this long after the processor
   * read it. The wait overlaps across a batch, so it adds latency without capping throughput at
   * 1000/delay events/s.
   */
  processingDelayMs: number;
  /**
   * Injected tail regression: every `holdEvery`-th delivery job (0: none) waits `holdMs` before
   * its first attempt, in its worker; the others do not wait, so p50 stays and the tail moves.
   */
  holdEvery: number;
  holdMs: number;
  /**
   * Match in memory against a cached endpoint list (revalidated once per batch by a cheap
   * fingerprint query) instead of EthHook's one SQL query per event.
   */
  endpointCache: boolean;
  /** EthHook stores every matched event in `events`. */
  storeEvents: boolean;

  workers: number;
  /** EthHook logs every attempt into `delivery_attempts`. */
  logAttempts: boolean;
  /** Backoff before retry n is base * 2^(n-1), capped, times a jitter in [0.8, 1.2). */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive failures of one endpoint that open its circuit; 0 disables the breaker. */
  circuitBreakerThreshold: number;
  /** How long an open circuit skips (drops) that endpoint's jobs. */
  circuitBreakerTimeoutMs: number;

  healthHost: string;
  /** 0 picks a free port. */
  processorHealthPort: number;
  deliveryHealthPort: number;
  /** How long stop() waits for in-flight work before closing connections anyway. */
  shutdownTimeoutMs: number;
}

export const DEFAULT_DELIVERY_QUEUE = 'delivery_queue';
export const DEFAULT_CONSUMER_GROUP = 'message_processors';

export function defaultConsumerName(): string {
  return `${os.hostname()}-${process.pid}`;
}

export function referenceConfig(
  required: Pick<ReferenceConfig, 'redisUrl' | 'databaseUrl'> & Partial<ReferenceConfig>,
): ReferenceConfig {
  return {
    role: 'all',
    applySchema: false,
    chainIds: [DEFAULT_CHAIN_ID],
    consumerGroup: DEFAULT_CONSUMER_GROUP,
    consumerName: defaultConsumerName(),
    batchSize: 100,
    blockMs: 5_000,
    deliveryQueue: DEFAULT_DELIVERY_QUEUE,
    processingDelayMs: 0,
    holdEvery: 0,
    holdMs: 0,
    endpointCache: false,
    storeEvents: true,
    workers: 50,
    logAttempts: true,
    retryBaseDelayMs: 2_000,
    retryMaxDelayMs: 60_000,
    circuitBreakerThreshold: 5,
    circuitBreakerTimeoutMs: 60_000,
    healthHost: '0.0.0.0',
    processorHealthPort: 8081,
    deliveryHealthPort: 8080,
    shutdownTimeoutMs: 10_000,
    ...required,
  };
}

/**
 * Redis location the way EthHook's services take it (REDIS_HOST, REDIS_PORT, REDIS_PASSWORD),
 * with REDIS_URL accepted too and preferred; undefined when none is set.
 */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.REDIS_URL) return env.REDIS_URL;
  if (!env.REDIS_HOST && !env.REDIS_PORT) return undefined;
  const url = new URL('redis://127.0.0.1:6379');
  if (env.REDIS_HOST) url.hostname = env.REDIS_HOST;
  if (env.REDIS_PORT) url.port = env.REDIS_PORT;
  if (env.REDIS_PASSWORD) url.password = env.REDIS_PASSWORD;
  return url.toString().replace(/\/$/, '');
}
