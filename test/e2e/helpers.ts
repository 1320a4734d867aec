import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { DEFAULT_MIX } from '../../src/engine/events/generator.js';
import { streamKey } from '../../src/stack/contracts.js';
import { silentLogger } from '../../src/engine/log.js';
import type { RunOptions } from '../../src/engine/run/types.js';
import { referenceConfig, type ReferenceConfig } from '../../src/reference/config.js';
import { startReferencePipeline, type ReferencePipeline } from '../../src/reference/pipeline.js';
import {
  createTestSchema,
  REPO_ROOT,
  TEST_CLI_ARGS,
  TEST_REDIS_URL,
  uniqueSuffix,
  type TestSchema,
} from '../../src/stack/test-support.js';

/**
 * True when nothing listens on 127.0.0.1:port: a connection is refused. Not "can I listen there":
 * once freed, the port may serve as the local end of any client's connection on this machine (it
 * came from the ephemeral range), which makes a listen fail with EADDRINUSE though no server holds
 * it (a step-1 run, stop 40).
 */
export function nothingListens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * The CLI as users run it (bundled from the sources, scripts/test-cli.ts), without the environment's REDIS_URL and
 * DATABASE_URL and without colour, to its end or killed after `timeoutMs`.
 */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<CliOutcome> {
  const started = Date.now();
  const child = spawn(process.execPath, [...TEST_CLI_ARGS, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, REDIS_URL: '', DATABASE_URL: '', NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    }),
  );
}

/**
 * One isolated stack per test file: its own Postgres schema, its own chain id (so its own stream
 * events:<chain>) and its own delivery queue on the shared Redis. drop() removes all of it.
 */
export interface IsolatedStack {
  schema: TestSchema;
  chainId: number;
  deliveryQueue: string;
  databaseUrl: string;
  redisUrl: string;
  startPipeline(overrides?: Partial<ReferenceConfig>): Promise<ReferencePipeline>;
  runOptions(overrides?: Partial<RunOptions>): RunOptions;
  drop(): Promise<void>;
}

export async function isolatedStack(): Promise<IsolatedStack> {
  const schema = await createTestSchema('e2e');
  const chainId = randomInt(900_000_000, 2_000_000_000);
  const deliveryQueue = `delivery_queue:e2e:${uniqueSuffix()}`;
  const pipelines: ReferencePipeline[] = [];
  const stack: IsolatedStack = {
    schema,
    chainId,
    deliveryQueue,
    databaseUrl: schema.url,
    redisUrl: TEST_REDIS_URL,
    async startPipeline(overrides = {}) {
      const pipeline = await startReferencePipeline(
        referenceConfig({
          redisUrl: TEST_REDIS_URL,
          databaseUrl: schema.url,
          applySchema: true,
          chainIds: [chainId],
          deliveryQueue,
          healthHost: '127.0.0.1',
          processorHealthPort: 0,
          deliveryHealthPort: 0,
          blockMs: 200,
          retryBaseDelayMs: 50,
          retryMaxDelayMs: 500,
          ...overrides,
        }),
        silentLogger,
      );
      pipelines.push(pipeline);
      return pipeline;
    },
    runOptions(overrides = {}) {
      return {
        scenario: 'quick',
        events: 1_000,
        ratePerSec: 500,
        concurrency: 5,
        durationSec: null,
        chainId,
        seed: 1,
        mix: DEFAULT_MIX,
        warmupEvents: 50,
        redisUrl: TEST_REDIS_URL,
        databaseUrl: schema.url,
        applySchema: true,
        receiver: { host: '127.0.0.1', port: 0, path: '/webhook' },
        readyTimeoutMs: 20_000,
        drainTimeoutMs: 5_000,
        sutHealthUrls: [],
        thresholds: {
          maxAvgLatencyMs: 500,
          excellentThroughputPerSec: 1000,
          goodThroughputPerSec: 500,
        },
        progress: 'off',
        logger: silentLogger,
        ...overrides,
      };
    },
    async drop() {
      for (const pipeline of pipelines) await pipeline.stop().catch(() => undefined);
      const redis = new Redis(TEST_REDIS_URL);
      await redis.del(streamKey(chainId), deliveryQueue);
      redis.disconnect();
      await schema.drop();
    },
  };
  return stack;
}

/**
 * Asserts that every phase occurs in `log` (its first occurrence) and that they come in the order
 * given; on failure the message is `explanation` (the whole log unless told otherwise).
 */
export function expectPhasesInOrder(
  log: string,
  phases: readonly string[],
  explanation: string = log,
): void {
  const at = new Map(phases.map((phase) => [phase, log.indexOf(phase)]));
  expect(
    phases.filter((phase) => at.get(phase)! < 0),
    `phases missing from the log:\n${explanation}`,
  ).toEqual([]);
  expect(
    [...phases].sort((a, b) => at.get(a)! - at.get(b)!),
    `phases out of order:\n${explanation}`,
  ).toEqual(phases);
}
