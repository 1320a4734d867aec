import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeRunResult } from '../compare/fixtures.js';
import { comparePaired } from '../compare/paired-verdict.js';
import type { Logger } from '../engine/log.js';
import type { RunOptions } from '../engine/run/types.js';
import { spawnExec } from '../services/exec.js';
import { anotherRoundFor, runPairedCheck, shortWarmupNote } from './check.js';
import type { SideDependencies } from './side.js';

describe('shortWarmupNote', () => {
  it('names the setting and the minimum when the warm-up is under 3 s of the load', () => {
    expect(shortWarmupNote({ warmupEvents: 500, ratePerSec: 500 }, '--warmup')).toBe(
      'warm-up of 500 events is 1.0 s of the 500/s load, shorter than the 3 s a paired check needs: ' +
        'each side starts fresh every round, so a change may be measured on a cold pipeline and ' +
        'partly missed; set --warmup to at least 1500',
    );
    expect(shortWarmupNote({ warmupEvents: 0, ratePerSec: 120 }, 'warmup-events')).toMatch(
      /set warmup-events to at least 360$/,
    );
  });

  it('says nothing from 3 s of the load up, or when the rate is unbounded', () => {
    expect(shortWarmupNote({ warmupEvents: 1500, ratePerSec: 500 }, '--warmup')).toBeNull();
    expect(shortWarmupNote({ warmupEvents: 2500, ratePerSec: 500 }, '--warmup')).toBeNull();
    expect(shortWarmupNote({ warmupEvents: 10, ratePerSec: 0 }, '--warmup')).toBeNull();
  });
});

/**
 * Both sides as real command services (a sleeping shell); the run engine replaced. With
 * `headRatios`, round r's head measures p50 headRatios[r-1] times the base's 2 ms, judged on p50
 * at a 1.5x tolerance over 3 rounds.
 */
async function check(
  warmupEvents: number,
  headRatios?: number[],
  gatedMetric: 'p50' | 'p99' = 'p50',
) {
  const dir = mkdtempSync(path.join(tmpdir(), 'paired-check-'));
  const warnings: string[] = [];
  const log: Logger = {
    info: () => undefined,
    warn: (message) => warnings.push(message),
    group: (_title, work) => work(),
  };
  // Measurements come in round order: base first in odd rounds, head first in even ones.
  let measurement = 0;
  const runTrials: SideDependencies['runTrials'] = async (
    options: RunOptions & { trials: number },
  ) => {
    await options.sut!.start();
    await options.sut!.waitReady();
    const round = Math.floor(measurement / 2) + 1;
    const headNow = (measurement % 2 === 1) === (round % 2 === 1);
    measurement++;
    if (!headRatios) return [makeRunResult({ runId: 'trial' })];
    const ratio = headNow ? (headRatios[round - 1] ?? Number.NaN) : 1;
    const latency =
      gatedMetric === 'p50'
        ? { p50Ms: 2 * ratio, p95Ms: 5, p99Ms: 10 }
        : { p50Ms: 2, p95Ms: 5, p99Ms: 10 * ratio };
    return [makeRunResult({ runId: 'trial', latency })];
  };
  const side = (name: string) => ({
    services: { mode: 'command' as const, command: 'exec sleep 60' },
    cwd: dir,
    prepareCommand: null,
    logsPath: path.join(dir, `${name}.log`),
  });
  const { verdict, run } = await runPairedCheck(
    headRatios
      ? {
          base: side('base'),
          head: side('head'),
          rounds: 3,
          tolerance: 1.5,
          gatedMetrics: [gatedMetric],
        }
      : { base: side('base'), head: side('head'), rounds: 1, tolerance: 0.2 },
    {
      exec: spawnExec(() => undefined),
      log,
      env: process.env,
      tempDir: dir,
      readyTimeoutMs: 5_000,
      settingName: (setting) => setting,
      prepareSettingName: 'prepare-command',
      warmupSettingName: 'warmup-events',
      save: () => undefined,
      runTrials,
      load: { warmupEvents, ratePerSec: 500 } as SideDependencies['load'],
    },
  );
  return { verdict, warnings, rounds: run.rounds.length };
}

describe('runPairedCheck', () => {
  it('warns of a warm-up under 3 s of the load and notes it in the verdict', async () => {
    const { verdict, warnings } = await check(500);
    expect(warnings).toEqual([
      expect.stringMatching(/^Paired check: warm-up of 500 events is 1\.0 s/),
    ]);
    expect(verdict.reasons).toContainEqual(
      expect.stringMatching(/set warmup-events to at least 1500$/),
    );
  });

  it('notes nothing with the default 5 s of warm-up', async () => {
    const { verdict, warnings } = await check(2500);
    expect(warnings).toEqual([]);
    expect(verdict.reasons.join('\n')).not.toMatch(/warm-up/);
  });
});

describe('runPairedCheck: a regression that appears only in the further round', () => {
  // 3 rounds: +30%, +90%, +60%: worse than 1.5x on the whole, but the interval includes no
  // change, so a fourth is measured; +80% makes it a regression, not yet confirmed.
  it('fails only when one more round confirms it', async () => {
    const { verdict, rounds } = await check(2500, [1.3, 1.9, 1.6, 1.8, 1.7]);
    expect(rounds).toBe(5);
    expect(verdict.outcome).toBe('regression');
    expect(verdict.reasons.at(-1)).toBe(
      'not settled after 3 rounds (worse than the tolerance but not consistently, or an interval too wide to pass), so a further round was measured; the regression it showed was confirmed by one more (5 rounds in all)',
    );
  });

  it('is not a regression when the round after it points the other way', async () => {
    const { verdict, rounds } = await check(2500, [1.3, 1.9, 1.6, 1.8, 0.9]);
    expect(rounds).toBe(5);
    // Over all five rounds, +45%: within the tolerance.
    expect(verdict.outcome).toBe('pass');
    expect(verdict.reasons.at(-1)).toMatch(
      /the regression it showed was not confirmed by one more \(5 rounds in all\)$/,
    );
  });
});

describe('runPairedCheck: a tail worse in every round', () => {
  it('measures up to 5 rounds and fails only when all 5 agree', async () => {
    const { verdict, rounds } = await check(2500, [3, 2.6, 3.2, 2.8, 3.1], 'p99');
    expect(rounds).toBe(5);
    expect(verdict.outcome).toBe('regression');
    expect(verdict.reasons.at(-1)).toBe(
      'not settled after 3 rounds (worse than the tolerance but not consistently, or an interval too wide to pass), so a further round was measured; a tail still worse in every round got more, as it counts only when 5 rounds agree (5 rounds in all)',
    );
  });

  it('is no regression when the fifth round points the other way', async () => {
    const { verdict, rounds } = await check(2500, [3, 2.6, 3.2, 2.8, 0.9], 'p99');
    expect(rounds).toBe(5);
    expect(verdict.outcome).not.toBe('regression');
  });
});

describe('anotherRoundFor', () => {
  /** Rounds whose head p50 is `ratios` times the base's 2 ms (tails alike). */
  const verdictOf = (ratios: number[]) =>
    comparePaired(
      ratios.map((ratio) => ({
        base: makeRunResult({ latency: { p50Ms: 2, p95Ms: 5, p99Ms: 10 } }),
        head: makeRunResult({ latency: { p50Ms: 2 * ratio, p95Ms: 5, p99Ms: 10 } }),
      })),
      { tolerance: 1.5, gatedMetrics: ['p50'] },
    );

  it('confirms a regression and settles a change worse than the tolerance but not in every round', () => {
    expect(anotherRoundFor(verdictOf([1.8, 1.85, 1.9]))).toMatch(
      /^A regression: measuring one more round/,
    );
    // Worse than 1.5x on the whole, but one round the other way: "within noise" after 3 rounds.
    const unsettled = verdictOf([2.2, 2.4, 0.95]);
    expect(unsettled.outcome).toBe('inconclusive');
    expect(anotherRoundFor(unsettled)).toBe(
      'Latency p50 not settled (worse than the tolerance but not consistently, or an interval too wide to pass): measuring one more round to settle it',
    );
    // Within the tolerance on the whole, but rounds this far apart cannot rule 2.25x out.
    const wide = verdictOf([1.8, 0.9, 1.5]);
    expect(wide.metrics.find((metric) => metric.id === 'p50')?.status).toBe('noise');
    expect(anotherRoundFor(wide)).toMatch(/^Latency p50 not settled/);
  });

  it('confirms a regression that appeared only in the further round with one more', () => {
    // After 3 rounds one round points the other way: not settled, so a fourth is measured.
    const settling = verdictOf([2.2, 2.4, 0.95]);
    expect(settling.outcome).toBe('inconclusive');
    // Suppose the fourth made it a regression (all rounds worse): it is not yet confirmed.
    const appeared = verdictOf([1.8, 1.85, 1.9, 1.95]);
    expect(appeared.outcome).toBe('regression');
    expect(anotherRoundFor(appeared, settling)).toBe(
      'A regression that appeared only in the further round: measuring one more round to confirm it before failing on it',
    );
    // A regression the requested rounds found was confirmed by the further round: no more.
    expect(anotherRoundFor(appeared, verdictOf([1.8, 1.85, 1.9]))).toBeNull();
    // Still unsettled, or settled as a pass, after the further round: no more either.
    expect(anotherRoundFor(verdictOf([2.2, 2.4, 0.95, 2.1]), settling)).toBeNull();
    expect(anotherRoundFor(verdictOf([1, 1.02, 0.98, 1]), settling)).toBeNull();
  });

  it('measures one more round after the further one while a gated tail is pending', () => {
    const tail = (ratios: number[]) =>
      comparePaired(
        ratios.map((ratio) => ({
          base: makeRunResult({ latency: { p50Ms: 2, p95Ms: 5, p99Ms: 10 } }),
          head: makeRunResult({ latency: { p50Ms: 2, p95Ms: 5, p99Ms: 10 * ratio } }),
        })),
        { tolerance: 1.5, gatedMetrics: ['p99'] },
      );
    const three = tail([3, 2.6, 3.2]);
    expect(anotherRoundFor(three)).toMatch(/^Latency p99 not settled/);
    expect(anotherRoundFor(tail([3, 2.6, 3.2, 2.8]), three)).toBe(
      'Latency p99 worse in every round so far, but a tail counts only when 5 rounds agree: measuring one more round',
    );
    // A round the other way ends it: nothing pending.
    expect(anotherRoundFor(tail([3, 2.6, 3.2, 0.9]), three)).toBeNull();
  });

  it('measures nothing more for a pass, or a change within the tolerance', () => {
    expect(anotherRoundFor(verdictOf([1, 1.02, 0.98]))).toBeNull();
    expect(anotherRoundFor(verdictOf([1.2, 1.25, 1.15]))).toBeNull();
    expect(anotherRoundFor(verdictOf([1.2, 1.3, 0.9]))).toBeNull();
  });
});
