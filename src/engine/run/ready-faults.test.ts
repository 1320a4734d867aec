import { randomInt } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepMs } from '../clock.js';
import { createTestSchema, TEST_REDIS_URL, type TestSchema } from '../../stack/test-support.js';
import { ServiceUnavailableError, SutFailedError } from './errors.js';
import { runTrials } from './run.js';
import { smallRun } from './testing.js';
import type { RunOptions } from './types.js';

/**
 * A TCP proxy in front of a real service: counts the connections it accepted and can be closed
 * with every connection through it, as a service that went away.
 */
async function proxyTo(target: URL): Promise<{
  port: number;
  accepted(): number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const viaProxy = (url: string, port: number): string => {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return proxied.toString();
};

describe('faults while the run waits for the SUT and seeds', () => {
  let schema: TestSchema;
  const chainId = randomInt(900_000_000, 2_000_000_000);
  beforeAll(async () => {
    schema = await createTestSchema('readyfaults');
  });
  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    await redis.del(`events:${chainId}`);
    redis.disconnect();
    await schema?.drop();
  });

  const options = (overrides: Partial<RunOptions>) =>
    smallRun({
      chainId,
      databaseUrl: schema.url,
      applySchema: true,
      readyTimeoutMs: 20_000,
      steal: { read: () => null, quietWaitMs: 0 },
      ...overrides,
    });

  it('stops probing once the SUT died while it was awaited (the CLI ends then, not at the ready timeout)', async () => {
    const redisProxy = await proxyTo(new URL(TEST_REDIS_URL));
    let died: Error | null = null;
    setTimeout(() => (died = new Error('the SUT command (exit 3) exited with code 3')), 300);
    try {
      const started = Date.now();
      // No SUT reads the stream: only its death can end the wait before the 20 s timeout.
      await expect(
        runTrials(
          options({
            redisUrl: viaProxy(TEST_REDIS_URL, redisProxy.port),
            sut: { start: async () => {}, waitReady: async () => {}, exitedError: () => died },
          }),
        ),
      ).rejects.toThrow(SutFailedError);
      expect(Date.now() - started).toBeLessThan(10_000);
      // The consumer probe polled Redis every 100 ms; once the run failed, it must have stopped.
      await sleepMs(300);
      const before = redisProxy.accepted();
      await sleepMs(700);
      expect(redisProxy.accepted() - before).toBe(0);
    } finally {
      await redisProxy.close();
    }
  });

  it('a signal that came while Redis and PostgreSQL were awaited ends the wait for the SUT at once', async () => {
    // SIGTERM while the run's first probes of Redis and PostgreSQL were answering (a busy CI step
    // signalled a run right after "Started the SUT" and took 121 s, its ready timeout, to stop):
    // the signal was already raised when the wait for the SUT began, with no abort event left to
    // hear, and the probes polled on.
    const interrupt = new AbortController();
    let started = 0;
    // No SUT reads the stream: only the signal can end the wait before the 20 s timeout.
    await expect(
      runTrials(
        options({
          signal: interrupt.signal,
          // The first 'ready' phase ends when Redis and PostgreSQL answer.
          onPhase: (phase) => {
            if (phase === 'ready' && !interrupt.signal.aborted) {
              started = Date.now();
              interrupt.abort(new Error('SIGTERM'));
            }
          },
        }),
      ),
    ).rejects.toThrow();
    expect(started).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('names PostgreSQL gone before seeding as a service outage, not a bug of the tool', async () => {
    const pgProxy = await proxyTo(new URL(schema.url));
    const redis = new Redis(TEST_REDIS_URL);
    let stopReading = async (): Promise<void> => {};
    try {
      // A reader of the group, so the SUT counts as ready (it reads the readiness probe entry).
      await redis.xgroup('CREATE', `events:${chainId}`, 'message_processors', '$', 'MKSTREAM');
      let reading = true;
      const reader = (async () => {
        while (reading) {
          await redis.xreadgroup(
            'GROUP',
            'message_processors',
            'c1',
            'COUNT',
            100,
            'BLOCK',
            100,
            'STREAMS',
            `events:${chainId}`,
            '>',
          );
        }
      })();
      stopReading = async () => {
        reading = false;
        await reader;
      };
      let readyPhases = 0;
      const run = runTrials(
        options({
          databaseUrl: viaProxy(schema.url, pgProxy.port),
          // The second 'ready' phase is the wait for the SUT: seeding comes right after it.
          onPhase: (phase) => {
            if (phase === 'ready' && ++readyPhases === 2) void pgProxy.close();
          },
        }),
      );
      await expect(run).rejects.toThrow(ServiceUnavailableError);
      await expect(run).rejects.toThrow(/PostgreSQL at postgres:\/\/.*before seeding/);
    } finally {
      await stopReading();
      redis.disconnect();
      await pgProxy.close();
    }
  });
});
