import { Redis } from 'ioredis';
import pg from 'pg';
import { sleepMs } from '../clock.js';
import { maskUrl } from '../../shared/redact.js';

export const CONSUMER_GROUP = 'message_processors';

/**
 * Polls `probe` until it succeeds or `timeoutMs` passes; the error names what was awaited and
 * carries the last failure, so "not ready" always says why.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean | string>,
  {
    timeoutMs,
    intervalMs = 250,
    signal,
  }: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (signal?.aborted) throw new Error(`stopped while waiting for ${what}`);
    try {
      const outcome = await probe();
      if (outcome === true) return;
      if (typeof outcome === 'string') lastProblem = outcome;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${what} was not ready within ${Math.round(timeoutMs / 1000)} s: ${lastProblem}`,
      );
    }
    await sleepMs(Math.min(intervalMs, Math.max(deadline - Date.now(), 1)));
  }
}

/** A Redis client that fails fast instead of reconnecting forever. */
export function probeRedisClient(redisUrl: string): Redis {
  return new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
}

/** One short-lived, fail-fast connection for a probe or a one-off question. */
export async function withRedis<T>(
  redisUrl: string,
  work: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = probeRedisClient(redisUrl);
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

export function redisReady(
  redisUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return waitUntil(
    `Redis at ${maskUrl(redisUrl)}`,
    () =>
      withRedis(
        redisUrl,
        async (redis) => (await redis.ping()) === 'PONG' || 'PING did not answer PONG',
      ),
    { timeoutMs, signal },
  );
}

export function postgresReady(
  databaseUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return waitUntil(
    `PostgreSQL at ${maskUrl(databaseUrl)}`,
    async () => {
      const client = new pg.Client({
        connectionString: databaseUrl,
        connectionTimeoutMillis: 2_000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    { timeoutMs, signal },
  );
}

/**
 * The processor's group is created with `$`: it sees only entries added after it exists, so
 * publishing before the group exists would lose events that are nobody's fault.
 */
export function consumerGroupReady(
  redisUrl: string,
  streamKey: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return waitUntil(
    `consumer group ${CONSUMER_GROUP} on stream ${streamKey} (is the SUT's message processor running and reading this chain?)`,
    () =>
      withRedis(redisUrl, async (redis) => {
        if ((await redis.exists(streamKey)) === 0) return `stream ${streamKey} does not exist yet`;
        const groups = (await redis.xinfo('GROUPS', streamKey)) as unknown[][];
        const names = groups.map((fields) => {
          const index = fields.indexOf('name');
          return index >= 0 ? String(fields[index + 1]) : '';
        });
        return (
          names.includes(CONSUMER_GROUP) || `groups on ${streamKey}: ${names.join(', ') || 'none'}`
        );
      }),
    { timeoutMs, signal },
  );
}

export function httpHealthy(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return waitUntil(
    `SUT health URL ${maskUrl(url)}`,
    async () => {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok || `HTTP ${response.status}`;
    },
    { timeoutMs, signal },
  );
}
