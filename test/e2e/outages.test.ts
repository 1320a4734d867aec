import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sleepMs } from '../../src/engine/clock.js';
import { DEFAULT_MIX } from '../../src/engine/events/generator.js';
import { silentLogger, type Logger } from '../../src/engine/log.js';
import { freePort } from '../../src/engine/net.js';
import { referenceConfig } from '../../src/reference/config.js';
import { startReferencePipeline, type ReferencePipeline } from '../../src/reference/pipeline.js';
import { Redis } from 'ioredis';
import { createTestSchema, TEST_REDIS_URL, type TestSchema } from '../../src/stack/test-support.js';
import { runTrials } from '../../src/engine/run/run.js';
import type { RunOptions } from '../../src/engine/run/types.js';

// A Redis of this file's own on a spare port, restarted mid-trial: the machine's shared Redis is
// never touched. No persistence, so a restart loses the stream and its group as an outage would.
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
}

function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('faults during a run', () => {
  let schema: TestSchema;
  let port: number;
  let redis: ChildProcess | null = null;
  let pipeline: ReferencePipeline | null = null;
  const chainId = randomInt(900_000_000, 2_000_000_000);

  beforeAll(async () => {
    schema = await createTestSchema('outage');
  });
  afterEach(async () => {
    await pipeline?.stop().catch(() => undefined);
    pipeline = null;
    if (redis) await stopRedis(redis);
    redis = null;
  });
  afterAll(async () => {
    await schema?.drop();
  });

  const options = (
    redisUrl: string,
    logger: Logger,
    overrides: Partial<RunOptions> = {},
  ): RunOptions => ({
    scenario: 'custom',
    events: 400,
    ratePerSec: 100,
    concurrency: 2,
    durationSec: null,
    chainId,
    seed: 1,
    mix: DEFAULT_MIX,
    warmupEvents: 20,
    redisUrl,
    databaseUrl: schema.url,
    applySchema: true,
    receiver: { host: '127.0.0.1', port: 0, path: '/webhook' },
    readyTimeoutMs: 15_000,
    drainTimeoutMs: 2_000,
    sutHealthUrls: [],
    thresholds: {
      maxAvgLatencyMs: 500,
      excellentThroughputPerSec: 1000,
      goodThroughputPerSec: 500,
    },
    progress: 'off',
    logger,
    steal: { read: () => null, quietWaitMs: 0 },
    ...overrides,
  });

  it('is named and the trial measured again once Redis is back; no short trial is valid', async () => {
    port = await freePort();
    redis = await startRedis(port);
    const redisUrl = `redis://127.0.0.1:${port}`;
    pipeline = await startReferencePipeline(
      referenceConfig({
        redisUrl,
        databaseUrl: schema.url,
        applySchema: true,
        chainIds: [chainId],
        deliveryQueue: `delivery_queue:outage:${chainId}`,
        healthHost: '127.0.0.1',
        processorHealthPort: 0,
        deliveryHealthPort: 0,
        blockMs: 200,
        retryBaseDelayMs: 50,
        retryMaxDelayMs: 500,
      }),
      silentLogger,
    );
    const warnings: string[] = [];
    let restart: Promise<void> | null = null;
    // Restart Redis about 1 s into the first measured trial.
    const logger: Logger = {
      ...silentLogger,
      warn: (line: string) => warnings.push(line),
      group: (title, work) => {
        if (title === 'Trial 1 of 2' && !restart) {
          restart = (async () => {
            await sleepMs(1_000);
            await stopRedis(redis!);
            await sleepMs(300);
            redis = await startRedis(port);
          })();
        }
        return work();
      },
    };
    const run = runTrials({ ...options(redisUrl, logger), trials: 2 });
    const outcome = await run.then(
      (results) => ({ results, error: null }),
      (error: unknown) => ({ results: null, error: error as Error }),
    );
    expect(restart).not.toBeNull();
    await restart;
    if (outcome.results) {
      for (const result of outcome.results) {
        // A trial is valid only when it published all that it was asked to.
        expect(result.publisher.published === 400 || !result.validity.valid).toBe(true);
        expect(result.publisher.published).toBe(400);
      }
      expect(warnings.join('\n')).toMatch(/Redis .*(went away|outage)[^\n]*Trial 1 of 2/);
    } else {
      expect(outcome.error!.message).toMatch(/Redis/);
      expect(outcome.error!.message).toMatch(/Trial 1 of 2/);
    }
  });

  it('names a PostgreSQL schema dropped mid-trial and ends without a verdict', async () => {
    const own = await createTestSchema('outage_pg');
    const sharedRedis = new Redis(TEST_REDIS_URL);
    const queue = `delivery_queue:outage:${chainId}:pg`;
    try {
      pipeline = await startReferencePipeline(
        referenceConfig({
          redisUrl: TEST_REDIS_URL,
          databaseUrl: own.url,
          applySchema: true,
          chainIds: [chainId],
          deliveryQueue: queue,
          healthHost: '127.0.0.1',
          processorHealthPort: 0,
          deliveryHealthPort: 0,
          blockMs: 200,
          retryBaseDelayMs: 50,
          retryMaxDelayMs: 500,
        }),
        silentLogger,
      );
      let dropped: Promise<void> | null = null;
      const logger: Logger = {
        ...silentLogger,
        group: (title, work) => {
          if (title === 'Trial 1 of 2' && !dropped) {
            dropped = sleepMs(1_000).then(() => own.drop());
          }
          return work();
        },
      };
      const run = runTrials({
        ...options(TEST_REDIS_URL, logger, { databaseUrl: own.url, readyTimeoutMs: 3_000 }),
        trials: 2,
      });
      await expect(run).rejects.toThrow(
        /PostgreSQL went away during Trial 1 of 2, [\d.]+ s in: .*without a verdict on the SUT/,
      );
      await dropped;
    } finally {
      await sharedRedis.del(`events:${chainId}`, queue);
      sharedRedis.disconnect();
      await own.drop();
    }
  });

  it('stops at once on a signal: no further trial and no trial measured again', async () => {
    const own = await createTestSchema('signal');
    const sharedRedis = new Redis(TEST_REDIS_URL);
    const queue = `delivery_queue:signal:${chainId}`;
    try {
      pipeline = await startReferencePipeline(
        referenceConfig({
          redisUrl: TEST_REDIS_URL,
          databaseUrl: own.url,
          applySchema: true,
          chainIds: [chainId],
          deliveryQueue: queue,
          healthHost: '127.0.0.1',
          processorHealthPort: 0,
          deliveryHealthPort: 0,
          blockMs: 200,
          retryBaseDelayMs: 50,
          retryMaxDelayMs: 500,
        }),
        silentLogger,
      );
      const abort = new AbortController();
      const titles: string[] = [];
      const warnings: string[] = [];
      const logger: Logger = {
        ...silentLogger,
        warn: (line) => warnings.push(line),
        group: (title, work) => {
          titles.push(title);
          if (title === 'Trial 1 of 3') setTimeout(() => abort.abort(), 1_000);
          return work();
        },
      };
      const run = runTrials({
        ...options(TEST_REDIS_URL, logger, { databaseUrl: own.url, signal: abort.signal }),
        trials: 3,
      });
      await expect(run).rejects.toThrow(/stopped before the rest of Trial 1 of 3/);
      expect(titles.filter((title) => title.startsWith('Trial'))).toEqual(['Trial 1 of 3']);
      expect(warnings.filter((line) => line.includes('measured again'))).toEqual([]);
    } finally {
      await sharedRedis.del(`events:${chainId}`, queue);
      sharedRedis.disconnect();
      await own.drop();
    }
  });
});
