// `run --start` against the reference pipeline, in the order every mode shares (start, ready,
// seed, …), and what stopping it leaves behind: nothing.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/engine/net.js';
import { groupAlive } from '../../src/services/process.js';
import {
  createTestSchema,
  TEST_CLI_ARGS,
  TEST_REDIS_URL,
  type TestSchema,
} from '../../src/stack/test-support.js';
import { expectPhasesInOrder, nothingListens } from './helpers.js';

interface Cli {
  child: ReturnType<typeof spawn>;
  stderr(): string;
  exited: Promise<number | null>;
}

/** The CLI as users run it (bundled from the sources, scripts/test-cli.ts). */
function startCli(args: string[]): Cli {
  const child = spawn(process.execPath, [...TEST_CLI_ARGS, ...args], {
    env: { ...process.env, REDIS_URL: '', DATABASE_URL: '', NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
  return { child, stderr: () => stderr, exited };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const groupOf = (stderr: string): number =>
  Number(/Started the SUT \(process group (\d+)\)/.exec(stderr)?.[1] ?? NaN);

describe('run --start: one order, nothing left running', () => {
  const schemas: TestSchema[] = [];
  const chains: number[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'run-services-'));
  afterAll(async () => {
    const redis = new Redis(TEST_REDIS_URL);
    for (const chain of chains) await redis.del(`events:${chain}`);
    redis.disconnect();
    for (const schema of schemas) await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A schema and chain of its own, and the reference pipeline as the SUT command. */
  async function setup(pipelineFlags = '') {
    const schema = await createTestSchema('svc');
    schemas.push(schema);
    const chainId = randomInt(900_000_000, 2_000_000_000);
    chains.push(chainId);
    const healthPort = await freePort();
    const sut = [
      `${process.execPath} ${TEST_CLI_ARGS.join(' ')} reference`,
      `--redis-url ${TEST_REDIS_URL} --database-url '${schema.url}' --chain-ids ${chainId}`,
      `--health-host 127.0.0.1 --processor-health-port ${healthPort} --delivery-health-port 0`,
      pipelineFlags,
    ].join(' ');
    const common = [
      'run',
      ...['--chain-id', String(chainId), '--redis-url', TEST_REDIS_URL],
      ...['--database-url', schema.url, '--progress', 'off'],
      // One trial: these cases pin the order of the phases and the stopping, not the verdict.
      ...['--trials', '1'],
    ];
    return { schema, chainId, healthPort, sut, common };
  }

  it('a SUT that creates its own tables at start-up works without --apply-schema; its log lands beside the result', async () => {
    const { sut, common, healthPort } = await setup('--apply-schema');
    const out = path.join(dir, 'own-tables', 'result.json');
    const sutLogsBefore = readdirSync(tmpdir()).filter((name) =>
      name.startsWith('ethhook-lt-sut-'),
    );
    const cli = startCli([
      ...common,
      ...['--events', '300', '--rate', '150', '--warmup', '30', '--out', out, '--start', sut],
    ]);
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(0);
    expectPhasesInOrder(cli.stderr(), [
      'Started the SUT',
      '── Waiting for Redis and PostgreSQL',
      '── Waiting for the SUT',
      '── Seeding webhook endpoints',
      '── Warm-up',
      '── Measured run',
      'Stopped the SUT: process group',
    ]);
    const result = JSON.parse(readFileSync(out, 'utf8')) as { delivery: { lost: number } };
    expect(result.delivery.lost).toBe(0);
    const log = readFileSync(path.join(dir, 'own-tables', 'result.services.log'), 'utf8');
    expect(log).toMatch(/processor: reading events:/);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('ethhook-lt-sut-'))).toEqual(
      sutLogsBefore,
    );
    expect(groupAlive(groupOf(cli.stderr()))).toBe(false);
    expect(await nothingListens(healthPort)).toBe(true);
  });

  it('SIGTERM mid-run: exit 143, the whole SUT stopped', async () => {
    const { sut, common, healthPort } = await setup('--apply-schema');
    const cli = startCli([
      ...common,
      ...[
        '--events',
        '5000',
        '--rate',
        '200',
        '--warmup',
        '0',
        '--out',
        path.join(dir, 'term.json'),
      ],
      ...['--start', sut],
    ]);
    await until(() => cli.stderr().includes('── Measured run'), 120_000);
    cli.child.kill('SIGTERM');
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(143);
    expect(cli.stderr()).toContain('interrupted by SIGTERM');
    expect(groupAlive(groupOf(cli.stderr()))).toBe(false);
    expect(await nothingListens(healthPort)).toBe(true);
  });

  it('SIGTERM after its output pipes closed (a `| tee` that Ctrl-C ended first): exit 143, the SUT stopped', async () => {
    const { common } = await setup();
    // A SUT that never becomes ready: the run waits for it, and the signal comes meanwhile.
    const cli = startCli([...common, '--ready-timeout', '120', '--start', 'sleep 600']);
    await until(() => cli.stderr().includes('Started the SUT'), 60_000);
    const group = groupOf(cli.stderr());
    expect(groupAlive(group)).toBe(true);
    // Nobody reads its output any more: every line it writes from now on meets a closed pipe.
    cli.child.stdout?.destroy();
    cli.child.stderr?.destroy();
    const exited = new Promise<number | null>((resolve) => cli.child.on('exit', resolve));
    cli.child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(groupAlive(group)).toBe(false);
  });

  it('the started shell killed mid-run: the run stops saying so, and the pipeline it started does not keep its ports', async () => {
    const { sut, common, healthPort } = await setup('--apply-schema');
    // A wrapper shell, as users write them: the pipeline runs as its child.
    const cli = startCli([
      ...common,
      ...[
        '--events',
        '5000',
        '--rate',
        '200',
        '--warmup',
        '0',
        '--out',
        path.join(dir, 'kill.json'),
      ],
      ...['--start', `echo wrapper; ${sut}; echo done`],
    ]);
    await until(() => cli.stderr().includes('── Measured run'), 120_000);
    const group = groupOf(cli.stderr());
    process.kill(group, 'SIGKILL');
    const code = await cli.exited;
    expect(code, cli.stderr()).toBe(75);
    expect(cli.stderr()).toMatch(/the SUT command .* was killed by SIGKILL/);
    expect(cli.stderr()).toMatch(
      new RegExp(`Stopped the SUT: process group ${group}: 1 process ended by SIGTERM`),
    );
    expect(groupAlive(group)).toBe(false);
    expect(await nothingListens(healthPort)).toBe(true);
    expect(existsSync(path.join(dir, 'kill.json'))).toBe(false);
  });
});
