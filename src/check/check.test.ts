import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateBaseline, type Baseline } from '../compare/baseline.js';
import { makeRunResult } from '../compare/fixtures.js';
import { aggregateTrials } from '../compare/trials.js';
import type { Logger } from '../engine/log.js';
import type { RunResult } from '../engine/measure/result.js';
import type { RunOptions } from '../engine/run/types.js';
import { spawnExec } from '../services/exec.js';
import { givenBase } from './base.js';
import { runCheck, type CheckDependencies, type CheckSettings } from './check.js';
import { errorKind } from './exit.js';
import { shortWarmupNote } from './paired.js';
import { PairedRoundError } from './rounds.js';

/**
 * The one pipeline with real command services (a sleeping shell) and the run engine replaced by
 * fixtures: which reference it chooses, how many rounds it measures, what it decides.
 */

function quietLog(lines: string[] = []): Logger {
  return {
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`warning: ${message}`),
    group: (_title, work) => work(),
  };
}

const result = (p50Ms: number) =>
  makeRunResult({ latency: { p50Ms, p95Ms: p50Ms * 2.5, p99Ms: p50Ms * 5 } });

/** What the engine does before it measures: start the SUT, wait for it, begin watching it. */
async function startAsTheRunDoes(options: RunOptions): Promise<void> {
  await options.sut!.start();
  await options.sut!.waitReady();
  options.sut!.measuring?.();
}

/** Measures for `ms`, ending early (as the engine does) with "aborted" when the signal aborts. */
function measureFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });
}

/** Measurements come in round order: base first in odd rounds, head first in even ones. */
function pairedTrials(headRatios: readonly number[]): CheckDependencies['runTrials'] {
  let measurement = 0;
  return async (options: RunOptions & { trials: number }) => {
    await startAsTheRunDoes(options);
    const round = Math.floor(measurement / 2) + 1;
    const headNow = (measurement % 2 === 1) === (round % 2 === 1);
    measurement++;
    const p50 = headNow ? 2 * (headRatios[(round - 1) % headRatios.length] ?? 1) : 2;
    return Array.from({ length: options.trials }, () => result(p50));
  };
}

function setup(runTrials: CheckDependencies['runTrials'], overrides: Partial<CheckSettings> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-'));
  const lines: string[] = [];
  const services = { mode: 'command' as const, command: 'exec sleep 60' };
  const settings: CheckSettings = {
    name: 'quick',
    mode: 'check',
    compareTo: 'auto',
    load: {
      warmupEvents: 1500,
      ratePerSec: 500,
      readyTimeoutMs: 5_000,
      trials: 1,
    } as CheckSettings['load'],
    head: { services, cwd: dir, prepareCommand: null },
    describeHead: 'head',
    base: givenBase({ services, cwd: dir, prepareCommand: null }, 'the base'),
    baseline: null,
    judge: { tolerance: 1.5, gatedMetrics: ['p50'], minRounds: 3, maxRounds: 6 },
    logs: {
      single: path.join(dir, 'services.log'),
      base: path.join(dir, 'base.log'),
      head: path.join(dir, 'head.log'),
    },
    leaveServicesRunning: false,
    ...overrides,
  };
  const deps: CheckDependencies = {
    exec: spawnExec(() => undefined),
    log: quietLog(lines),
    env: process.env,
    tempDir: dir,
    settingName: (setting) => (setting === 'compareTo' ? 'compare-to' : setting),
    prepareSettingName: 'prepare-command',
    warmupSettingName: 'warmup-events',
    save: () => undefined,
    runTrials,
  };
  return { settings, deps, lines };
}

describe('runCheck: the base measured here', () => {
  it('passes identical sides after the minimum rounds, each start measuring the trials setting', async () => {
    const { settings, deps } = setup(pairedTrials([1]));
    settings.load = { ...settings.load, trials: 2 };
    const checked = await runCheck(settings, deps);
    expect(checked.choice.reference).toBe('base');
    expect(checked.judgement.outcome).toBe('pass');
    expect(checked.paired?.run.rounds).toHaveLength(3);
    // Every trial of every round, in each side's result file.
    expect(checked.headResults).toHaveLength(6);
    expect(checked.paired?.base.trials).toHaveLength(6);
  });

  it('fails a head twice as slow in every round, within the minimum rounds', async () => {
    const { settings, deps } = setup(pairedTrials([2, 2.1, 1.95]));
    const checked = await runCheck(settings, deps);
    expect(checked.judgement.outcome).toBe('regression');
    expect(checked.paired?.run.rounds).toHaveLength(3);
  });

  it('measures further rounds while a figure is undecided, then says inconclusive at the limit', async () => {
    // Round ratios 1.2, 1.6, 1.4: beyond the tolerance in one round, within it in another.
    const { settings, deps, lines } = setup(pairedTrials([1.2, 1.6, 1.4]));
    const checked = await runCheck(settings, deps);
    expect(checked.paired?.run.rounds.length).toBeGreaterThan(3);
    expect(checked.paired?.run.furtherRounds).toBe(checked.paired!.run.rounds.length - 3);
    expect(lines.some((line) => line.startsWith('Another round'))).toBe(true);
    expect(checked.judgement.outcome).not.toBe('pass');
  });
});

describe('runCheck: a round with an invalid trial', () => {
  it('is put aside and another measured in its place: the valid rounds decide', async () => {
    const valid = pairedTrials([2, 2.1, 1.95]);
    let measurement = 0;
    const stolenBase: CheckDependencies['runTrials'] = async (options) => {
      const [trial] = await valid(options);
      measurement += 1;
      // Round 1 is base first: its base trial lost CPU to the hypervisor.
      return measurement === 1
        ? [{ ...trial!, validity: { valid: false, reasons: ['steal 6.5% (limit 5.0%)'] } }]
        : [trial!];
    };
    const { settings, deps } = setup(stolenBase);
    const checked = await runCheck(settings, deps);
    expect(checked.paired?.run.rounds).toHaveLength(4);
    expect(checked.judgement.outcome).toBe('regression');
    expect(checked.judgement.setAside).toBe(1);
    expect(checked.judgement.reasons.join(' ')).toContain('round 1, base: steal 6.5% (limit 5.0%)');
  });
});

describe('runCheck: a side that dies during a round', () => {
  it('ends the round at once, naming the side and the round; the rounds before it are kept', async () => {
    let measurement = 0;
    const { settings, deps } = setup(async (options) => {
      measurement += 1;
      // The base of round 2 (the fourth start) is told to die before it starts: its process
      // exits after about 1 s, while it measures for up to 5 s. (The base once marked its own
      // first start with a file, which a busy machine could stop before its shell wrote it.)
      if (measurement === 4) writeFileSync(path.join(dir, 'die'), '');
      await startAsTheRunDoes(options);
      if (measurement === 4) await measureFor(5_000, options.signal);
      return [result(2)];
    });
    const dir = settings.head.cwd;
    const dying = {
      mode: 'command' as const,
      command: 'if [ -e die ]; then sleep 1; else exec sleep 60; fi',
    };
    const failed = await runCheck(
      {
        ...settings,
        base: givenBase({ services: dying, cwd: dir, prepareCommand: null }, 'the base'),
      },
      deps,
    ).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(PairedRoundError);
    expect((failed as Error).message).toMatch(/^round 2, base: the base failed during round 2: /);
    expect((failed as PairedRoundError).measured.rounds).toHaveLength(1);
    expect(errorKind(failed)).toBe('sut');
  }, 30_000);
});

/** A run that measures for a minute, ending early (as the engine does) when its signal aborts. */
const measuresAMinute: CheckDependencies['runTrials'] = async (options) => {
  await startAsTheRunDoes(options);
  await measureFor(60_000, options.signal);
  return [result(2)];
};

describe('runCheck: a single side', () => {
  it('ends the measurement at once when the SUT dies, as a SUT failure naming what died', async () => {
    const { settings, deps } = setup(measuresAMinute, {
      base: { available: false, why: 'not a pull request' },
    });
    settings.head = { ...settings.head, services: { mode: 'command', command: 'sleep 1' } };
    const failed = await runCheck(settings, deps).catch((error: unknown) => error);
    expect(errorKind(failed)).toBe('sut');
    // Named by its exit, or (when the poll sees the empty group before the exit is reaped) by that.
    expect((failed as Error).message).toMatch(
      /^the SUT failed while it was measured: (the SUT command .* exited with code 0|sut: process group \d+ has no process left)/,
    );
    // The watch aborted the run (the test's timeout is far below the run's minute).
    expect(((failed as Error).cause as Error).message).toBe('aborted');
  }, 30_000);
});

describe('runCheck: the committed baseline', () => {
  /** Six nights: p50Ms, then p50Ms times each factor. */
  const nights = (p50Ms: number, factors = [1.02, 0.98, 1.01, 0.99, 1.03]) => {
    let baseline = updateBaseline(null, aggregateTrials([result(p50Ms)]), {
      name: 'quick',
      commit: null,
      date: '2026-11-01T02:00:00.000Z',
    });
    for (const [index, factor] of factors.entries()) {
      baseline = updateBaseline(baseline, aggregateTrials([result(p50Ms * factor)]), {
        name: 'quick',
        commit: null,
        date: `2026-11-0${index + 2}T02:00:00.000Z`,
      });
    }
    return baseline;
  };
  const single = (p50Ms: number) => async () => [result(p50Ms), result(p50Ms), result(p50Ms)];
  /** A head of p50 2 ms against `baseline`, not a pull request; `starts()` counts its starts. */
  const countingStarts = (baseline: Baseline) => {
    let count = 0;
    const checking = setup(
      async () => {
        count += 1;
        return [result(2), result(2), result(2)];
      },
      { base: { available: false, why: 'not a pull request' }, baseline },
    );
    return { ...checking, starts: () => count };
  };
  /** Nights 40% apart: three starts of the head cannot tell its p50 from the tolerance. */
  const WIDE_NIGHTS = [1.4, 0.7, 1.35, 0.75, 1.3];

  it('compares with the baseline when the base cannot be measured, and judges by its nights', async () => {
    const { settings, deps } = setup(single(2), {
      base: { available: false, why: 'not a pull request' },
      baseline: nights(2),
    });
    const checked = await runCheck(settings, deps);
    expect(checked.choice).toEqual({
      reference: 'baseline',
      why: 'compare-to auto: the committed baseline, as the base cannot be measured here (not a pull request)',
    });
    expect(checked.judgement.outcome).toBe('pass');
    expect(checked.judgement.nights).toBe(6);
    expect(checked.paired).toBeNull();
  });

  it('fails a head twice as slow as every night, after the minimum of starts', async () => {
    const { settings, deps } = setup(single(4), {
      base: { available: false, why: 'not a pull request' },
      baseline: nights(2),
    });
    const checked = await runCheck(settings, deps);
    expect(checked.judgement.outcome).toBe('regression');
    expect(checked.judgement.rounds).toBe(settings.judge.minRounds);
  });

  it('starts the head afresh, `rounds` times at least against nights, more while undecided, up to max-rounds', async () => {
    const baseline = nights(2, WIDE_NIGHTS);
    const { settings, deps, starts } = countingStarts(baseline);
    const checked = await runCheck(settings, deps);
    expect(starts()).toBe(settings.judge.maxRounds);
    expect(checked.judgement.rounds).toBe(starts());
    expect(checked.judgement.outcome).toBe('inconclusive');
    expect(checked.judgement.decidedBy).toBe('undecided-at-limit');
    expect(checked.headResults).toHaveLength(3 * starts());
  });

  it('measures an external SUT once against nights: measured again, it would be the same start', async () => {
    const baseline = nights(2, WIDE_NIGHTS);
    const { settings, deps, starts } = countingStarts(baseline);
    settings.head = { ...settings.head, services: { mode: 'external' } };
    const checked = await runCheck(settings, deps);
    expect(starts()).toBe(1);
    expect(checked.judgement.rounds).toBe(1);
    expect(checked.judgement.outcome).toBe('inconclusive');
  });

  it('measures one start against a young baseline: no start of the head narrows its interval', async () => {
    const young = updateBaseline(null, aggregateTrials([result(2)]), {
      name: 'quick',
      commit: null,
      date: '2026-11-01T02:00:00.000Z',
    });
    const { settings, deps, starts } = countingStarts(young);
    const checked = await runCheck(settings, deps);
    expect(starts()).toBe(1);
    expect(checked.judgement.anotherRound).toBeNull();
  });

  it('is inconclusive, naming the difference, when the baseline measured another load', async () => {
    const otherLoad = async () => {
      const trial = result(4);
      return [{ ...trial, config: { ...trial.config, events: 100, ratePerSec: 50 } }];
    };
    const { settings, deps } = setup(otherLoad, {
      base: { available: false, why: 'not a pull request' },
      baseline: nights(2),
    });
    const checked = await runCheck(settings, deps);
    expect(checked.judgement.outcome).toBe('inconclusive');
    expect(checked.judgement.decidedBy).toBe('invalid-data');
    expect(checked.judgement.reasons.join('\n')).toMatch(
      /measured with another load than this run \(/,
    );
  });

  it('with no reference at all, judges correctness only and says so', async () => {
    const { settings, deps } = setup(single(2), {
      base: { available: false, why: 'not a pull request' },
    });
    const checked = await runCheck(settings, deps);
    expect(checked.choice.reference).toBe('none');
    expect(checked.judgement.outcome).toBe('inconclusive');
    expect(checked.judgement.decidedBy).toBe('no-reference');
  });

  it('fails on a lost delivery whatever the reference', async () => {
    const lossy: RunResult = { ...result(2) };
    lossy.delivery = { ...lossy.delivery, lost: 3 };
    const { settings, deps } = setup(async () => [lossy], {
      base: { available: false, why: 'not a pull request' },
    });
    const checked = await runCheck(settings, deps);
    expect(checked.judgement.outcome).toBe('regression');
    expect(checked.judgement.decidedBy).toBe('lost-deliveries');
  });
});

describe('shortWarmupNote', () => {
  it('names the setting and the minimum when the warm-up is under 3 s of the load', () => {
    expect(shortWarmupNote({ warmupEvents: 500, ratePerSec: 500 }, '--warmup')).toBe(
      'warm-up of 500 events is 1.0 s of the 500/s load, shorter than the 3 s a paired check needs: ' +
        'each side starts fresh every round, so a change may be measured on a cold pipeline and ' +
        'partly missed; set --warmup to at least 1500',
    );
  });

  it('says nothing from 3 s of the load up, or when the rate is unbounded', () => {
    expect(shortWarmupNote({ warmupEvents: 1500, ratePerSec: 500 }, '--warmup')).toBeNull();
    expect(shortWarmupNote({ warmupEvents: 10, ratePerSec: 0 }, '--warmup')).toBeNull();
  });
});

describe('runCheck: the services log', () => {
  it("starts empty: an earlier run's lines at the same path are not shown as this SUT's", async () => {
    const started = async (options: RunOptions & { trials: number }) => {
      await options.sut!.start();
      await options.sut!.waitReady();
      // The run stops the group once the shell's echo is in the log (not a fixed 300 ms after
      // the start: the shell may not have run by then on a busy machine).
      await expect
        .poll(() => readFileSync(settings.logs.single, 'utf8'), { timeout: 10_000 })
        .toContain('this run');
      return [result(2)];
    };
    const { settings, deps } = setup(started, {
      base: { available: false, why: 'not a pull request' },
      head: {
        services: { mode: 'command', command: 'echo this run; exec sleep 60' },
        cwd: tmpdir(),
        prepareCommand: null,
      },
    });
    writeFileSync(settings.logs.single, 'panic: an earlier run\n');
    await runCheck(settings, deps);
    const log = readFileSync(settings.logs.single, 'utf8');
    expect(log).toContain('this run');
    expect(log).not.toContain('an earlier run');
  });
});
