import { describe, expect, it } from 'vitest';
import { updateBaseline, type Baseline, type HistoryEntry } from './baseline.js';
import { configKey } from './comparability.js';
import { makeRunResult, type LatencyShape, type RunFixtureOptions } from './fixtures.js';
import { METRICS, type MetricId } from './metrics.js';
import { aggregateTrials, type TrialAggregate } from './trials.js';
import {
  compare,
  exitCodeFor,
  historyNoiseRatio,
  MIN_HISTORY_SAMPLES,
  type CompareOptions,
  type Verdict,
} from './verdict.js';

const shape = (p50Ms: number, p95Ms = 30, p99Ms = 60): LatencyShape => ({ p50Ms, p95Ms, p99Ms });
const run = (latency: LatencyShape = shape(12), options: RunFixtureOptions = {}) =>
  makeRunResult({ sampleCount: 200, latency, ...options });
const aggregate = (...runs: ReturnType<typeof run>[]): TrialAggregate => aggregateTrials(runs);
const baselineOf = (base: TrialAggregate, history: HistoryEntry[] = []): Baseline => ({
  ...updateBaseline(null, base, {
    name: 'steady',
    commit: 'abc1234',
    date: '2025-01-14T02:00:00.000Z',
  }),
  history,
});
const options = (overrides: Partial<CompareOptions> = {}): CompareOptions => ({
  tolerance: 1.5,
  ...overrides,
});
const metric = (verdict: Verdict, id: MetricId) => verdict.metrics.find((item) => item.id === id)!;
const statuses = (verdict: Verdict, ids: MetricId[]) =>
  Object.fromEntries(ids.map((id) => [id, metric(verdict, id).status]));

const reference = aggregate(run());
const referenceBaseline = baselineOf(reference);

describe('compare: the basic rule', () => {
  it('passes an unchanged run, every gated metric within the limits', () => {
    const verdict = compare(aggregate(run()), referenceBaseline, options());
    expect(verdict.outcome).toBe('pass');
    expect(
      statuses(verdict, [
        'p50',
        'p95',
        'p99',
        'throughput',
        'lost',
        'badSignatures',
        'successRate',
      ]),
    ).toEqual({
      p50: 'pass',
      p95: 'pass',
      p99: 'pass',
      throughput: 'pass',
      lost: 'pass',
      badSignatures: 'pass',
      successRate: 'pass',
    });
    expect(verdict.summary).toMatch(/^Pass/);
    expect(exitCodeFor(verdict)).toBe(0);
    expect(metric(verdict, 'p90').status).toBe('info');
  });

  it('fails a run whose latency more than doubled, naming the metrics and their deltas', () => {
    const verdict = compare(aggregate(run(shape(30, 75, 150))), referenceBaseline, options());
    expect(verdict.outcome).toBe('regression');
    expect(statuses(verdict, ['p50', 'p95', 'p99'])).toEqual({
      p50: 'regression',
      p95: 'regression',
      p99: 'regression',
    });
    const p50 = metric(verdict, 'p50');
    expect(p50.deltaPercent).toBeCloseTo(150, 0);
    expect(p50.ratio).toBeCloseTo(2.5, 2);
    expect(verdict.summary).toMatch(
      /^Regression: Latency p50 \+150%, Latency p95 \+150%, Latency p99 \+150%\.$/,
    );
    expect(verdict.reasons[0]).toMatch(
      /Latency p50 regressed: 12\.0 ms → 29\.9 ms \(\+150%\), 2\.50x worse, beyond the limit 1\.5x and 5\.00 ms/,
    );
    expect(exitCodeFor(verdict)).toBe(1);
  });

  it('respects direction: lower throughput is a regression, higher throughput and lower latency improvements', () => {
    const slower = compare(
      aggregate(run(shape(12), { throughputPerSec: 50 })),
      referenceBaseline,
      options(),
    );
    expect(metric(slower, 'throughput').status).toBe('regression');
    expect(slower.outcome).toBe('regression');

    const faster = compare(
      aggregate(run(shape(4, 10, 20), { throughputPerSec: 200 })),
      referenceBaseline,
      options(),
    );
    expect(statuses(faster, ['p50', 'p95', 'p99', 'throughput'])).toEqual({
      p50: 'improvement',
      p95: 'improvement',
      p99: 'improvement',
      throughput: 'improvement',
    });
    expect(faster.outcome).toBe('pass');
    expect(faster.notes.join(' ')).toMatch(/Improved beyond the tolerance: .*Refresh the baseline/);
  });

  it('does not report a change under the noise floor, however large the ratio', () => {
    const base = baselineOf(aggregate(run(shape(2, 30, 60))));
    const verdict = compare(aggregate(run(shape(3.1, 30, 60))), base, options());
    const p50 = metric(verdict, 'p50');
    expect(p50.ratio).toBeGreaterThan(1.5);
    expect(p50.status).toBe('pass');
    expect(p50.reason).toMatch(
      /1\.55x worse but by only 1\.10 ms, within the 5\.00 ms noise floor/,
    );
    expect(verdict.outcome).toBe('pass');

    const strict = compare(
      aggregate(run(shape(3.1, 30, 60))),
      base,
      options({ noiseFloors: { p50: 1 } }),
    );
    expect(metric(strict, 'p50').status).toBe('regression');
    expect(strict.settings.noiseFloors.p50).toBe(1);
    expect(strict.settings.noiseFloors.p95).toBe(METRICS.p95.defaultNoiseFloor);
  });

  it('applies the tolerance ratio', () => {
    const base = baselineOf(aggregate(run(shape(20, 60, 100))));
    const current = aggregate(run(shape(28, 60, 100)));
    expect(compare(current, base, options({ tolerance: 1.5 })).outcome).toBe('pass');
    const strict = compare(current, base, options({ tolerance: 1.3 }));
    expect(strict.outcome).toBe('regression');
    expect(metric(strict, 'p50').threshold).toEqual({
      ratio: 1.3,
      noiseFloor: 5,
      widenedByHistory: false,
    });
  });

  it('gates only the chosen performance metrics', () => {
    const current = aggregate(run(shape(12, 30, 200)));
    expect(compare(current, referenceBaseline, options()).outcome).toBe('regression');
    const verdict = compare(current, referenceBaseline, options({ gatedMetrics: ['p50', 'p95'] }));
    expect(verdict.outcome).toBe('pass');
    expect(metric(verdict, 'p99')).toMatchObject({ status: 'info', gated: false });
    expect(metric(verdict, 'p99').reason).toMatch(/^Not gated: 58\.1 ms → 189 ms \(\+226%\)\.$/);
    expect(verdict.settings.gatedMetrics).toEqual(['p50', 'p95']);
  });
});

describe('compare: correctness fails on its own', () => {
  it('fails on lost deliveries, even with performance unchanged', () => {
    const verdict = compare(aggregate(run(shape(12), { lost: 3 })), referenceBaseline, options());
    expect(verdict.outcome).toBe('regression');
    expect(metric(verdict, 'lost').status).toBe('regression');
    expect(metric(verdict, 'lost').reason).toMatch(
      /^3 of 203 expected deliveries lost; every webhook must arrive/,
    );
    expect(metric(verdict, 'successRate').status).toBe('regression');
    expect(verdict.summary).toMatch(/3 lost/);
  });

  it('fails on bad signatures', () => {
    const verdict = compare(
      aggregate(run(shape(12), { badSignatures: 2 })),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('regression');
    expect(metric(verdict, 'badSignatures').reason).toMatch(
      /2 deliveries carried a wrong X-Webhook-Signature/,
    );
  });

  it('fails on lost deliveries when otherwise inconclusive (no baseline, other machine)', () => {
    const lossy = aggregate(run(shape(12), { lost: 1 }));
    const alone = compare(lossy, null, options());
    expect(alone.outcome).toBe('regression');
    expect(alone.reasons.join('\n')).toMatch(/Also: No baseline to compare with/);

    const elsewhere = compare(
      aggregate(
        run(shape(12), { lost: 1, environment: { cpuModel: 'Intel Xeon Platinum 8370C' } }),
      ),
      referenceBaseline,
      options(),
    );
    expect(elsewhere.outcome).toBe('regression');
    expect(exitCodeFor(elsewhere)).toBe(1);
  });

  it('fails when the success rate falls below the baseline, sums loss across trials', () => {
    const base = baselineOf(aggregate(run(shape(12), { lost: 1 })));
    const worse = compare(
      aggregate(run(shape(12)), run(shape(12), { lost: 4 }), run(shape(12))),
      base,
      options(),
    );
    expect(metric(worse, 'successRate').status).toBe('regression');
    expect(metric(worse, 'successRate').reason).toMatch(/Success rate fell: 99\.50% → 98\.04%/);
    expect(metric(worse, 'lost').reason).toMatch(
      /^4 of 604 expected deliveries lost across 3 trials/,
    );
  });
});

describe('compare: inconclusive, never a silent pass', () => {
  it('is inconclusive without a baseline, saying how to create one', () => {
    const verdict = compare(aggregate(run()), null, options({ baselineName: 'nightly' }));
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toBe('Inconclusive: no baseline.');
    expect(verdict.reasons[0]).toMatch(
      /No baseline to compare with\. Create it with `ethhook-load-test baseline update <result\.json> --name nightly`.*mode: baseline/,
    );
    expect(metric(verdict, 'p50')).toMatchObject({
      status: 'info',
      baseline: null,
      deltaPercent: null,
    });
    expect(exitCodeFor(verdict)).toBe(0);
    expect(exitCodeFor(verdict, { failOnInconclusive: true })).toBe(2);
  });

  it('is inconclusive for a different scenario, naming what differs', () => {
    const verdict = compare(
      aggregate(run(shape(40, 100, 200), { config: { ratePerSec: 200 } })),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.configDifferences).toEqual([
      { field: 'ratePerSec', baseline: '100', current: '200' },
    ]);
    expect(verdict.reasons[0]).toMatch(
      /scenario differs from the baseline's: ratePerSec \(baseline 100, current 200\)/,
    );
    expect(metric(verdict, 'p50').status).toBe('info');
    expect(metric(verdict, 'p50').reason).toMatch(
      /^Not judged \(scenario differs from the baseline\): 12\.0 ms → 39\.9 ms/,
    );
  });

  it('ignores config fields that do not shape the load (seed, drain timeout)', () => {
    const verdict = compare(
      aggregate(run(shape(12), { config: { seed: 7, drainTimeoutMs: 30_000 } })),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('pass');
    expect(verdict.configDifferences).toEqual([]);
  });

  it('is inconclusive on another machine, naming the fields', () => {
    const verdict = compare(
      aggregate(
        run(shape(12), { environment: { cpuModel: 'Intel Xeon Platinum 8370C', cpuCores: 2 } }),
      ),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toBe('Inconclusive: environment differs (cpuModel, cpuCores).');
    expect(verdict.reasons[0]).toMatch(
      /cpuModel \(baseline AMD EPYC 7763 64-Core Processor, current Intel Xeon Platinum 8370C\); cpuCores \(baseline 4, current 2\)/,
    );
  });

  it('treats major versions of Node, Redis and Postgres as a different environment, patches not', () => {
    const same = compare(
      aggregate(
        run(shape(12), {
          environment: {
            nodeVersion: 'v20.19.2',
            redisVersion: '7.4.1',
            postgresVersion: '16.6',
            os: 'Linux 6.11.0-1012-azure',
            memoryGiB: 15,
            cpuModel: 'AMD  EPYC 7763 64-Core   Processor ',
          },
        }),
      ),
      referenceBaseline,
      options(),
    );
    expect(same.environmentDifferences).toEqual([]);
    expect(same.outcome).toBe('pass');

    const unknownRedis = compare(
      aggregate(run(shape(12), { environment: { redisVersion: null } })),
      referenceBaseline,
      options(),
    );
    expect(unknownRedis.environmentDifferences).toEqual([]);

    const majors = compare(
      aggregate(
        run(shape(12), {
          environment: { nodeVersion: 'v22.1.0', redisVersion: '8.0.0', memoryGiB: 8 },
        }),
      ),
      referenceBaseline,
      options(),
    );
    expect(majors.environmentDifferences.map((item) => item.field)).toEqual([
      'memoryGiB',
      'nodeVersion',
      'redisVersion',
    ]);
    expect(majors.outcome).toBe('inconclusive');
  });

  it('compares across machines when asked, with a note', () => {
    const verdict = compare(
      aggregate(run(shape(30, 75, 150), { environment: { cpuCores: 2 } })),
      referenceBaseline,
      options({ requireSameEnvironment: false }),
    );
    expect(verdict.outcome).toBe('regression');
    expect(verdict.notes.join(' ')).toMatch(/different machine.*cpuCores.*Compared anyway/);
  });

  it('is inconclusive for an invalid run or an invalid baseline', () => {
    const invalid = compare(
      aggregate(
        run(shape(30, 75, 150), { valid: false, invalidReasons: ['achieved 80 of 100 events/s'] }),
      ),
      referenceBaseline,
      options(),
    );
    expect(invalid.outcome).toBe('inconclusive');
    expect(invalid.reasons[0]).toBe(
      'This run is invalid, so its figures cannot be trusted: achieved 80 of 100 events/s.',
    );

    const badBase = compare(
      aggregate(run()),
      baselineOf(aggregate(run(shape(12), { valid: false }))),
      options(),
    );
    expect(badBase.outcome).toBe('inconclusive');
    expect(badBase.summary).toMatch(/the baseline is an invalid run/);
  });

  it('is inconclusive when the trials spread too wide and disagree', () => {
    const verdict = compare(
      aggregate(run(shape(12)), run(shape(12.5)), run(shape(30))),
      referenceBaseline,
      options({ gatedMetrics: ['p50'] }),
    );
    const p50 = metric(verdict, 'p50');
    expect(p50.spread).toBeGreaterThan(0.5);
    expect(p50.status).toBe('noise');
    expect(p50.reason).toMatch(
      /too noisy to judge: trials spread 144% \(limit 50%\), and the trials disagree \(12\.0 ms, 12\.5 ms, 29\.9 ms vs baseline 12\.0 ms\)/,
    );
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toBe('Inconclusive: Latency p50 too noisy to judge.');
  });

  it('still judges a wide spread when every trial agrees', () => {
    const allWorse = compare(
      aggregate(run(shape(25, 62, 125)), run(shape(30, 75, 150)), run(shape(45, 110, 220))),
      referenceBaseline,
      options({ gatedMetrics: ['p50'] }),
    );
    expect(metric(allWorse, 'p50').status).toBe('regression');
    expect(metric(allWorse, 'p50').reason).toMatch(/even the best of 3 trials/);

    const allFine = compare(
      aggregate(run(shape(10)), run(shape(12)), run(shape(17.5))),
      referenceBaseline,
      options({ gatedMetrics: ['p50'] }),
    );
    expect(metric(allFine, 'p50').spread).toBeGreaterThan(0.5);
    expect(metric(allFine, 'p50').status).toBe('pass');
    expect(allFine.outcome).toBe('pass');
  });

  it('ignores a wide relative spread under the noise floor, and takes maxSpread', () => {
    const base = baselineOf(aggregate(run(shape(2, 30, 60))));
    const tiny = compare(
      aggregate(run(shape(1, 30, 60)), run(shape(2, 30, 60)), run(shape(3.5, 30, 60))),
      base,
      options(),
    );
    expect(metric(tiny, 'p50').status).toBe('pass');

    const strict = compare(
      aggregate(run(shape(12)), run(shape(12.5)), run(shape(19))),
      referenceBaseline,
      options({ gatedMetrics: ['p50'], maxSpread: 0.2 }),
    );
    expect(metric(strict, 'p50').status).toBe('noise');
  });
});

describe('compare: the history as a noise estimate', () => {
  const entry = (
    base: TrialAggregate,
    p50: number,
    overrides: Partial<HistoryEntry> = {},
  ): HistoryEntry => ({
    date: '2025-01-01T02:00:00.000Z',
    commit: null,
    trialCount: 1,
    configKey: configKey(base.config),
    valid: true,
    metrics: { ...base.metrics, p50 },
    ...overrides,
  });
  const noisyHistory = [16, 9, 18, 11, 20, 10].map((p50) => entry(reference, p50));
  const current = aggregate(run(shape(22)));

  it('widens the threshold when nightly runs move that much unchanged', () => {
    expect(compare(current, referenceBaseline, options()).outcome).toBe('regression');
    const verdict = compare(current, baselineOf(reference, noisyHistory), options());
    const p50 = metric(verdict, 'p50');
    expect(p50.threshold?.widenedByHistory).toBe(true);
    expect(p50.threshold?.ratio).toBeGreaterThan(1.83);
    expect(p50.status).toBe('pass');
    expect(verdict.outcome).toBe('pass');
    expect(verdict.settings.historySamples).toBe(7);
    expect(verdict.notes.join(' ')).toMatch(
      /Latency p50: the baseline's nightly history shows it moving up to 2\.\d+x unchanged/,
    );
  });

  it('ignores short history, other configurations, invalid nights, and when switched off', () => {
    const short = baselineOf(reference, noisyHistory.slice(0, MIN_HISTORY_SAMPLES - 2));
    expect(compare(current, short, options()).outcome).toBe('regression');
    const otherConfig = baselineOf(
      reference,
      noisyHistory.map((item) => ({ ...item, configKey: 'ffffffffffff' })),
    );
    expect(compare(current, otherConfig, options()).outcome).toBe('regression');
    const invalidNights = baselineOf(
      reference,
      noisyHistory.map((item) => ({ ...item, valid: false })),
    );
    expect(compare(current, invalidNights, options()).outcome).toBe('regression');
    const off = compare(
      current,
      baselineOf(reference, noisyHistory),
      options({ useHistory: false }),
    );
    expect(off.outcome).toBe('regression');
    expect(off.settings.historySamples).toBe(0);
  });

  it('never widens more than twice the tolerance', () => {
    const wild = [2, 60, 3, 80, 1, 90].map((p50) => entry(reference, p50));
    const verdict = compare(
      aggregate(run(shape(40, 60, 100))),
      baselineOf(reference, wild),
      options(),
    );
    expect(metric(verdict, 'p50').threshold?.ratio).toBe(3);
    expect(metric(verdict, 'p50').status).toBe('regression');
    expect(verdict.notes.join(' ')).toMatch(/capped at 2x the tolerance/);
  });

  it('estimates the noise ratio robustly, in the metric direction', () => {
    expect(historyNoiseRatio(METRICS.p50, [10, 10, 10])).toBe(1);
    expect(historyNoiseRatio(METRICS.p50, [10, 10, 10, 10, 10])).toBe(1);
    expect(historyNoiseRatio(METRICS.p50, [10, 11, 9, 10, 10, 1000])).toBeCloseTo(
      1 + (3 * 1.4826 * 0.5) / 10,
      6,
    );
    expect(historyNoiseRatio(METRICS.throughput, [100, 90, 110, 95, 105])).toBeGreaterThan(1);
  });
});

describe('compare: options', () => {
  it('rejects nonsense settings', () => {
    expect(() => compare(reference, referenceBaseline, { tolerance: 0.5 })).toThrow(/tolerance/);
    expect(() => compare(reference, referenceBaseline, options({ maxSpread: -1 }))).toThrow(
      /maxSpread/,
    );
    expect(() =>
      compare(reference, referenceBaseline, options({ noiseFloors: { p50: -1 } })),
    ).toThrow(/noise floor/);
    expect(() =>
      compare(reference, referenceBaseline, options({ gatedMetrics: ['p42' as MetricId] })),
    ).toThrow(/Unknown gated metric/);
  });

  it('derives the spread limit from the tolerance', () => {
    expect(
      compare(reference, referenceBaseline, options({ tolerance: 2 })).settings.maxSpread,
    ).toBe(1);
  });
});

describe('compare: injected faults', () => {
  it('does not compare a run under injected faults with a clean baseline, naming the faults', () => {
    const faults = { failureRate: 0.05, failureStatus: 503, delayMs: 0 };
    const verdict = compare(
      aggregate(run(shape(12), { config: { faults } })),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons[0]).toMatch(
      /differs from the baseline's: faults \(baseline none, current 5% of webhooks answered 503\)/,
    );
  });
});
