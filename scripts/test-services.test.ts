import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/engine/net.js';
import { ensureTestServices } from './test-services.js';

const silent = {
  info: () => undefined,
  warn: () => undefined,
  group: <T>(_: string, work: () => Promise<T>) => work(),
};

describe('the test run services', () => {
  it('keeps TEST_REDIS_URL and TEST_DATABASE_URL as given, starting nothing', async () => {
    const env = {
      TEST_REDIS_URL: 'redis://127.0.0.1:1/9',
      TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/elsewhere',
    };
    const services = await ensureTestServices(env, undefined, silent);
    expect(services).toMatchObject({
      redisUrl: env.TEST_REDIS_URL,
      databaseUrl: env.TEST_DATABASE_URL,
      started: [],
    });
    await services.stop();
  });

  // The machine's own Redis and PostgreSQL keep running (other runs use them): closed ports stand
  // in for "installed but not running".
  it('starts throwaway Redis and PostgreSQL when nothing answers at the defaults', async () => {
    const closed = { redis: await freePort(), postgres: await freePort() };
    const services = await ensureTestServices(
      {},
      {
        redisUrl: `redis://127.0.0.1:${closed.redis}`,
        databaseUrl: `postgres://postgres@127.0.0.1:${closed.postgres}/test`,
      },
      silent,
    );
    try {
      expect(services.started).toEqual([
        expect.stringMatching(/^redis-server on port \d+$/),
        expect.stringMatching(/^postgres on port \d+$/),
      ]);
      const redis = new Redis(services.redisUrl, { lazyConnect: true });
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      redis.disconnect();
      const client = new pg.Client({ connectionString: services.databaseUrl });
      await client.connect();
      // What test-support does first with it: a schema of its own.
      await client.query('CREATE SCHEMA probe_schema');
      await client.end();
    } finally {
      await services.stop();
    }
    const after = new Redis(services.redisUrl, { lazyConnect: true, retryStrategy: () => null });
    after.on('error', () => undefined);
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  }, 60_000);
});
