import { Redis } from 'ioredis';
import { sleepMs } from '../engine/clock.js';
import type { Logger } from '../engine/log.js';
import { maskUrl } from '../shared/redact.js';

/**
 * A connection for commands; like EthHook's ConnectionManager it reconnects on its own, so a Redis
 * restart costs a pause, not the process.
 */
export function commandConnection(redisUrl: string, name: string, logger: Logger): Redis {
  const redis = new Redis(redisUrl, {
    connectionName: name,
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let lastWarning = 0;
  redis.on('error', (error: Error) => {
    // One line per 10 s is enough to say Redis is gone; reconnecting continues in the background.
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      logger.warn(`${name}: Redis at ${maskUrl(redisUrl)}: ${error.message}`);
    }
  });
  return redis;
}

/**
 * A connection dedicated to one blocking command at a time (XREADGROUP BLOCK, BRPOP). stop() ends
 * the wait with CLIENT UNBLOCK from a second connection: the command returns "no data" at once and
 * nothing that the server had handed over is dropped, unlike closing the socket mid-command.
 */
export class BlockingConnection {
  readonly redis: Redis;
  private clientId: number | null = null;

  constructor(redisUrl: string, name: string, logger: Logger) {
    this.redis = commandConnection(redisUrl, name, logger);
    this.redis.on('ready', () => {
      this.clientId = null;
      this.redis
        .client('ID')
        .then((id) => {
          this.clientId = Number(id);
        })
        .catch(() => undefined);
    });
  }

  /** Resolves once connected and its client id is known (so unblock() can find it). */
  async ready(): Promise<void> {
    this.clientId = Number(await this.redis.client('ID'));
  }

  async unblock(via: Redis): Promise<void> {
    if (this.clientId === null) return;
    await via.client('UNBLOCK', this.clientId).catch(() => undefined);
  }

  close(): void {
    this.redis.disconnect();
  }
}

/**
 * Waits at most `timeoutMs` for `loops` to settle, unblocking their `connections` (via `commands`)
 * every 100 ms meanwhile: an UNBLOCK that reaches Redis just before the blocking command it aims
 * at is a no-op, so it is repeated. False when the loops were still running at the deadline.
 */
export async function settleUnblocking(
  loops: readonly Promise<unknown>[],
  connections: readonly BlockingConnection[],
  commands: Redis,
  timeoutMs: number,
): Promise<boolean> {
  let finished = false;
  const all = Promise.allSettled(loops).then(() => {
    finished = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!finished && Date.now() < deadline) {
    await Promise.all(connections.map((connection) => connection.unblock(commands)));
    await Promise.race([all, sleepMs(100)]);
  }
  return finished;
}
