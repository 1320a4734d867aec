import { hostname } from 'node:os';
import { Redis } from 'ioredis';

/** The lease a run holds on its stream; renewed at a third of it while the run lives. */
export const STREAM_LOCK_LEASE_MS = 30_000;

/** The Redis key of the lock on `stream` (e.g. events:11155111). */
export const streamLockKey = (stream: string): string => `ethhook-load-test:lock:${stream}`;

/** Another run holds the stream: measuring now would share the SUT's consumer group with it. */
export class StreamInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamInUseError';
  }
}

/** Who holds a lock, readable in the refusal of a second run: host, pid and start time. */
export function holderId(startedAt = new Date()): string {
  return `host ${hostname()} pid ${process.pid} started ${startedAt.toISOString()}`;
}

// Renew and release only a lease that is still ours: another run may hold the key by now. A key
// that is gone (a Redis restarted without persistence) is taken again.
const RENEW = `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if holder == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Exclusive use of one stream (and so of the SUT's consumer group on it) for a run: SET NX PX
 * with a lease, renewed while the run lives, released at its end. A run that dies leaves a lease
 * that expires on its own. Two runs on one stream would each see the other's events as the SUT's
 * work and share its processors, so the second one is refused, naming the first.
 */
export class StreamLock {
  private renewal: NodeJS.Timeout | null = null;
  private lostReason: string | null = null;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly holder: string,
    private readonly leaseMs: number,
  ) {}

  static async acquire(
    redisUrl: string,
    stream: string,
    { holder = holderId(), leaseMs = STREAM_LOCK_LEASE_MS } = {},
  ): Promise<StreamLock> {
    // Reconnects on its own (unlike a probe's client), so renewal outlives a Redis restart.
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      connectTimeout: 2_000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    redis.on('error', () => undefined);
    const key = streamLockKey(stream);
    try {
      await redis.connect();
      const taken = await redis.set(key, holder, 'PX', leaseMs, 'NX');
      if (taken !== 'OK') {
        const [other, ttlMs] = await Promise.all([redis.get(key), redis.pttl(key)]);
        throw new StreamInUseError(
          `stream ${stream} is in use by another run (${other ?? 'a run that just ended'}; ` +
            `its lease ${key} ends in ${Math.max(0, Math.ceil(ttlMs / 1000))} s unless renewed). ` +
            `Two runs on one stream share the SUT's consumer group and measure each other: wait ` +
            `for it to end, or use another --chain-id`,
        );
      }
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    const lock = new StreamLock(redis, key, holder, leaseMs);
    lock.renewal = setInterval(() => void lock.renew(), Math.max(leaseMs / 3, 10));
    lock.renewal.unref();
    return lock;
  }

  /** Why the lease was lost (it expired while Redis was away, or was taken), else null. */
  get lost(): string | null {
    return this.lostReason;
  }

  private async renew(): Promise<void> {
    try {
      const renewed = await this.redis.eval(RENEW, 1, this.key, this.holder, this.leaseMs);
      if (renewed !== 1) this.lostReason ??= `the lease ${this.key} expired or was taken`;
    } catch {
      // Redis away for a moment: the next renewal tries again; an outage is named elsewhere.
    }
  }

  /** Stops renewing and deletes the key if it is still ours. */
  async release(): Promise<void> {
    if (this.renewal) clearInterval(this.renewal);
    this.renewal = null;
    try {
      await this.redis.eval(RELEASE, 1, this.key, this.holder);
    } catch {
      // Redis is gone: the lease expires on its own.
    } finally {
      this.redis.disconnect();
    }
  }
}
