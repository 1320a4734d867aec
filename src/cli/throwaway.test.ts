import { existsSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../engine/log.js';
import { ensureServices } from './throwaway.js';

// Ports nothing listens on, so ensureServices has to start its own services.
const nowhere = {
  redisUrl: 'redis://127.0.0.1:1',
  databaseUrl: 'postgres://postgres@127.0.0.1:1/postgres',
};

describe('ensureServices', () => {
  it('uses what answers on localhost and starts nothing', async () => {
    // The test machine's PostgreSQL (trust, database test), not the reference stack's default.
    const services = await ensureServices({}, silentLogger, {
      redisUrl: 'redis://127.0.0.1:6379',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(services.started).toEqual([]);
    expect(services.redisUrl).toBe('redis://127.0.0.1:6379');
    await services.stop();
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
    const redis = new Redis(services.redisUrl, {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on('error', () => undefined);
    await expect(redis.connect()).rejects.toThrow();
    redis.disconnect();
    expect(services.workDir).not.toBeNull();
    expect(existsSync(services.workDir!)).toBe(false);
  }, 90_000);
});
