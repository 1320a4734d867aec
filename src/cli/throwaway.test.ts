import { existsSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../engine/log.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../stack/test-support.js';
import { ensureServices, throwawayRedis } from './throwaway.js';

// Ports nothing listens on, so ensureServices has to start its own services.
const nowhere = {
  redisUrl: 'redis://127.0.0.1:1',
  databaseUrl: 'postgres://postgres@127.0.0.1:1/postgres',
};

/** Nothing answers at `url` any more: a stopped service is gone. */
async function expectNoRedisAt(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  redis.on('error', () => undefined);
  await expect(redis.connect()).rejects.toThrow();
  redis.disconnect();
}

describe('ensureServices', () => {
  it('uses what answers at the defaults and starts nothing', async () => {
    // The services of this test run (the machine's, or the throwaway ones scripts/test-services.ts
    // started on a machine where nothing answered on 6379 and 5432): they answer.
    const services = await ensureServices({}, silentLogger, {
      redisUrl: TEST_REDIS_URL,
      databaseUrl: TEST_DATABASE_URL,
    });
    try {
      expect(services.started).toEqual([]);
      expect(services.redisUrl).toBe(TEST_REDIS_URL);
      expect(services.databaseUrl).toBe(TEST_DATABASE_URL);
    } finally {
      // Whatever it started (when the test's services died), it stops: nothing outlives the test.
      await services.stop();
    }
  });

  it('uses REDIS_URL and DATABASE_URL as given', async () => {
    const services = await ensureServices(
      {
        REDIS_URL: 'redis://127.0.0.1:6379/2',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      },
      silentLogger,
      nowhere,
    );
    expect(services).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379/2',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      started: [],
    });
  });

  it('starts throwaway Redis and PostgreSQL when nothing answers, and removes them afterwards', async () => {
    const services = await ensureServices({}, silentLogger, nowhere);
    try {
      expect(services.started).toHaveLength(2);
      expect(existsSync(services.workDir!)).toBe(true);
      const redis = new Redis(services.redisUrl);
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
      const db = new pg.Client({ connectionString: services.databaseUrl });
      await db.connect();
      expect((await db.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
      await db.end();
    } finally {
      await services.stop();
    }
    await expectNoRedisAt(services.redisUrl);
    expect(services.workDir).not.toBeNull();
    expect(existsSync(services.workDir!)).toBe(false);
  }, 90_000);
});

describe('throwawayRedis', () => {
  it('answers on a port of its own, and is gone after stop()', async () => {
    const own = await throwawayRedis();
    expect(own.url).not.toBe(TEST_REDIS_URL);
    const redis = new Redis(own.url, { lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
      await own.stop();
    }
    await expectNoRedisAt(own.url);
  });
});
