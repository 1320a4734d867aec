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

// The judgement users trust, with the shipped defaults (scenario, trials, tolerance, gated
// metrics): a young baseline from this machine (one night, one start), an unchanged run that is
// not called a regression (one start against one start cannot pass a tail: inconclusive, saying
// so), and a real regression (an injected processing delay that more than doubles p50) that
// fails and is named.
describe('young baseline -> unchanged -> regression, default settings', () => {
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

  // Only what isolates this test from others on the machine; every judging setting is default.
  const runArgs = (): string[] => [
    'run',
    ...['--chain-id', String(stack.chainId), '--redis-url', stack.redisUrl],
    ...['--database-url', stack.databaseUrl, '--apply-schema', '--progress', 'off'],
  ];

  async function withPipeline<T>(processingDelayMs: number, work: () => Promise<T>): Promise<T> {
    const pipeline = await stack.startPipeline({ processingDelayMs });
    try {
      return await work();
    } finally {
      await pipeline.stop();
    }
  }

  interface JsonVerdict {
    outcome: string;
    summary: string;
    reasons: string[];
    metrics: { id: string; status: string; ratio: number | null; change: string }[];
  }

  /** A fresh baseline; null when this machine was too busy to hold the rate (then refused). */
  async function makeBaseline(name: string): Promise<string | null> {
    const result = join(dir, `${name}-run.json`);
    expect((await cli([...runArgs(), '--out', result])).exitCode).toBe(0);
    const update = ['baseline', 'update', result, '--name', name, '--dir', dir];
    const written = await cli([...update, '--commit', 'abc123']);
    return written.exitCode === 0 ? join(dir, `${name}.json`) : null;
  }

  it('makes a baseline, does not fail an unchanged run, and fails a run whose p50 more than doubled', async () => {
    // A shared machine stalls now and then, while the baseline is measured as much as later;
    // a test never bets on one noisy run. Up to three attempts (a fresh baseline, then an
    // unchanged run against it): one must be no regression, and say why it is not a pass.
    const attempts: JsonVerdict[] = [];
    let baselineFile = '';
    await withPipeline(0, async () => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const made = await makeBaseline(`e2e-${attempt}`);
        if (!made) {
          attempts.push({
            outcome: 'no baseline',
            summary: 'The baseline run was invalid (this machine could not hold the rate).',
            reasons: [],
            metrics: [],
          });
          continue;
        }
        baselineFile = made;
        const unchanged = await cli([
          ...runArgs(),
          '--out',
          join(dir, `unchanged-${attempt}.json`),
          '--baseline',
          baselineFile,
          '--json',
        ]);
        const verdict = JSON.parse(unchanged.stdout) as JsonVerdict;
        attempts.push(verdict);
        expect(verdict.reasons.length, verdict.summary).toBeGreaterThan(0);
        if (verdict.outcome === 'pass') expect(unchanged.exitCode).toBe(0);
        if (verdict.outcome === 'inconclusive') {
          expect(unchanged.exitCode).toBe(2);
          expect(verdict.reasons.join(' ')).toContain('A young baseline');
        }
        if (verdict.outcome !== 'regression') break;
      }
    });
    expect(
      attempts.map((verdict) => verdict.outcome),
      attempts.map((verdict) => [verdict.summary, ...verdict.reasons].join('\n')).join('\n\n'),
    ).toSatisfy((outcomes: string[]) =>
      outcomes.some((outcome) => outcome === 'pass' || outcome === 'inconclusive'),
    );
    const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as {
      aggregate: { trials: unknown[]; environment: { speed: { cpuMs: number } | null } };
      commit: string;
    };
    expect(baseline.commit).toBe('abc123');
    expect(baseline.aggregate.environment.speed?.cpuMs).toBeGreaterThan(0);

    // The slowed pipeline, up to three attempts for the same reason: the host can steal CPU time
    // through every trial measured again (CI once kept trials at 10.9% and 6.5% stolen, an
    // invalid run). An attempt that does not fail must be inconclusive, saying why: never a pass.
    const regressedOut = join(dir, 'regressed.json');
    const regressedAttempts: JsonVerdict[] = [];
    let regressed = { exitCode: 0, stdout: '' };
    await withPipeline(60, async () => {
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        regressed = await cli([
          ...runArgs(),
          '--out',
          regressedOut,
          '--baseline',
          baselineFile,
          '--json',
          '--markdown',
          join(dir, 'regressed.md'),
        ]);
        const verdict = JSON.parse(regressed.stdout) as JsonVerdict;
        regressedAttempts.push(verdict);
        if (verdict.outcome === 'regression') break;
        expect(verdict.outcome, verdict.summary).toBe('inconclusive');
        expect(verdict.reasons.length, verdict.summary).toBeGreaterThan(0);
      }
    });
    const failVerdict = regressedAttempts.at(-1)!;
    expect(
      failVerdict.outcome,
      regressedAttempts
        .map((verdict) => [verdict.summary, ...verdict.reasons].join('\n'))
        .join('\n\n'),
    ).toBe('regression');
    expect(regressed.exitCode).toBe(1);
    const p50 = failVerdict.metrics.find((m) => m.id === 'p50')!;
    expect(p50.status).toBe('regression');
    expect(p50.ratio).toBeGreaterThan(2);
    expect(p50.change).toMatch(/^\+\d[\d,.]*% \[90% CI /);
    const written = JSON.parse(readFileSync(regressedOut, 'utf8')) as { trialCount: number };
    expect(written.trialCount).toBe(baseline.aggregate.trials.length);
    const markdown = readFileSync(join(dir, 'regressed.md'), 'utf8');
    expect(markdown).toMatch(/<!-- ethhook-load-test:e2e-\d -->/);
    expect(markdown).toMatch(/REGRESSION/);
    expect(markdown).toMatch(/_Each gated figure's change is the median/);
  }, 600_000);

  it('fails a run that lost every delivery, with no baseline at all', async () => {
    const lossy = await withPipeline(0, () =>
      cli([
        ...runArgs(),
        ...['--events', '100', '--rate', '100', '--warmup', '0', '--trials', '1'],
        // Nothing listens there: every webhook fails, the workers give up, all are lost.
        ...['--webhook-url', 'http://127.0.0.1:9/webhook', '--drain-timeout', '2'],
        '--out',
        join(dir, 'lossy.json'),
      ]),
    );
    expect(lossy.exitCode).not.toBe(0);
  });
});
