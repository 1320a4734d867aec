import { Redis } from 'ioredis';
import pg from 'pg';
import { missingTables } from '../../stack/db.js';
import { sleepMs } from '../clock.js';
import { maskUrl } from '../../shared/redact.js';

export const CONSUMER_GROUP = 'message_processors';

/**
 * A failure that waiting cannot cure (a wrong password, a database that does not exist): the
 * wait stops at once with it instead of retrying until the ready timeout.
 */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/**
 * Polls `probe` until it succeeds or `timeoutMs` passes; the error names what was awaited and
 * carries the last failure, so "not ready" always says why.
 */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean | string>,
  {
    timeoutMs,
    intervalMs = 100,
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
      if (error instanceof PermanentError) throw new Error(`${what}: ${error.message}`);
      lastProblem = messageOf(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `${what} was not ready within ${Math.round(timeoutMs / 1000)} s: ${lastProblem}`,
      );
    }
    await sleepMs(Math.min(intervalMs, Math.max(deadline - Date.now(), 1)));
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * A probe whose failure `why` explains as one retrying cannot cure (wrong credentials, no such
 * database) fails as a PermanentError saying so; any other failure is retried.
 */
async function failingForGood<T>(
  probe: Promise<T>,
  why: (error: unknown) => string | undefined,
): Promise<T> {
  try {
    return await probe;
  } catch (error) {
    const reason = why(error);
    if (reason) throw new PermanentError(`${messageOf(error)} (${reason}; retrying cannot help)`);
    throw error;
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
  // ioredis rejects a refused AUTH as "Connection is closed" and emits the reason as an event.
  let reason: unknown = null;
  redis.on('error', (error: unknown) => {
    reason = error;
  });
  try {
    try {
      await redis.connect();
    } catch (error) {
      throw reason ?? error;
    }
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** Redis refuses these for good: the URL's user or password is wrong or missing. */
const PERMANENT_REDIS_ERRORS = /^(WRONGPASS|NOAUTH|NOPERM)\b|invalid password/i;

export function redisReady(
  redisUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return waitUntil(
    `Redis at ${maskUrl(redisUrl)}`,
    () =>
      failingForGood(
        withRedis(
          redisUrl,
          async (redis) => (await redis.ping()) === 'PONG' || 'PING did not answer PONG',
        ),
        (error) =>
          PERMANENT_REDIS_ERRORS.test(messageOf(error))
            ? 'the user or password in the Redis URL is wrong'
            : undefined,
      ),
    { timeoutMs, signal },
  );
}

/** PostgreSQL refuses these for good: authentication, or a database that does not exist. */
const PERMANENT_POSTGRES_CODES: Record<string, string> = {
  '28P01': 'the password in the database URL is wrong',
  '28000': 'the server refuses this user or host (pg_hba.conf)',
  '3D000': 'the database named in the URL does not exist',
};

/**
 * One short-lived, fail-fast connection for a probe: its 'error' events are ignored (the awaited
 * connect or query rejects with the failure instead), and it is closed whatever happens.
 */
async function withPgClient<T>(
  databaseUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function postgresReady(
  databaseUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  return waitUntil(
    `PostgreSQL at ${maskUrl(databaseUrl)}`,
    () =>
      failingForGood(
        withPgClient(databaseUrl, async (client) => {
          await client.query('SELECT 1');
          return true;
        }),
        (error) => {
          const code = (error as { code?: unknown }).code;
          return typeof code === 'string' ? PERMANENT_POSTGRES_CODES[code] : undefined;
        },
      ),
    { timeoutMs, signal },
  );
}

/** The SUT's tables: its migrations ran (only when the run does not create them itself). */
export function sutTablesReady(
  databaseUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const tables = ['endpoints', 'applications', 'users'];
  return waitUntil(
    `the SUT's tables (${tables.join(', ')}) in PostgreSQL at ${maskUrl(databaseUrl)} (have its migrations run? or set apply-schema)`,
    () =>
      withPgClient(databaseUrl, async (client) => {
        const missing = await missingTables(client, tables);
        return missing.length === 0 || `missing: ${missing.join(', ')}`;
      }),
    { timeoutMs, signal },
  );
}

/**
 * The readiness probe's stream entry: a well-formed event that no endpoint can match (the zero
 * address, a zero topic, and no signature hashes to zero), so the SUT reads and acknowledges it
 * and delivers nothing. Its tx_hash carries no run identity: were it ever delivered, the receiver
 * would count it as foreign, and every measured run clears what the receiver saw before.
 */
export function readinessProbeFields(chainId: number, nowSec: number): string[] {
  const zero32 = `0x${'0'.repeat(64)}`;
  return [
    'chain_id',
    String(chainId),
    'block_number',
    '0',
    'block_hash',
    zero32,
    'tx_hash',
    zero32,
    'log_index',
    '0',
    'contract',
    `0x${'0'.repeat(40)}`,
    'topics',
    JSON.stringify([zero32]),
    'data',
    '0x',
    'timestamp',
    String(nowSec),
  ];
}

/** Stream ids compare as (milliseconds, sequence). */
function idAtLeast(id: string, reference: string): boolean {
  const [ms = 0, seq = 0] = id.split('-').map(Number);
  const [refMs = 0, refSeq = 0] = reference.split('-').map(Number);
  return ms > refMs || (ms === refMs && seq >= refSeq);
}

/**
 * The processor's group is created with `$`: it sees only entries added after it exists, so
 * publishing before the group exists would lose events that are nobody's fault. And the group
 * outlives its processor: a group left from an earlier run, with nobody reading, is not a SUT.
 * So once the group exists, one probe entry is added (see readinessProbeFields) and the SUT is
 * ready when the group has delivered it to a consumer (its last-delivered-id reached the probe).
 * Consumers' idle times cannot tell instead: before Redis 7.2 an empty read does not refresh
 * them, so a live processor on a quiet stream looks as idle as a dead one.
 */
export function consumerAlive(
  redisUrl: string,
  streamKey: string,
  chainId: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let probeId: string | null = null;
  return waitUntil(
    `a reader of stream ${streamKey} in consumer group ${CONSUMER_GROUP} (is the SUT's message processor running and reading this chain?)`,
    () =>
      withRedis(redisUrl, async (redis) => {
        if ((await redis.exists(streamKey)) === 0) return `stream ${streamKey} does not exist yet`;
        const groups = (await redis.xinfo('GROUPS', streamKey)) as unknown[][];
        const group = groups.find(
          (fields) => fields[fields.indexOf('name') + 1] === CONSUMER_GROUP,
        );
        if (!group) {
          const names = groups.map((fields) => String(fields[fields.indexOf('name') + 1]));
          return `groups on ${streamKey}: ${names.join(', ') || 'none'}`;
        }
        probeId ??= await redis.xadd(
          streamKey,
          '*',
          ...readinessProbeFields(chainId, Math.floor(Date.now() / 1000)),
        );
        const delivered = String(group[group.indexOf('last-delivered-id') + 1]);
        if (probeId && idAtLeast(delivered, probeId)) return true;
        const consumers = Number(group[group.indexOf('consumers') + 1]);
        return `group ${CONSUMER_GROUP} exists (${consumers} consumer(s)) but nobody has read the readiness probe ${probeId} yet: a group left from an earlier run, its processor gone?`;
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
