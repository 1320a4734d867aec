import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { streamKey } from '../../stack/contracts.js';
import { EventGenerator, fieldsToObject } from '../../engine/events/generator.js';
import { newRunId } from '../../engine/events/identity.js';
import { startTestReceiver, waitFor, type TestReceiver } from '../../reference/test-receiver.js';
import { seedEndpoints } from '../../stack/seeder.js';
import {
  createTestSchema,
  TEST_CLI_ARGS,
  TEST_REDIS_URL,
  uniqueSuffix,
  type TestSchema,
} from '../../stack/test-support.js';

const CLI = [...TEST_CLI_ARGS, 'reference'];

interface Started {
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', REDIS_URL: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => resolve(code)),
  );
  return { child, stderr: () => stderr, exited };
}

describe('ethhook-load-test reference', () => {
  const chainId = 900_000_000 + randomInt(1_000_000_000);
  const queue = `lt:delivery:${uniqueSuffix()}`;
  let schema: TestSchema;
  let receiver: TestReceiver;
  let redis: Redis;

  beforeAll(async () => {
    schema = await createTestSchema('refcli');
    receiver = await startTestReceiver();
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    await redis?.del(streamKey(chainId), queue);
    redis?.disconnect();
    await receiver?.close();
    await schema?.drop();
  });

  it('takes its settings from the environment like EthHook, delivers, and stops cleanly on SIGTERM', async () => {
    const redisUrl = new URL(TEST_REDIS_URL);
    const sut = start(['--apply-schema', '--health-host', '127.0.0.1'], {
      DATABASE_URL: schema.url,
      REDIS_HOST: redisUrl.hostname,
      REDIS_PORT: redisUrl.port || '6379',
      CHAIN_IDS: String(chainId),
      QUEUE_NAME: queue,
      WORKER_COUNT: '2',
      PROCESSOR_HEALTH_PORT: '0',
      DELIVERY_HEALTH_PORT: '0',
    });
    await waitFor(
      'the pipeline to come up',
      () => sut.stderr().includes('reference pipeline up'),
      30_000,
    );
    expect(sut.stderr()).toContain(`reading events:${chainId} as message_processors/`);
    expect(sut.stderr()).toContain(`2 workers on ${queue}`);
    const processorHealth = /health (http:\/\/127\.0\.0\.1:\d+)\/health, /.exec(sut.stderr())![1]!;
    const ready = await fetch(`${processorHealth}/ready`);
    expect(ready.status).toBe(200);

    // --apply-schema created the tables; seed them and push one event through the process.
    const [endpoint] = await seedEndpoints(schema.pool, { webhookUrl: receiver.url, chainId });
    const generator = new EventGenerator({
      chainId,
      runId: newRunId(),
      seed: 3,
      mix: { usdc: 1, weth: 0, dai: 0, link: 0, uniswap: 0 },
    });
    const flat = generator.build(0, 0, 1);
    await redis.xadd(streamKey(chainId), '*', ...flat);
    const txHash = fieldsToObject(flat).tx_hash!;
    await waitFor('the webhook', () => receiver.requestsFor(txHash).length > 0);
    expect(receiver.requestsFor(txHash)[0]!.headers['x-webhook-id']).toBe(endpoint!.id);

    sut.child.kill('SIGTERM');
    expect(await sut.exited).toBe(0);
    expect(sut.stderr()).toContain('SIGTERM: stopping');
    expect(sut.stderr()).toMatch(/stopped .*"delivered":1/);
    await expect(fetch(`${processorHealth}/health`)).rejects.toThrow();
  }, 60_000);

  it('says which service it cannot reach', async () => {
    const sut = start(
      [
        '--role',
        'processor',
        '--redis-url',
        'redis://:pw@127.0.0.1:1',
        '--processor-health-port',
        '0',
      ],
      { DATABASE_URL: schema.url },
    );
    expect(await sut.exited).toBe(64);
    expect(sut.stderr()).toContain('error: cannot connect to Redis at redis://:***@127.0.0.1:1');
    expect(sut.stderr()).not.toContain('pw@');
  }, 30_000);

  it('takes a fractional processing delay and names the flag of a negative one', async () => {
    const fractional = start(
      ['--role', 'processor', '--redis-url', 'redis://127.0.0.1:1', '--processing-delay-ms', '0.9'],
      { DATABASE_URL: schema.url },
    );
    expect(await fractional.exited).toBe(64);
    // It got past the flags to the connection: 0.9 was accepted.
    expect(fractional.stderr()).toContain('cannot connect to Redis');
    const negative = start(['--processing-delay-ms', '-1'], { DATABASE_URL: schema.url });
    expect(await negative.exited).not.toBe(0);
    expect(negative.stderr()).toContain('--processing-delay-ms');
  }, 30_000);
});
