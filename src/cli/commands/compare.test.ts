import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateBaseline, writeBaseline } from '../../compare/baseline.js';
import { makeRunResult } from '../../compare/fixtures.js';
import { writeTrialSet } from '../../compare/result-file.js';
import { aggregateTrials } from '../../compare/trials.js';
import { UserError } from '../errors.js';
import { buildProgram } from '../main.js';
import { registerCompareCommand, type CommandIo } from './compare.js';

let dir: string;
const files = { baseline: '', same: '', slower: '', trials: '', corrupt: '', lossy: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'compare-cli-'));
  const run = (p50Ms: number, options: Parameters<typeof makeRunResult>[0] = {}) =>
    makeRunResult({
      sampleCount: 1000,
      latency: { p50Ms, p95Ms: p50Ms * 2.5, p99Ms: p50Ms * 5 },
      ...options,
    });
  files.baseline = join(dir, 'baselines', 'steady.json');
  // Six nights of three trials each, a few percent apart: the nights give the interval.
  let baseline = null;
  for (const [night, p50Ms] of [12, 12.3, 11.8, 12.1, 12.4, 11.9].entries()) {
    baseline = updateBaseline(
      baseline,
      aggregateTrials([run(p50Ms), run(p50Ms * 1.01), run(p50Ms * 0.99)]),
      {
        name: 'steady',
        commit: 'abc1234',
        date: `2025-01-1${night}T02:00:00.000Z`,
      },
    );
  }
  await writeBaseline(files.baseline, baseline!);
  files.same = join(dir, 'same.json');
  await writeFile(files.same, JSON.stringify(run(12.3)));
  files.slower = join(dir, 'slower.json');
  await writeFile(files.slower, JSON.stringify(run(30)));
  files.lossy = join(dir, 'lossy.json');
  await writeFile(files.lossy, JSON.stringify(run(12, { lost: 2 })));
  files.trials = join(dir, 'trials.json');
  await writeTrialSet(files.trials, aggregateTrials([run(12.1), run(12.2), run(12)]));
  files.corrupt = join(dir, 'corrupt.json');
  await writeFile(files.corrupt, '{ not json');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ output: string; exitCode: number | null }> {
  let output = '';
  let exitCode: number | null = null;
  const io: CommandIo = {
    stdout: { write: (text: string) => (output += text) },
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = buildProgram([(p) => registerCompareCommand(p, io)]);
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const command of program.commands)
    command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(['node', 'ethhook-load-test', 'compare', ...args]);
  return { output, exitCode };
}

describe('ethhook-load-test compare', () => {
  it('passes an unchanged run with exit code 0, the verdict last', async () => {
    const { output, exitCode } = await cli(files.same, files.baseline, '--no-color');
    expect(exitCode).toBe(0);
    expect(output).toMatch(
      /^Load test steady · the result .*same\.json \(1 trial on a .*\) vs the committed baseline steady \(6 nights/,
    );
    expect(output).toMatch(/\nPASS {2}Pass: every gated figure within the 1\.5x tolerance\.\n$/);
  });

  it('reads a trial set as well as a single run', async () => {
    const { output, exitCode } = await cli(files.trials, files.baseline, '--no-color');
    expect(exitCode).toBe(0);
    expect(output).toContain('(3 trials on a');
  });

  it('fails a regression with exit code 1, naming the metrics, and writes the markdown and the page', async () => {
    const markdown = join(dir, 'report.md');
    const { output, exitCode } = await cli(
      files.slower,
      files.baseline,
      '--no-color',
      '--markdown',
      markdown,
    );
    expect(exitCode).toBe(1);
    expect(output).toMatch(/\nREGRESSION {2}Regression: Latency p50 \+1\d\d% \[90% CI [^\n]*\n$/);
    const text = await readFile(markdown, 'utf8');
    expect(text.startsWith('<!-- ethhook-load-test:steady -->\n')).toBe(true);
    expect(text).toContain('REGRESSION');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(
      /<h1><span class="verdict fail">REGRESSION<\/span> Load test <code>steady<\/code>/,
    );
  });

  it('prints the verdict as JSON', async () => {
    const { output, exitCode } = await cli(files.slower, files.baseline, '--json');
    expect(exitCode).toBe(1);
    const verdict = JSON.parse(output) as {
      name: string;
      outcome: string;
      decidedBy: string;
      metrics: { id: string; status: string }[];
    };
    expect(verdict.name).toBe('steady');
    expect(verdict.outcome).toBe('regression');
    expect(verdict.decidedBy).toBe('figure-beyond-tolerance');
    expect(verdict.metrics.find((metric) => metric.id === 'p50')?.status).toBe('regression');
  });

  it('takes the tolerance and the gated metrics', async () => {
    expect(
      (await cli(files.slower, files.baseline, '--tolerance', '300%', '--no-color')).exitCode,
    ).toBe(0);
    expect(
      (await cli(files.slower, files.baseline, '--tolerance', '3x', '--no-color')).exitCode,
    ).toBe(0);
    const throughputOnly = await cli(files.slower, files.baseline, '--gate', 'throughput');
    expect(throughputOnly.exitCode).toBe(0);
  });

  it('fails on lost deliveries whatever the tolerance', async () => {
    const { exitCode, output } = await cli(
      files.lossy,
      files.baseline,
      '--tolerance',
      '10',
      '--no-color',
    );
    expect(exitCode).toBe(1);
    expect(output).toContain('2 of 1,002 expected deliveries lost');
  });

  it('is inconclusive without a baseline: exit 2, saying only correctness was judged', async () => {
    const missing = join(dir, 'baselines', 'nightly.json');
    const { output, exitCode } = await cli(files.same, missing, '--no-color');
    expect(exitCode).toBe(2);
    expect(output).toMatch(/INCONCLUSIVE {2}Inconclusive: no reference/);
  });

  it('rejects bad input with a clear message', async () => {
    await expect(cli(files.same, files.corrupt)).rejects.toThrow(UserError);
    await expect(cli(files.same, files.corrupt)).rejects.toThrow(/corrupt\.json is not valid JSON/);
    await expect(cli(files.corrupt, files.baseline)).rejects.toThrow(
      /corrupt\.json is not valid JSON \(.*\); it cannot be read as a result file/,
    );
    await expect(cli(join(dir, 'nope.json'), files.baseline)).rejects.toThrow(/No result file at/);

    const badTolerance = cli(files.same, files.baseline, '--tolerance', '0.8');
    await expect(badTolerance).rejects.toBeInstanceOf(CommanderError);
    await expect(badTolerance).rejects.toThrow(/Invalid --tolerance "0\.8".*1\.5, 1\.5x or 150%/);
    await expect(cli(files.same, files.baseline, '--gate', 'latency')).rejects.toThrow(
      /--gate: unknown metric "latency"/,
    );
  });
});
