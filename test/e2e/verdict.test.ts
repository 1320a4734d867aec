import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBaselineCommand } from '../../src/cli/commands/baseline.js';
import { registerRunCommand } from '../../src/cli/commands/run.js';
import { runCli } from '../../src/cli/main.js';
import { isolatedStack, type IsolatedStack } from './helpers.js';

/** Runs the CLI in this process, capturing stdout and the exit code the command set. */
async function cli(args: string[]): Promise<{ exitCode: number; stdout: string }> {
  let stdout = '';
  let exitCode = 0;
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    setExitCode: (code: number) => {
      exitCode = code;
    },
  };
  const returned = await runCli(
    ['node', 'ethhook-load-test', ...args],
    [
      (p) => registerRunCommand(p, io),
      (p) => registerBaselineCommand(p, { ...io, env: {}, now: () => new Date() }),
    ],
  );
  process.exitCode = undefined;
  return { exitCode: returned || exitCode, stdout };
}

// The judgement users trust: a baseline from this machine, an unchanged run passes, a real
// regression (an injected processing delay that more than doubles p50) fails and is named.
describe('baseline -> pass -> regression', () => {
  let stack: IsolatedStack;
  let dir: string;
  beforeAll(async () => {
    stack = await isolatedStack();
    dir = mkdtempSync(join(tmpdir(), 'verdict-e2e-'));
  });
  afterAll(async () => {
    await stack?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const runArgs = (): string[] => [
    'run',
    ...[
      '--events',
      '600',
      '--rate',
      '300',
      '--concurrency',
      '4',
      // No --warmup: the default (5 s of the rate) is what keeps the first trial from running slow.
      '--trials',
      '3',
    ],
    ...[
      '--chain-id',
      String(stack.chainId),
      '--redis-url',
      stack.redisUrl,
      '--database-url',
      stack.databaseUrl,
    ],
    ...['--apply-schema', '--drain-timeout', '5', '--progress', 'off'],
    // p50 and throughput decide here. A trial is 2 s (600 events), so its p95 and p99 rest on
    // 30 and 6 events: one stall of a few tens of ms anywhere on the machine
    // moves them in one trial out of three, and the verdict then rightly says "too noisy to
    // judge" instead of pass (one run saw p99 19.7 / 24.8 / 41.4 ms vs 8.36). That rule
    // is unit-tested in src/compare/verdict.test.ts; this test is about the whole loop.
    ...['--gate', 'p50,throughput'],
  ];

  async function withPipeline<T>(processingDelayMs: number, work: () => Promise<T>): Promise<T> {
    const pipeline = await stack.startPipeline({ processingDelayMs });
    try {
      return await work();
    } finally {
      await pipeline.stop();
    }
  }

  it('makes a baseline, passes an unchanged run, and fails a run whose p50 more than doubled', async () => {
    const baselineResult = join(dir, 'baseline-run.json');
    await withPipeline(0, async () => {
      expect((await cli([...runArgs(), '--out', baselineResult])).exitCode).toBe(0);
    });
    expect(
      (
        await cli([
          'baseline',
          'update',
          baselineResult,
          '--name',
          'e2e',
          '--dir',
          dir,
          '--commit',
          'abc123',
        ])
      ).exitCode,
    ).toBe(0);
    const baselineFile = join(dir, 'e2e.json');
    const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as {
      aggregate: { trials: unknown[] };
      commit: string;
    };
    expect(baseline.aggregate.trials).toHaveLength(3);
    expect(baseline.commit).toBe('abc123');

    const unchanged = await withPipeline(0, () =>
      cli([
        ...runArgs(),
        '--out',
        join(dir, 'unchanged.json'),
        '--baseline',
        baselineFile,
        '--json',
        '--markdown',
        join(dir, 'unchanged.md'),
      ]),
    );
    const passVerdict = JSON.parse(unchanged.stdout) as { outcome: string; reasons: string[] };
    expect(passVerdict.reasons).toBeDefined();
    // The reasons travel with the assertion: a failure here must say which rule spoke.
    expect(passVerdict.outcome, passVerdict.reasons.join('\n')).toBe('pass');
    expect(unchanged.exitCode).toBe(0);

    const regressed = await withPipeline(60, () =>
      cli([
        ...runArgs(),
        '--out',
        join(dir, 'regressed.json'),
        '--baseline',
        baselineFile,
        '--json',
        '--markdown',
        join(dir, 'regressed.md'),
      ]),
    );
    expect(regressed.exitCode).toBe(1);
    const failVerdict = JSON.parse(regressed.stdout) as {
      outcome: string;
      metrics: { id: string; status: string; deltaPercent: number | null }[];
    };
    expect(failVerdict.outcome, JSON.stringify(failVerdict.metrics)).toBe('regression');
    const p50 = failVerdict.metrics.find((m) => m.id === 'p50')!;
    expect(p50.status).toBe('regression');
    expect(p50.deltaPercent).toBeGreaterThan(100);
    const markdown = readFileSync(join(dir, 'regressed.md'), 'utf8');
    expect(markdown).toContain('<!-- ethhook-load-test:e2e -->');
    expect(markdown).toMatch(/REGRESSION/);
    expect(markdown).toMatch(/p50/i);
    expect(markdown).toMatch(/\+\d[\d,.]*\s?%/);
  });
});
