import { describe, expect, it } from 'vitest';
import { updateBaseline, type HistoryEntry } from './baseline.js';
import { fixtureEnvironment, makeRunResult, nightOf, type LatencyShape } from './fixtures.js';
import { METRICS } from './metrics.js';
import {
  historyNoise,
  metricLimit,
  MIN_HISTORY_SAMPLES,
  REFERENCE_NIGHTS,
  sideOf,
} from './noise.js';
import { aggregateTrials } from './trials.js';
import { compare } from './verdict.js';

const shape = (p50Ms: number): LatencyShape => ({ p50Ms, p95Ms: 40, p99Ms: 80 });
const trialsOf = (...p50s: number[]) =>
  aggregateTrials(p50s.map((p50) => makeRunResult({ sampleCount: 200, latency: shape(p50) })));

describe('metricLimit', () => {
  const limit = (baselineTrials: number[], currentTrials: number[], tolerance = 1.5) =>
    metricLimit(METRICS.p50, {
      baseline: baselineTrials[1] as number,
      baselineTrials,
      currentTrials,
      history: null,
      tolerance,
    });

  it('is the tolerance while the noise is small, the noise once it is larger', () => {
    expect(limit([9.9, 10, 10.1], [10, 10.1, 9.9])).toMatchObject({
      source: 'tolerance',
      worst: 15,
    });
    const wide = limit([6, 10, 16], [7, 10, 14]);
    expect(wide.source).toBe('noise');
    expect(wide.worst).toBeGreaterThan(15);
    expect(wide.worst).toBeCloseTo(10 * (wide.detectableRatio as number), 6);
  });

  it('treats throughput in its own direction', () => {
    const throughput = metricLimit(METRICS.throughput, {
      baseline: 500,
      baselineTrials: [499, 500, 501],
      currentTrials: [500, 500, 499],
      history: null,
      tolerance: 1.5,
    });
    expect(throughput.worst).toBeCloseTo(333.3, 1);
    expect(sideOf(METRICS.throughput, throughput, 300)).toBe('worse');
    expect(sideOf(METRICS.throughput, throughput, 800)).toBe('better');
    expect(sideOf(METRICS.throughput, throughput, 480)).toBe('same');
  });

  it('says when the noise was not measured (one trial on each side)', () => {
    const single = metricLimit(METRICS.p50, {
      baseline: 10,
      baselineTrials: [10],
      currentTrials: [12],
      history: null,
      tolerance: 1.5,
    });
    expect(single).toMatchObject({ detectableRatio: null, trialSigma: null, source: 'tolerance' });
  });
});

describe('historyNoise: per environment, since the last level shift', () => {
  const latest = trialsOf(20, 20.2, 19.8);
  const night = (p50: number, index: number): HistoryEntry =>
    nightOf(latest, p50, new Date(Date.UTC(2025, 0, 1 + index)).toISOString());
  const jitter = (i: number) => 1 + ([0, 0.02, -0.02, 0.01, -0.01][i % 5] as number);
  // 15 nights at 10 ms, then 14 at 20 ms; the baseline itself is the 15th at 20.
  const stepped = [
    ...Array.from({ length: 15 }, (_, i) => night(10 * jitter(i), i)),
    ...Array.from({ length: 14 }, (_, i) => night(20 * jitter(i), 15 + i)),
  ];

  it('estimates the noise from the nights since the shift, not across it', () => {
    const noise = historyNoise(stepped, { date: '2025-02-01T00:00:00.000Z', ...latest }).p50;
    expect(noise).toMatchObject({ samples: 15, levelSince: stepped[15]?.date });
    expect(noise!.sigma).toBeLessThan(0.03);

    // The verdict: a 1.6x p50 is still caught; across the shift the limit would be ~2.5x.
    const baseline = {
      ...updateBaseline(null, latest, {
        name: 'n',
        commit: null,
        date: '2025-02-01T00:00:00.000Z',
      }),
      history: stepped,
    };
    baseline.noise = historyNoise(stepped, { date: baseline.date, ...latest });
    const verdict = compare(trialsOf(32, 32.3, 31.8), baseline, {
      tolerance: 1.5,
      gatedMetrics: ['p50'],
    });
    const p50 = verdict.metrics.find((metric) => metric.id === 'p50')!;
    expect(p50.limit!.worst / 20).toBeLessThan(1.6);
    expect(p50.status).toBe('regression');
    expect(p50.limitText).toMatch(/over 15 nights since 2025-01-16/);
  });

  it('counts only nights of a comparable runner, the same load, valid, with their environment', () => {
    const steady = Array.from({ length: 10 }, (_, i) => night(20 * jitter(i), i));
    const noise = (history: HistoryEntry[]) =>
      historyNoise(history, { date: '2025-02-01T00:00:00.000Z', ...latest }).p50;
    expect(noise(steady)?.samples).toBe(11);
    const elsewhere = steady.map((entry) => ({
      ...entry,
      environment: { ...fixtureEnvironment(), cpuModel: 'Intel(R) Xeon(R) Platinum 8370C' },
    }));
    expect(noise(elsewhere)).toBeNull();
    expect(noise(steady.map(({ environment: _unknown, ...entry }) => entry))).toBeNull();
    expect(noise(steady.map((entry) => ({ ...entry, configKey: 'ffffffffffff' })))).toBeNull();
    expect(noise(steady.map((entry) => ({ ...entry, valid: false })))).toBeNull();
    expect(noise(steady.slice(0, MIN_HISTORY_SAMPLES - 2))).toBeNull();
  });

  it('is stored per metric in the baseline and its history entries carry their environment', () => {
    const first = updateBaseline(null, latest, { name: 'n', commit: null, date: '2025-02-01' });
    const second = updateBaseline(first, latest, { name: 'n', commit: null, date: '2025-02-02' });
    expect(second.history[0]?.environment).toEqual(latest.environment);
    expect(Object.keys(second.noise ?? {})).toEqual(
      expect.arrayContaining(['p50', 'p95', 'p99', 'throughput']),
    );
    expect(second.noise?.p50).toBeNull();
  });
});

describe('the reference figure: the median of the newest nights', () => {
  const date = (index: number) => new Date(Date.UTC(2025, 2, 1 + index)).toISOString();
  /** A baseline whose history holds `nights` (p50, oldest first) and whose newest night is `newest`. */
  const baselineWith = (nights: number[], ...newest: number[]) => {
    const latest = trialsOf(...newest);
    const history = nights.map((p50, index) => nightOf(latest, p50, date(index)));
    const made = updateBaseline(null, latest, {
      name: 'n',
      commit: null,
      date: date(nights.length),
    });
    return {
      ...made,
      history,
      noise: historyNoise(history, { date: made.date, ...latest }),
    };
  };
  // Seven nights around 20 ms (about ±4%), the newest one high within that noise.
  const steady = [20.4, 19.2, 20.8, 19.6, 20, 20.6, 19.4];

  it('is the median of the newest REFERENCE_NIGHTS nights, the newest included', () => {
    const baseline = baselineWith(steady, 21.4, 21.2, 21.6);
    const newest = baseline.aggregate.metrics.p50;
    expect(newest).toBeCloseTo(21.4, 0);
    const newestFive = [...steady.slice(-(REFERENCE_NIGHTS - 1)), newest].sort((a, b) => a - b);
    expect(baseline.noise.p50?.reference).toEqual({
      value: newestFive[2],
      nights: REFERENCE_NIGHTS,
    });
  });

  it('catches a 1.6x median that the newest night alone, sitting high, would pass', () => {
    const baseline = baselineWith(steady, 21.4, 21.2, 21.6);
    // 32 ms: 1.6x the nights' median (20.0), 1.50x the newest night (21.4).
    const options = { tolerance: 1.5, gatedMetrics: ['p50' as const] };
    const current = trialsOf(32, 32.4, 31.6);
    const verdict = compare(current, baseline, options);
    const p50 = verdict.metrics.find((metric) => metric.id === 'p50')!;
    expect(p50.baseline).toBe(20);
    expect(p50.status).toBe('regression');
    expect(verdict.notes.join(' ')).toMatch(
      /median of its newest 5 nights .*p50 20\.0+ ms \(newest night 21\.[34]\d* ms\)/i,
    );
    // Control: the newest night alone (no history used) holds 32 ms within 1.5x of 21.4.
    const alone = compare(current, baseline, { ...options, useHistory: false });
    expect(alone.metrics.find((metric) => metric.id === 'p50')?.status).not.toBe('regression');
  });

  it('is the newest night alone when it sits beyond the noise of the nights before it', () => {
    // A merged 1.5x slowdown, one night old: the median would still be the old level.
    const baseline = baselineWith(steady, 30, 30.3, 29.7);
    expect(baseline.noise.p50?.reference).toEqual({
      value: baseline.aggregate.metrics.p50,
      nights: 1,
    });
    expect(baseline.aggregate.metrics.p50).toBeCloseTo(30, 0);
    const verdict = compare(trialsOf(30.2, 30.5, 29.9), baseline, {
      tolerance: 1.5,
      gatedMetrics: ['p50'],
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.notes.join(' ')).toMatch(/newest night alone is the baseline/);
  });

  it('says that the nights, not the trials, hold a change back when their noise sets the limit', () => {
    // The fast reference pipeline's nights on one morning: p50 0.68-0.98 ms (±23%); a 1.6x
    // slowdown measured 1.39 ms in tight trials.
    const baseline = baselineWith([0.74, 0.68, 0.92, 0.98, 0.8], 0.87, 0.86, 0.88);
    const verdict = compare(trialsOf(1.38, 1.39, 1.4), baseline, {
      tolerance: 1.5,
      gatedMetrics: ['p50'],
    });
    const p50 = verdict.metrics.find((metric) => metric.id === 'p50')!;
    expect(p50.status).toBe('noise');
    expect(p50.limit!.history!.sigma).toBeGreaterThan(Math.log(1.15));
    expect(p50.reason).toMatch(
      /The baseline's nights set that limit, so more trials do not narrow it; more nightly runs do, and so does measuring the base commit on this runner \(compare-to: base\)\.$/,
    );
  });

  it('narrows the nightly part of the limit: one night against the median of five', () => {
    const history = { sigma: 0.1, samples: 8, levelSince: null };
    const inputs = {
      baseline: 20,
      baselineTrials: [20],
      currentTrials: [20],
      tolerance: 1,
    };
    const oneNight = metricLimit(METRICS.p50, { ...inputs, history });
    const fiveNights = metricLimit(METRICS.p50, {
      ...inputs,
      history: { ...history, reference: { value: 20, nights: 5 } },
    });
    expect(Math.log(oneNight.detectableRatio!)).toBeCloseTo(3 * 0.1 * Math.SQRT2, 6);
    expect(Math.log(fiveNights.detectableRatio!)).toBeCloseTo(3 * 0.1 * Math.sqrt(1.287), 6);
  });
});
