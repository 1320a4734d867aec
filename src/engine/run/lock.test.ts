import { randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { sleepMs } from '../clock.js';
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
    const lock = await StreamLock.acquire(TEST_REDIS_URL, stream, { leaseMs: 300 });
    await sleepMs(900);
    expect(await redis.get(streamLockKey(stream))).toBe(lock.holder);
    await redis.del(streamLockKey(stream));
    await sleepMs(250);
    expect(await redis.get(streamLockKey(stream))).toBe(lock.holder);
    expect(lock.lost).toBeNull();
    await lock.release();
  });

  it('names a lease taken by another holder as lost, and does not delete it on release', async () => {
    const lock = await StreamLock.acquire(TEST_REDIS_URL, stream, { leaseMs: 300 });
    await redis.set(streamLockKey(stream), 'someone else', 'PX', 5_000);
    await sleepMs(250);
    expect(lock.lost).toContain('expired or was taken');
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
