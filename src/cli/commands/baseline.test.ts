import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBaseline } from '../../compare/baseline.js';
import { makeRunResult } from '../../compare/fixtures.js';
import { UserError } from '../errors.js';
import { buildProgram } from '../main.js';
import { registerBaselineCommand, type BaselineIo } from './baseline.js';

let dir: string;
let good: string;
let invalid: string;
let clock = Date.UTC(2025, 0, 14, 2);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baseline-cli-'));
  good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify(makeRunResult({ sampleCount: 200 })));
  invalid = join(dir, 'invalid.json');
  await writeFile(
    invalid,
    JSON.stringify(makeRunResult({ sampleCount: 200, valid: false, lost: 1 })),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  let output = '';
  const io: BaselineIo = {
    stdout: { write: (text: string) => (output += text) },
    setExitCode: () => undefined,
    env,
    now: () => new Date((clock += 86_400_000)),
  };
  const program = buildProgram([(p) => registerBaselineCommand(p, io)]);
  const quiet = { writeErr: () => undefined, writeOut: () => undefined };
  program.configureOutput(quiet);
  for (const command of program.commands) {
    command.configureOutput(quiet);
    for (const sub of command.commands) sub.configureOutput(quiet);
  }
  await program.parseAsync(['node', 'ethhook-load-test', 'baseline', ...args]);
  return output;
}

describe('ethhook-load-test baseline', () => {
  it('creates a baseline named after the scenario, then refreshes it keeping the history', async () => {
    const baselines = join(dir, 'baselines');
    const created = await cli({ GITHUB_SHA: 'f00dbabe11' }, 'update', good, '--dir', baselines);
    expect(created).toMatch(
      /^Created .*steady\.json: p50 12\.0 ms, p95 29\.9 ms, p99 5\d\.\d ms, throughput 100\.0 deliveries\/s \(1 trial\)\.\nCommit it/,
    );
    const first = await readBaseline(join(baselines, 'steady.json'));
    expect(first).toMatchObject({ name: 'steady', commit: 'f00dbabe11', history: [] });

    const refreshed = await cli({}, 'update', good, '--dir', baselines, '--commit', 'cafe1234');
    expect(refreshed).toMatch(
      /^Refreshed .*\nThe previous baseline \(f00dbab of 2025-01-15\) moved into the history, which now holds 1 of at most 120 nights\./,
    );
    const second = await readBaseline(join(baselines, 'steady.json'));
    expect(second.commit).toBe('cafe1234');
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.history.map((entry) => entry.commit)).toEqual(['f00dbabe11']);

    await cli({}, 'update', good, '--dir', baselines, '--history-limit', '1', '--commit', 'third');
    const third = await readBaseline(join(baselines, 'steady.json'));
    expect(third.history.map((entry) => entry.commit)).toEqual(['cafe1234']);
    const text = await readFile(join(baselines, 'steady.json'), 'utf8');
    expect(text).toContain('\n  "kind": "ethhook-load-test/baseline",\n');
  });

  it('takes a name, and refuses one that would leave the directory', async () => {
    await cli({}, 'update', good, '--dir', dir, '--name', 'nightly-1k');
    expect((await readBaseline(join(dir, 'nightly-1k.json'))).name).toBe('nightly-1k');
    await expect(
      cli({}, 'update', good, '--dir', dir, '--name', '../escape'),
    ).rejects.toBeInstanceOf(CommanderError);
  });

  it('keeps at most 1000 earlier nights: a larger --history-limit is refused, naming the range', async () => {
    const refused = cli(
      {},
      'update',
      good,
      '--dir',
      dir,
      '--name',
      'huge',
      '--history-limit',
      '1000000',
    );
    await expect(refused).rejects.toBeInstanceOf(CommanderError);
    await expect(refused).rejects.toThrow(
      "option '--history-limit <n>' argument '1000000' is invalid. Expected a whole number from 0 to 1,000 nights.",
    );
    await expect(readFile(join(dir, 'huge.json'))).rejects.toThrow(/ENOENT/);
    await cli({}, 'update', good, '--dir', dir, '--name', 'huge', '--history-limit', '1000');
    expect((await readBaseline(join(dir, 'huge.json'))).history).toEqual([]);
  });

  it('refuses an invalid or lossy run unless forced', async () => {
    const refused = cli({}, 'update', invalid, '--dir', dir, '--name', 'bad');
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toThrow(
      /Not writing .*bad\.json: the run is invalid \(.*\); 1 deliveries were lost\. .*pass --force/,
    );
    const forced = await cli({}, 'update', invalid, '--dir', dir, '--name', 'bad', '--force');
    expect(forced).toMatch(/Written despite: .*\(--force\)/);
  });

  it('refuses a run with injected faults unless --allow-faults; --force is not enough', async () => {
    const faulty = join(dir, 'faulty-run.json');
    await writeFile(
      faulty,
      JSON.stringify(
        makeRunResult({
          sampleCount: 200,
          config: { faults: { failureRate: 0.1, failureStatus: 503, delayMs: 0 } },
        }),
      ),
    );
    for (const extra of [[], ['--force']]) {
      const refused = cli({}, 'update', faulty, '--dir', dir, '--name', 'faulty', ...extra);
      await expect(refused).rejects.toBeInstanceOf(UserError);
      await expect(refused).rejects.toThrow(
        /Not writing .*faulty\.json: the run injected faults on purpose \(10% of webhooks answered 503\).*Pass --allow-faults/,
      );
    }
    const allowed = await cli(
      {},
      'update',
      faulty,
      '--dir',
      dir,
      '--name',
      'faulty',
      '--allow-faults',
    );
    expect(allowed).toMatch(/Written despite: the run injected faults .*\(--allow-faults\)/);
    const written = await readBaseline(join(dir, 'faulty.json'));
    expect(written.aggregate.config.faults).toEqual({
      failureRate: 0.1,
      failureStatus: 503,
      delayMs: 0,
    });
  });

  it('shows a baseline, and explains a missing one', async () => {
    const baselines = join(dir, 'show');
    await cli({ GITHUB_SHA: 'abc' }, 'update', good, '--dir', baselines);
    const shown = await cli({}, 'show', join(baselines, 'steady.json'));
    expect(shown).toMatch(/baseline "steady", commit abc/);
    expect(shown).toMatch(/Scenario steady at 100 events\/s, 1 trial\(s\), valid\./);
    await expect(cli({}, 'show', join(baselines, 'none.json'))).rejects.toThrow(
      /No baseline at .*none\.json\. Create it with/,
    );
  });
});
