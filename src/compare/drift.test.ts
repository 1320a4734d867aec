import { describe, expect, it } from 'vitest';
import { baselineWithNights, nightCommit, nightDate, syntheticSeries } from './drift-fixtures.js';
import {
  analyseDrift,
  commitRange,
  describeShift,
  RECENT_NIGHTS,
  recentShifts,
  shiftsOf,
} from './drift.js';
import { fixtureEnvironment } from './fixtures.js';

const p50Trend = (analysis: ReturnType<typeof analyseDrift>) =>
  analysis.environments[0]!.trends.find((trend) => trend.metric === 'p50')!;

describe('analyseDrift', () => {
  it('names night 40 of a 60-night series with a 30% step, its commits, size and score', () => {
    const p50 = syntheticSeries({
      nights: 60,
      level: 10,
      noise: 0.05,
      shift: { at: 40, ratio: 1.3 },
    });
    const analysis = analyseDrift(baselineWithNights({ p50 }));
    expect(analysis.environments).toHaveLength(1);
    const [shift, ...others] = p50Trend(analysis).shifts;
    expect(others).toEqual([]);
    expect(shift!.index).toBeGreaterThanOrEqual(39);
    expect(shift!.index).toBeLessThanOrEqual(41);
    expect(shift!.lastBefore.commit).toBe(nightCommit(shift!.index - 1));
    expect(shift!.firstAfter).toEqual({
      date: nightDate(shift!.index),
      commit: nightCommit(shift!.index),
    });
    expect(shift!.beforeMedian).toBeCloseTo(10, 0);
    expect(shift!.afterMedian).toBeCloseTo(13, 0);
    expect(shift!.changePercent).toBeGreaterThan(25);
    expect(shift!.changePercent).toBeLessThan(35);
    expect(shift!.worse).toBe(true);
    expect(shift!.score).toBeGreaterThanOrEqual(5);
    expect(shift!.nightsSince).toBe(60 - shift!.index);
    expect(describeShift(shift!)).toMatch(
      /^Latency p50 \+\d+% \(\d+\.\d+ ms -> \d+\.\d+ ms\), worse, \d+\.\d standard errors, between 00\w{2}ccc \(2026-02-\d\d\) \.\. 00\w{2}ccc \(2026-02-\d\d\)$/,
    );
    // The other gated metrics are flat.
    for (const trend of analysis.environments[0]!.trends.filter((t) => t.metric !== 'p50'))
      expect(trend.shifts).toEqual([]);
  });

  it('finds no shift in flat series with 5% noise, whatever the seed', () => {
    for (let seed = 1; seed <= 12; seed += 1) {
      const flat = (level: number, offset: number) =>
        syntheticSeries({ nights: 60, level, noise: 0.05, seed: seed * 10 + offset });
      const analysis = analyseDrift(
        baselineWithNights({
          p50: flat(2, 0),
          p95: flat(5, 1),
          p99: flat(12, 2),
          throughput: flat(500, 3),
        }),
      );
      const shifts = analysis.environments[0]!.trends.flatMap((trend) => trend.shifts);
      expect(shifts, `seed ${seed}`).toEqual([]);
    }
  });

  it('finds a throughput drop in a noisy series (15% noise, -40% step)', () => {
    const throughput = syntheticSeries({
      nights: 50,
      level: 500,
      noise: 0.15,
      shift: { at: 25, ratio: 0.6 },
      seed: 5,
    });
    const analysis = analyseDrift(baselineWithNights({ throughput }));
    const shifts = analysis.environments[0]!.trends.find((t) => t.metric === 'throughput')!.shifts;
    expect(shifts).toHaveLength(1);
    expect(Math.abs(shifts[0]!.index - 25)).toBeLessThanOrEqual(2);
    expect(shifts[0]!.worse).toBe(true);
    expect(shifts[0]!.changePercent).toBeLessThan(-30);
  });

  it('calls an improvement better', () => {
    const p95 = syntheticSeries({
      nights: 30,
      level: 20,
      noise: 0.03,
      shift: { at: 18, ratio: 0.7 },
      seed: 2,
    });
    const [shift] = analyseDrift(baselineWithNights({ p95 })).environments[0]!.trends.find(
      (t) => t.metric === 'p95',
    )!.shifts;
    expect(shift).toMatchObject({ index: 18, worse: false });
  });

  it('drops a significant but small shift (under 5%)', () => {
    const p50 = syntheticSeries({
      nights: 80,
      level: 10,
      noise: 0.005,
      shift: { at: 40, ratio: 1.03 },
      seed: 4,
    });
    expect(p50Trend(analyseDrift(baselineWithNights({ p50 }))).shifts).toEqual([]);
  });

  it('says why a short history has no change points', () => {
    const analysis = analyseDrift(baselineWithNights({ p50: [10, 10, 13, 13, 13] }));
    expect(analysis.environments[0]!.tooShort).toBe(
      '5 night(s) on this runner and load; a shift needs at least 3 on each side (6 in all)',
    );
    expect(analysis.environments[0]!.trends.every((trend) => trend.shifts.length === 0)).toBe(true);
  });

  it('keeps each environment its own series: a runner change is not drift', () => {
    const baseline = baselineWithNights({
      p50: [...Array<number>(20).fill(10), ...Array<number>(12).fill(20)],
    });
    const other = { ...fixtureEnvironment(), cpuCores: 16 };
    baseline.history.slice(0, 20).forEach((entry) => (entry.environment = other));
    const analysis = analyseDrift(baseline);
    expect(analysis.environments.map((e) => [e.current, e.nights.length])).toEqual([
      [true, 12],
      [false, 20],
    ]);
    expect(analysis.environments.flatMap((e) => e.trends.flatMap((t) => t.shifts))).toEqual([]);
  });

  it('leaves invalid nights out and counts them', () => {
    const baseline = baselineWithNights({
      p50: syntheticSeries({ nights: 20, level: 10, noise: 0.05 }),
    });
    baseline.history[3]!.valid = false;
    const analysis = analyseDrift(baseline);
    expect(analysis.invalidNights).toBe(1);
    expect(analysis.environments[0]!.nights).toHaveLength(19);
  });
});

describe('drift judged night by night, as the nightly job does (seeded)', () => {
  const nights = Array.from({ length: 30 }, (_, i) => ({ date: nightDate(i), commit: null }));
  const alarm = (values: readonly number[]) =>
    shiftsOf('p50', values, nights.slice(0, values.length), undefined).some(
      (shift) => shift.worse && shift.nightsSince <= RECENT_NIGHTS,
    );
  // Noise spread over the range by seed, the same every run.
  const noiseOf = (seed: number, low: number, high: number) =>
    low + ((high - low) * ((seed * 37) % 100)) / 100;

  it('flags a doubling after six quiet nights within three nights (3-10% noise)', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const noise = noiseOf(seed, 0.03, 0.1);
      const values = syntheticSeries({
        nights: 9,
        level: 10,
        noise,
        seed,
        shift: { at: 6, ratio: 2 },
      });
      if (alarm(values)) flagged += 1;
    }
    expect(flagged).toBeGreaterThanOrEqual(195);
  });

  it('stays quiet on flat series of 30 nights at 10-25% noise, judged every night', () => {
    let raised = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const values = syntheticSeries({
        nights: 30,
        level: 10,
        noise: noiseOf(seed, 0.1, 0.25),
        seed,
      });
      const everyNight = Array.from({ length: 25 }, (_, i) => values.slice(0, i + 6));
      if (everyNight.some(alarm)) raised += 1;
    }
    expect(raised).toBeLessThanOrEqual(5);
  });
});

describe('recentShifts', () => {
  it('keeps shifts of the current environment whose level began within the window', () => {
    const p50 = syntheticSeries({
      nights: 40,
      level: 10,
      noise: 0.03,
      shift: { at: 30, ratio: 1.4 },
      seed: 8,
    });
    const analysis = analyseDrift(baselineWithNights({ p50 }));
    const [recent] = recentShifts(analysis);
    expect(recent!.index).toBe(30);
    expect(commitRange(recent!)).toBe(
      `001d${'c'.repeat(3)} (2026-01-30) .. 001e${'c'.repeat(3)} (2026-01-31)`,
    );
    expect(recentShifts(analysis, 5)).toEqual([]);
  });
});
