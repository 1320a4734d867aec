import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_CLI_ARGS, TEST_REDIS_URL } from '../../stack/test-support.js';

const CLI = [...TEST_CLI_ARGS, 'publish'];
const REDIS_URL = TEST_REDIS_URL;
const keys: string[] = [];

interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `publish` in a child process; a hang is killed and fails the test instead of blocking it. */
function run(args: string[]): Promise<Exited> {
  const startedMs = Date.now();
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, NO_COLOR: '1', REDIS_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - startedMs });
    }),
  );
}

function randomChainId(): number {
  const chainId = 100_000_000 + Math.floor(Math.random() * 899_999_999);
  keys.push(`events:${chainId}`);
  return chainId;
}

afterAll(async () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe.concurrent('publish CLI: bad input names the flag', () => {
  const cases: [string, string[], RegExp][] = [
    ['negative events', ['--events', '-5'], /--events <n>' argument '-5' is invalid/],
    ['zero events', ['-n', '0'], /--events <n>' argument '0' is invalid/],
    ['non-numeric events', ['--events', 'many'], /--events <n>' argument 'many' is invalid/],
    ['negative rate', ['--rate', '-1'], /--rate <n>' argument '-1' is invalid/],
    ['non-numeric rate', ['-r', 'fast'], /--rate <n>' argument 'fast' is invalid/],
    ['zero concurrency', ['-c', '0'], /--concurrency <n>' argument '0' is invalid/],
    ['zero duration', ['--duration', '0'], /--duration <seconds>' argument '0' is invalid/],
    [
      'concurrency above events',
      ['-n', '10', '-c', '20'],
      /--concurrency 20 is above the events of the run \(--events 10\); use at most 10/,
    ],
    [
      'concurrency above rate x duration',
      ['-r', '2', '-d', '3', '-c', '7'],
      /--concurrency 7 is above .*--rate 2 x --duration 3 = 6 events/,
    ],
    ['events and duration', ['-n', '10', '-d', '5'], /--events 10 and --duration 5 both given/],
    ['unknown flag', ['--turbo'], /unknown option '--turbo'/],
    ['unknown contract in the mix', ['--mix', 'btc=1'], /--mix.*unknown contract "btc"/],
    ['a URL that is not Redis', ['--redis-url', 'http://x'], /--redis-url <url>' argument/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const { code, stderr, stdout } = await run(args);
      expect(code).toBe(64);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toBe('');
    });
  }

  it('an unreachable Redis: fails fast with the URL, password masked', async () => {
    const { code, stderr, elapsedMs } = await run([
      '--redis-url',
      'redis://loadtest:s3cret@127.0.0.1:1',
      '-n',
      '10',
    ]);
    expect(code).toBe(69);
    expect(stderr).toMatch(/error: cannot use Redis at redis:\/\/loadtest:\*\*\*@127\.0\.0\.1:1/);
    expect(stderr).not.toContain('s3cret');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(elapsedMs).toBeLessThan(20_000);
  });
});

describe('publish CLI: a run', () => {
  it('publishes and prints machine output on stdout only with --json', async () => {
    const chainId = randomChainId();
    const { code, stdout, stderr } = await run([
      '-n',
      '300',
      '-r',
      '1000',
      '-c',
      '3',
      '--chain-id',
      String(chainId),
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const outcome = JSON.parse(stdout) as {
      streamKey: string;
      attempted: number;
      failedSequences: number[];
      publisher: { published: number; rateMet: boolean; xaddHistogram: string };
    };
    expect(outcome.streamKey).toBe(`events:${chainId}`);
    expect(outcome.attempted).toBe(300);
    expect(outcome.failedSequences).toEqual([]);
    expect(outcome.publisher.published).toBe(300);
    expect(outcome.publisher.xaddHistogram).toMatch(/^HIST/);
    // Progress went to stderr, never into the JSON.
    expect(stderr).toContain('[publish] 300/300 events');
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    expect(await redis.xlen(`events:${chainId}`)).toBe(300);
    redis.disconnect();
  });

  it('prints a readable summary otherwise', async () => {
    const chainId = randomChainId();
    const { code, stdout } = await run([
      '-d',
      '0.5',
      '-r',
      '200',
      '-c',
      '2',
      '--chain-id',
      String(chainId),
      '--progress',
      'off',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Published 100 events to events:${chainId}`);
    expect(stdout).toMatch(/rate\s+\d+\/s, target 200\/s/);
    expect(stdout).toMatch(/XADD\s+p50 /);
  });
});
