import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { groupAlive } from '../../src/services/process.js';
import { createTestSchema, TEST_REDIS_URL, type TestSchema } from '../../src/stack/test-support.js';
import { freePort } from '../../src/engine/net.js';
import { nothingListens, runCli } from './helpers.js';

function pidFromLog(stderr: string): number {
  const match = /Started the SUT \(process group (\d+)\)/.exec(stderr);
  expect(match, stderr).not.toBeNull();
  return Number(match![1]);
}

describe('run: bad input and faults end cleanly', () => {
  let schema: TestSchema;
  const chainId = randomInt(900_000_000, 2_000_000_000);
  // A failed run leaves its SUT log beside the result it would have written: here, not in the
  // repository's results/.
  const outDir = mkdtempSync(path.join(tmpdir(), 'run-faults-'));
  const base = (): string[] => [
    'run',
    '--out',
    path.join(outDir, 'result.json'),
    '--chain-id',
    String(chainId),
    '--redis-url',
    TEST_REDIS_URL,
    '--progress',
    'off',
  ];

  beforeAll(async () => {
    schema = await createTestSchema('faults');
  });
  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    await redis.del(`events:${chainId}`);
    redis.disconnect();
    await schema?.drop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('rejects an unknown scenario, naming the flag and the valid values', async () => {
    const outcome = await runCli([...base(), '--scenario', 'huge']);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(
      '--scenario: unknown scenario "huge"; valid scenarios are quick, medium, stress, burst, sustained',
    );
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects bad numbers and concurrency above the events', async () => {
    for (const [args, flag] of [
      [['--events', '-5'], '--events'],
      [['--rate', 'fast'], '--rate'],
      [['--events', '3', '--concurrency', '10'], '--concurrency'],
    ] as const) {
      const outcome = await runCli([...base(), '--database-url', schema.url, ...args]);
      expect(outcome.code, outcome.stderr).not.toBe(0);
      expect(outcome.stderr).toContain(flag);
    }
  });

  it('names an unreachable PostgreSQL with its password masked, within the ready timeout', async () => {
    const outcome = await runCli([
      ...base(),
      '--database-url',
      'postgres://load:s3cret@127.0.0.1:1/x',
      '--ready-timeout',
      '2',
    ]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain(
      'PostgreSQL at postgres://load:***@127.0.0.1:1/x was not ready within 2 s',
    );
    expect(outcome.stderr).not.toContain('s3cret');
    expect(outcome.elapsedMs).toBeLessThan(30_000);
  });

  it('says plainly when the tables are missing, and closes the receiver', async () => {
    const port = await freePort();
    const outcome = await runCli([
      ...base(),
      ...['--database-url', schema.url, '--receiver-port', String(port), '--seed-before-start'],
    ]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/table endpoints not found.*has the SUT's migration run\?/);
    expect(await nothingListens(port)).toBe(true);
  });

  it('stops a SUT that never becomes ready, naming what it waited for', async () => {
    const port = await freePort();
    const outcome = await runCli([
      ...base(),
      ...['--database-url', schema.url, '--apply-schema', '--receiver-port', String(port)],
      ...['--start', 'sleep 120', '--ready-timeout', '3'],
    ]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(
      /a reader of stream events:\d+ in consumer group message_processors .* was not ready within 3 s/,
    );
    expect(groupAlive(pidFromLog(outcome.stderr))).toBe(false);
    expect(await nothingListens(port)).toBe(true);
  });

  it('stops with the SUT log when the SUT dies mid-run', async () => {
    const port = await freePort();
    // A "SUT" that creates the consumer group and reads it (so it passes readiness), then dies
    // while events are being published.
    const redisCli = `redis-cli -u ${TEST_REDIS_URL}`;
    const read = `${redisCli} XREADGROUP GROUP message_processors c1 COUNT 100 BLOCK 200 STREAMS events:${chainId} '>' >/dev/null`;
    const sut = `${redisCli} XGROUP CREATE events:${chainId} message_processors '$' MKSTREAM; end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do ${read}; done; echo 'processor panicked' >&2; exit 3`;
    const outcome = await runCli([
      ...base(),
      ...['--database-url', schema.url, '--apply-schema', '--receiver-port', String(port)],
      ...['--events', '2000', '--rate', '500', '--warmup', '0', '--start', sut],
    ]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toMatch(/the SUT command .* exited with code 3/);
    expect(outcome.stderr).toContain('processor panicked');
    expect(readdirSync(outDir)).toContain('result.services.log');
    expect(groupAlive(pidFromLog(outcome.stderr))).toBe(false);
    expect(await nothingListens(port)).toBe(true);
  });
});
