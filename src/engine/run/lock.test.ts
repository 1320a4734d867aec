import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../../stack/test-support.js';
import { holderId, StreamInUseError, StreamLock, streamLockKey } from './lock.js';
import { runTrials } from './run.js';
import { smallRun } from './testing.js';

const stream = `events:${randomInt(900_000_000, 2_000_000_000)}`;
const redis = new Redis(TEST_REDIS_URL);

afterAll(async () => {
  await redis.del(streamLockKey(stream));
  redis.disconnect();
});

describe('StreamLock', () => {
  it('refuses a second holder naming the first, and frees the stream when released', async () => {
    const first = await StreamLock.acquire(TEST_REDIS_URL, stream);
    expect(first.holder).toContain(`host ${hostname()} pid ${process.pid} started `);
    const refusal = StreamLock.acquire(TEST_REDIS_URL, stream, { holder: 'the second' });
    await expect(refusal).rejects.toThrow(StreamInUseError);
    await expect(refusal).rejects.toThrow(
      `stream ${stream} is in use by another run (${first.holder};`,
    );
    await first.release();
    const second = await StreamLock.acquire(TEST_REDIS_URL, stream, { holder: 'the second' });
    await second.release();
    expect(await redis.exists(streamLockKey(stream))).toBe(0);
  });

  it('renews its lease while held, and takes the key again when Redis lost it', async () => {
    const key = streamLockKey(stream);
    const lock = await StreamLock.acquire(TEST_REDIS_URL, stream, { leaseMs: 300 });
    // A renewal sets the lease again: a minute's TTL given to the key comes back to 300 ms. Not
    // "still held 900 ms later": a process descheduled for longer than the lease loses the key
    // before its next renewal (and then takes it again).
    await redis.pexpire(key, 60_000);
    const leaseOf = async () => {
      const [[, holder], [, ttlMs]] = (await redis.multi().get(key).pttl(key).exec()) as [
        [null, string | null],
        [null, number],
      ];
      return { ours: holder === lock.holder, renewed: ttlMs > 0 && ttlMs <= 300 };
    };
    await expect.poll(leaseOf, { timeout: 5_000 }).toEqual({ ours: true, renewed: true });
    await redis.del(key);
    await expect.poll(() => redis.get(key), { timeout: 5_000 }).toBe(lock.holder);
    expect(lock.lost).toBeNull();
    await lock.release();
  });

  it('names a lease taken by another holder as lost, and does not delete it on release', async () => {
    const lock = await StreamLock.acquire(TEST_REDIS_URL, stream, { leaseMs: 300 });
    // A minute, not 5 s: had it expired before the release, the renewal would take the key again.
    await redis.set(streamLockKey(stream), 'someone else', 'PX', 60_000);
    await expect.poll(() => lock.lost, { timeout: 5_000 }).toContain('expired or was taken');
    await lock.release();
    expect(await redis.get(streamLockKey(stream))).toBe('someone else');
    await redis.del(streamLockKey(stream));
  });

  it('makes a second run on the stream fail up front, naming the first', async () => {
    const chainId = Number(stream.split(':')[1]);
    const held = await StreamLock.acquire(TEST_REDIS_URL, stream, { holder: holderId() });
    try {
      const run = runTrials(smallRun({ chainId }));
      await expect(run).rejects.toThrow(`is in use by another run (${held.holder};`);
      // Refused before its readiness probe wrote to the stream.
      expect(await redis.exists(stream)).toBe(0);
    } finally {
      await held.release();
    }
  });
});
