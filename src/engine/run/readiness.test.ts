import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_TEST_ENDPOINTS } from '../../stack/contracts.js';
import { fieldsToObject } from '../events/generator.js';
import { freePort } from '../net.js';
import { matchingEndpoints } from '../../stack/matching.js';
import {
  createTestSchema,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueSuffix,
} from '../../stack/test-support.js';
import {
  CONSUMER_GROUP,
  consumerAlive,
  postgresReady,
  readinessProbeFields,
  redisReady,
  sutTablesReady,
} from './readiness.js';

const redis = new Redis(TEST_REDIS_URL);
const chainId = 1_800_000_000 + Math.floor(Math.random() * 99_999_999);
const stream = `events:${chainId}`;
afterAll(async () => {
  await redis.del(stream);
  redis.disconnect();
});

/** A processor of its own: reads the group with short blocks until stopped, acks what it got. */
function reader(): { stop(): Promise<void> } {
  const connection = new Redis(TEST_REDIS_URL);
  let running = true;
  const loop = (async () => {
    while (running) {
      const reply = (await connection.xreadgroup(
        'GROUP',
        CONSUMER_GROUP,
        'probe-test',
        'COUNT',
        10,
        'BLOCK',
        200,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][] | null;
      for (const [, entries] of reply ?? [])
        for (const [id] of entries) await connection.xack(stream, CONSUMER_GROUP, id);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      connection.disconnect();
    },
  };
}

describe('consumerAlive', () => {
  it('a group left from an earlier run, nobody reading: not ready, and says so', async () => {
    await redis.xgroup('CREATE', stream, CONSUMER_GROUP, '$', 'MKSTREAM');
    // The earlier run's consumer, gone since: it exists in the group but reads no more.
    const before = reader();
    await redis.xadd(stream, '*', 'old', '1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await before.stop();

    const started = Date.now();
    await expect(consumerAlive(TEST_REDIS_URL, stream, chainId, 1_500)).rejects.toThrow(
      /a reader of stream events:\d+ in consumer group message_processors .* was not ready within 2 s: group message_processors exists \(1 consumer\(s\)\) but nobody has read the readiness probe \d+-\d+ yet/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('a live reader takes the probe: ready', async () => {
    const live = reader();
    try {
      await consumerAlive(TEST_REDIS_URL, stream, chainId, 10_000);
    } finally {
      await live.stop();
    }
  });

  it('the probe is a well-formed event that none of the seeded endpoints matches', () => {
    const fields = fieldsToObject(readinessProbeFields(chainId, 1_700_000_000));
    const seeded = LOAD_TEST_ENDPOINTS.map((spec) => ({
      isActive: true,
      chainIds: [chainId],
      contractAddresses: [spec.contract] as string[],
      eventSignatures: spec.eventSignatures as string[] | null,
    }));
    const event = {
      chainId,
      contract: fields.contract as string,
      topics: JSON.parse(fields.topics as string) as string[],
    };
    expect(matchingEndpoints(seeded, event)).toEqual([]);
    expect(Object.keys(fields).sort()).toEqual(
      [
        'block_hash',
        'block_number',
        'chain_id',
        'contract',
        'data',
        'log_index',
        'timestamp',
        'topics',
        'tx_hash',
      ].sort(),
    );
  });
});

describe('a permanent error fails at once, saying what it is', () => {
  it('Redis: a password the server does not take', async () => {
    const port = await freePort();
    const server = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--requirepass',
        'right',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    try {
      await redisReady(`redis://:right@127.0.0.1:${port}`, 10_000);
      const started = Date.now();
      await expect(redisReady(`redis://:wrong@127.0.0.1:${port}`, 30_000)).rejects.toThrow(
        /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS .* \(the user or password in the Redis URL is wrong; retrying cannot help\)$/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect(redisReady(`redis://127.0.0.1:${port}`, 30_000)).rejects.toThrow(/NOAUTH/);
    } finally {
      server.kill();
    }
  });

  it('PostgreSQL: a database that does not exist', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/no_such_db_${uniqueSuffix()}`;
    const started = Date.now();
    await expect(postgresReady(url.toString(), 30_000)).rejects.toThrow(
      /does not exist \(the database named in the URL does not exist; retrying cannot help\)$/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('sutTablesReady', () => {
  it('waits for the tables the run needs, naming those still missing, and closes its connections', async () => {
    const schema = await createTestSchema('rdy');
    const url = new URL(schema.url);
    url.searchParams.set('application_name', schema.name);
    const probes = async (): Promise<number> => {
      const { rows } = await schema.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [schema.name],
      );
      return rows[0]?.n ?? -1;
    };
    try {
      await expect(sutTablesReady(url.toString(), 600)).rejects.toThrow(
        /^the SUT's tables \(endpoints, applications, users\) in PostgreSQL at .* was not ready within 1 s: missing: endpoints, applications, users$/,
      );
      await schema.pool.query('CREATE TABLE endpoints (id int)');
      await expect(sutTablesReady(url.toString(), 600)).rejects.toThrow(
        /: missing: applications, users$/,
      );
      await schema.pool.query('CREATE TABLE applications (id int); CREATE TABLE users (id int)');
      await sutTablesReady(url.toString(), 5_000);
      // Every probe closed its connection (the server may take a moment to retire a backend).
      await expect.poll(probes, { timeout: 2_000 }).toBe(0);
    } finally {
      await schema.drop();
    }
  });

  it('keeps retrying while PostgreSQL does not answer, and says why', async () => {
    const port = await freePort();
    await expect(sutTablesReady(`postgres://postgres@127.0.0.1:${port}/test`, 600)).rejects.toThrow(
      /was not ready within 1 s: .*ECONNREFUSED/,
    );
  });
});
