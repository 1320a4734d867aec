import { describe, expect, it } from 'vitest';
import { updateBaseline, type Baseline } from './baseline.js';
import { makeRunResult, type LatencyShape, type RunFixtureOptions } from './fixtures.js';
import type { MetricId } from './metrics.js';
import { aggregateTrials, type TrialAggregate } from './trials.js';
import { compare, exitCodeFor, type CompareOptions, type Verdict } from './verdict.js';

const shape = (p50Ms: number, p95Ms = 30, p99Ms = 60): LatencyShape => ({ p50Ms, p95Ms, p99Ms });
const run = (latency: LatencyShape = shape(12), options: RunFixtureOptions = {}) =>
  makeRunResult({ sampleCount: 200, latency, ...options });
const aggregate = (...runs: ReturnType<typeof run>[]): TrialAggregate => aggregateTrials(runs);
const baselineOf = (base: TrialAggregate, history: Baseline['history'] = []): Baseline => ({
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
      /Latency p50 regressed: 12\.0 ms → 29\.9 ms \(\+150%\), 2\.50x worse, beyond its limit ≤ 18\.0 ms \(1\.5x baseline; noise not measured: one trial on each side\)/,
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

  it('applies the tolerance ratio', () => {
    const base = baselineOf(aggregate(run(shape(20, 60, 100))));
    const current = aggregate(run(shape(28, 60, 100)));
    expect(compare(current, base, options({ tolerance: 1.5 })).outcome).toBe('pass');
    const strict = compare(current, base, options({ tolerance: 1.3 }));
    expect(strict.outcome).toBe('regression');
    expect(metric(strict, 'p50').limit).toMatchObject({ source: 'tolerance' });
    expect(metric(strict, 'p50').limit?.worst).toBeCloseTo(19.9 * 1.3, 0);
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
      options({ environment: 'ignore' }),
    );
    expect(verdict.outcome).toBe('regression');
    expect(verdict.notes.join(' ')).toMatch(/not comparable.*cpuCores.*Compared anyway/);
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
});

describe('compare: options', () => {
  it('rejects nonsense settings', () => {
    expect(() => compare(reference, referenceBaseline, { tolerance: 0.5 })).toThrow(/tolerance/);
    expect(() =>
      compare(reference, referenceBaseline, options({ noiseFloors: { p50: -1 } })),
    ).toThrow(/noise floor/);
    expect(() =>
      compare(reference, referenceBaseline, options({ gatedMetrics: ['p42' as MetricId] })),
    ).toThrow(/Unknown gated metric/);
  });
});

// Issue 12: a verdict that is right on fast pipelines and noisy runners. Each case is built
// from synthetic trials whose answer is known.
describe('compare: floors from measured noise', () => {
  const trials = (...p50s: number[]) => aggregate(...p50s.map((p50) => run(shape(p50, 30, 60))));
  const fastBaseline = baselineOf(trials(1.8, 1.85, 1.9));

  it('catches +55% on a 1.85 ms pipeline whose trials agree within 5% (a 5 ms floor hid it)', () => {
    const verdict = compare(trials(2.8, 2.88, 2.95), fastBaseline, options());
    const p50 = metric(verdict, 'p50');
    expect(p50.status).toBe('regression');
    expect(verdict.outcome).toBe('regression');
    expect(p50.limit?.source).toBe('tolerance');
    expect(p50.limitText).toMatch(
      /^≤ 2\.7\d ms \(1\.5x baseline; noise ±\d(\.\d)?% from 6 trials; could see \+\d+(\.\d)?%\)$/,
    );
    // What the run can see: far finer than the tolerance when the trials agree.
    expect(p50.limit?.detectableRatio).toBeLessThan(1.2);
  });

  it('widens the limit to the noise when the trials spread: beyond the tolerance, "within noise", never pass', () => {
    const noisyBaseline = baselineOf(trials(1.2, 1.85, 2.9));
    const verdict = compare(trials(1.9, 2.88, 4.3), noisyBaseline, options());
    const p50 = metric(verdict, 'p50');
    expect(p50.ratio).toBeGreaterThan(1.5);
    expect(p50.limit?.source).toBe('noise');
    expect(p50.limit!.worst).toBeGreaterThan(2.88);
    expect(p50.status).toBe('noise');
    expect(p50.reason).toMatch(
      /beyond the 1\.5x tolerance but within what this run can tell from noise \(limit ≤ [\d.]+ ms \(beyond the noise; noise ±\d+% from 6 trials; could see \+\d+%\)\)/,
    );
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toBe("Inconclusive: Latency p50 within this run's noise.");
    // No nights: the trials set the limit, and more of them narrow it.
    expect(p50.reason).toMatch(/More trials narrow it\.$/);
    // What the run can see, said where a reviewer reads it.
    expect(p50.limit!.detectableRatio).toBeGreaterThan(2.25);
    expect(verdict.notes.join(' ')).toMatch(
      /too noisy to see a change of 1\.5x in Latency p50 \(could see \+\d+%\)/,
    );
  });

  it('lets a floor set by the user win over the measured one', () => {
    const verdict = compare(
      trials(2.8, 2.88, 2.95),
      fastBaseline,
      options({ noiseFloors: { p50: 5 } }),
    );
    expect(metric(verdict, 'p50').limit).toMatchObject({ source: 'floor', floor: 5 });
    expect(metric(verdict, 'p50').limitText).toMatch(/^≤ 6\.8\d ms \(your floor 5\.00 ms;/);
    expect(metric(verdict, 'p50').status).toBe('noise');
    expect(verdict.settings.userFloors).toEqual({ p50: 5 });
  });

  it('keeps a floor of the measurement resolution when the trials are identical', () => {
    const zero = baselineOf(aggregate(run(shape(12)), run(shape(12)), run(shape(12))));
    const verdict = compare(
      aggregate(run(shape(12)), run(shape(12)), run(shape(12))),
      zero,
      options(),
    );
    // The publisher lag of the fixtures is 0 in every trial: only the resolution is left.
    expect(metric(verdict, 'scheduleLagP99').limit).toMatchObject({ source: 'resolution' });
    expect(metric(verdict, 'duplicates').limit).toMatchObject({ source: 'allowance', floor: 5 });
    expect(metric(verdict, 'p50').limit?.detectableRatio).toBe(1);
    expect(verdict.outcome).toBe('pass');
  });

  it('judges the same relative change alike on a 2 ms and a 200 ms pipeline', () => {
    for (const scale of [1, 100]) {
      const base = baselineOf(
        aggregate(...[2, 2.05, 1.95].map((p50) => run(shape(p50 * scale, 30 * scale, 60 * scale)))),
      );
      const slower = aggregate(
        ...[3.2, 3.3, 3.25].map((p50) => run(shape(p50 * scale, 30 * scale, 60 * scale))),
      );
      expect(metric(compare(slower, base, options()), 'p50').status, `x${scale}`).toBe(
        'regression',
      );
    }
  });
});

describe('compare: median first', () => {
  it('calls a regression seen in most trials a regression, not noise (p99 12 ms -> 40, 45, 20 ms)', () => {
    const base = baselineOf(
      aggregate(run(shape(5, 9, 11.8)), run(shape(5, 9, 12)), run(shape(5, 9, 12.3))),
    );
    const verdict = compare(
      aggregate(run(shape(5, 9, 40)), run(shape(5, 9, 45)), run(shape(5, 9, 20))),
      base,
      options({ gatedMetrics: ['p99'] }),
    );
    const p99 = metric(verdict, 'p99');
    expect(p99.ratio).toBeGreaterThan(3);
    expect(p99.status).toBe('regression');
    expect(verdict.outcome).toBe('regression');
  });

  it('calls it noise only when most trials do not back the median (an even count)', () => {
    const base = baselineOf(aggregate(run(shape(10)), run(shape(10.2)), run(shape(9.8))));
    const verdict = compare(
      aggregate(run(shape(10)), run(shape(10.1)), run(shape(22)), run(shape(24))),
      base,
      options({ gatedMetrics: ['p50'] }),
    );
    const p50 = metric(verdict, 'p50');
    expect(p50.status).toBe('noise');
    expect(p50.reason).toMatch(/only 2 of 4 trials agree with their median/);
    expect(verdict.outcome).toBe('inconclusive');
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

describe('compare: duplicates', () => {
  it('names duplicates in a pass: "nothing was lost" does not hide them', () => {
    const verdict = compare(
      aggregate(run(shape(12), { duplicates: 2 }), run(shape(12), { duplicates: 1 })),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('pass');
    expect(metric(verdict, 'duplicates')).toMatchObject({ gated: true, status: 'pass' });
    expect(verdict.summary).toMatch(
      /nothing was lost, but 3 deliveries arrived more than once across 2 trials\.$/,
    );
    expect(compare(reference, referenceBaseline, options()).summary).not.toMatch(/more than once/);
  });

  it('fails a rise beyond the floor, from zero too', () => {
    const verdict = compare(
      aggregate(run(shape(12), { duplicates: 40 })),
      referenceBaseline,
      options(),
    );
    expect(verdict.outcome).toBe('regression');
    expect(verdict.summary).toBe('Regression: 40 duplicate deliveries per trial.');
    expect(metric(verdict, 'duplicates').reason).toMatch(
      /beyond its limit ≤ 5 \(5 per trial allowed;/,
    );
  });

  it('grows the floor with the run, so a large run is held to the same share', () => {
    const large = (duplicates: number) =>
      aggregate(run(shape(12), { sampleCount: 20_000, duplicates }));
    const base = baselineOf(large(0));
    // 0.1% of 20,000 expected deliveries: up to 20 per trial is within the floor.
    expect(metric(compare(large(20), base, options()), 'duplicates').status).toBe('pass');
    expect(metric(compare(large(21), base, options()), 'duplicates').status).toBe('regression');
  });
});

describe("compare: a runner busier than the baseline's (all-cores probe)", () => {
  const quiet = { speed: { cpuMs: 35, redisRoundTripUs: 60, allCoresMs: 36 } };
  const busy = { speed: { cpuMs: 35, redisRoundTripUs: 60, allCoresMs: 50 } };
  const trials = (latency: LatencyShape, environment: RunFixtureOptions['environment']) =>
    aggregate(...[0, 1, 2].map(() => run(latency, { environment })));
  const quietBaseline = baselineOf(trials(shape(1.2, 2, 3), quiet));

  it('does not fail a tail that rose with the other load, and says why', () => {
    // 2.5x: beyond what a young baseline holds back (tolerance squared), so only "busier" does.
    const tailUp = shape(1.25, 5, 7.5);
    const verdict = compare(trials(tailUp, busy), quietBaseline, options());
    expect(verdict.busier?.factor).toBeCloseTo(50 / 36, 6);
    expect(statuses(verdict, ['p50', 'p95', 'p99'])).toEqual({
      p50: 'pass',
      p95: 'noise',
      p99: 'noise',
    });
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toMatch(
      /^Inconclusive: Latency p95, Latency p99 worse, measured on a runner busier than the baseline's \(CPU probe on all cores 1\.39x the baseline's\)\.$/,
    );
    expect(metric(verdict, 'p95').reason).toMatch(/busier than the baseline's.*not judged/);
    expect(verdict.notes.join(' ')).toMatch(/tail latencies \(p95, p99\) are shown but/);
    // The same figures on a runner as quiet as the baseline's are a regression.
    const control = compare(trials(tailUp, quiet), quietBaseline, options());
    expect(control.busier).toBeNull();
    expect(control.outcome).toBe('regression');
    expect(statuses(control, ['p95', 'p99'])).toEqual({ p95: 'regression', p99: 'regression' });
  });

  it('judges the median against its limit widened by how much busier the runner is', () => {
    // 1.9x: beyond the 1.5x limit, within 1.5 x 1.39 = 2.08x.
    const verdict = compare(trials(shape(2.28, 2.5, 3.2), busy), quietBaseline, options());
    expect(metric(verdict, 'p50').status).toBe('noise');
    expect(metric(verdict, 'p50').reason).toMatch(
      /beyond its limit ≤ 1\.80 ms .*but within 2\.49 ms, that limit times 1\.39: this runner was busier/,
    );
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toBe(
      "Inconclusive: Latency p50 worse, within what a runner 1.39x busier than the baseline's can add (CPU probe on all cores).",
    );
    expect(compare(trials(shape(2.28, 2.5, 3.2), quiet), quietBaseline, options()).outcome).toBe(
      'regression',
    );
    // Beyond the widened limit it fails.
    const slower = compare(trials(shape(2.7, 4.2, 6.5), busy), quietBaseline, options());
    expect(slower.outcome).toBe('regression');
    expect(statuses(slower, ['p50', 'p95'])).toEqual({ p50: 'regression', p95: 'noise' });
    expect(slower.summary).toMatch(/^Regression: Latency p50 \+/);
  });

  it('passes an unchanged run on a busier runner, with a note', () => {
    const verdict = compare(trials(shape(1.2, 2, 3), busy), quietBaseline, options());
    expect(verdict.outcome).toBe('pass');
    expect(verdict.notes.join(' ')).toMatch(/This runner was busier than the baseline's/);
  });
});

describe('compare: tails against a baseline without the history to measure run-to-run noise', () => {
  const trials = (latency: LatencyShape) => aggregate(...[0, 1, 2].map(() => run(latency)));
  const young = baselineOf(trials(shape(1.2, 3, 9)));
  // bench:verdict, unchanged pipeline: p99 1.74x and 1.68x between two fresh starts, each run's
  // trials tight; that is what the rule is for.
  const tailUp = shape(1.25, 5, 15.5);

  it('holds a tail change up to tolerance squared back, saying what is missing', () => {
    const verdict = compare(trials(tailUp), young, options());
    expect(statuses(verdict, ['p50', 'p95', 'p99'])).toEqual({
      p50: 'pass',
      p95: 'noise',
      p99: 'noise',
    });
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.summary).toBe(
      "Inconclusive: Latency p95, Latency p99 worse by less than 2.25x, and how much the tail varies between runs is not measured yet (fewer than 5 comparable nights in the baseline's history).",
    );
    expect(metric(verdict, 'p99').reason).toMatch(/takes 5 nightly runs in the baseline's history/);
  });

  it('fails a tail beyond tolerance squared, and any tail once the history measures the noise', () => {
    const far = compare(trials(shape(1.25, 7, 21)), young, options());
    expect(statuses(far, ['p95', 'p99'])).toEqual({ p95: 'regression', p99: 'regression' });
    // Five nights on this runner and load, each within 2% of the others.
    let grown = young;
    for (const [index, wobble] of [1, 1.02, 0.99, 1.01, 0.98, 1].entries()) {
      grown = updateBaseline(grown, trials(shape(1.2 * wobble, 3 * wobble, 9 * wobble)), {
        name: 'steady',
        commit: `c${index}`,
        date: `2025-01-${String(15 + index).padStart(2, '0')}T02:00:00.000Z`,
      });
    }
    expect(grown.noise?.p99?.samples).toBeGreaterThanOrEqual(5);
    const verdict = compare(trials(tailUp), grown, options());
    expect(statuses(verdict, ['p95', 'p99'])).toEqual({ p95: 'regression', p99: 'regression' });
    expect(verdict.outcome).toBe('regression');
  });
});
