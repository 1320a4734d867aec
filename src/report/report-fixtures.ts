/**
 * Test-only: fixed report inputs shared by the markdown and terminal tests (and their golden
 * files). Nothing in the shipped code imports it.
 */
import { updateBaseline, type Baseline, type HistoryEntry } from '../compare/baseline.js';
import { configKey } from '../compare/comparability.js';
import { makeRunResult, type LatencyShape, type RunFixtureOptions } from '../compare/fixtures.js';
import { aggregateTrials, type TrialAggregate } from '../compare/trials.js';
import type { EndpointFigures } from '../engine/measure/result.js';
import { baselineReferenceOf, judge, type Judgement } from '../judge/judge.js';
import type { CheckReport, ShownJudgement } from './check.js';

const run = (runId: string, latency: LatencyShape, options: RunFixtureOptions = {}) =>
  makeRunResult({ runId, sampleCount: 300, latency, ...options });

export function baselineAggregate(): TrialAggregate {
  return aggregateTrials([
    run(
      'b000000000000001',
      { p50Ms: 12, p95Ms: 30, p99Ms: 60 },
      { startedAt: '2025-01-14T02:00:00.000Z' },
    ),
    run(
      'b000000000000002',
      { p50Ms: 12.4, p95Ms: 31, p99Ms: 64 },
      { startedAt: '2025-01-14T02:01:00.000Z' },
    ),
    run(
      'b000000000000003',
      { p50Ms: 11.8, p95Ms: 29, p99Ms: 58 },
      { startedAt: '2025-01-14T02:02:00.000Z' },
    ),
  ]);
}

export function historyOf(base: TrialAggregate, nights: number): HistoryEntry[] {
  return Array.from({ length: nights }, (_, index) => {
    const wobble = [0, 0.4, -0.3, 0.2, -0.1, 0.5, -0.2][index % 7] as number;
    return {
      date: new Date(Date.UTC(2024, 11, 31 - nights + index + 14)).toISOString(),
      commit: `${(index + 10).toString(16).padStart(2, '0')}c0ffee${index}deadbeef`,
      trialCount: 3,
      configKey: configKey(base.config),
      valid: index !== 2,
      environment: base.environment,
      metrics: {
        ...base.metrics,
        p50: 12 + wobble,
        p95: 30 + wobble * 2,
        p99: 60 + wobble * 4,
        throughput: 100 - wobble,
      },
    };
  });
}

export function baselineWithHistory(nights = 6): Baseline {
  const base = baselineAggregate();
  const date = '2025-01-14T02:05:00.000Z';
  const history = historyOf(base, nights);
  return {
    ...updateBaseline(null, base, {
      name: 'steady',
      commit: '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d',
      date,
    }),
    history,
  };
}

export function regressedAggregate(): TrialAggregate {
  return aggregateTrials([
    run(
      'c000000000000001',
      { p50Ms: 27, p95Ms: 70, p99Ms: 140 },
      { startedAt: '2025-01-15T10:00:00.000Z' },
    ),
    run(
      'c000000000000002',
      { p50Ms: 28, p95Ms: 72, p99Ms: 150 },
      { startedAt: '2025-01-15T10:01:00.000Z', throughputPerSec: 97 },
    ),
    run(
      'c000000000000003',
      { p50Ms: 26, p95Ms: 69, p99Ms: 138 },
      { startedAt: '2025-01-15T10:02:00.000Z', throughputPerSec: 98 },
    ),
  ]);
}

/**
 * The regressed aggregate with `count` endpoints, each the first one's figures under its own id
 * (`endpoint-<index>`) and changed where `vary` says: for reports as wide or as long as they get.
 */
export function regressedWithEndpoints(
  count: number,
  vary: (index: number, first: EndpointFigures) => Partial<EndpointFigures>,
): TrialAggregate {
  const template = regressedAggregate();
  const first = template.endpoints[0]!;
  return {
    ...template,
    endpoints: Array.from({ length: count }, (_, index) => ({
      ...first,
      endpointId: `endpoint-${index}`,
      ...vary(index, first),
    })),
  };
}

/** The baseline of baselineWithHistory (its noise from 6 nights) showing `nights` of history. */
export function baselineWithLongHistory(nights = 30): Baseline {
  return { ...baselineWithHistory(), history: historyOf(baselineAggregate(), nights) };
}

export function unchangedAggregate(): TrialAggregate {
  return aggregateTrials([
    run(
      'd000000000000001',
      { p50Ms: 12.2, p95Ms: 30.5, p99Ms: 61 },
      { startedAt: '2025-01-15T10:00:00.000Z' },
    ),
  ]);
}

/** A final judgement as the reports show it: "another round" cannot be shown, only decided. */
export function shown(judgement: Judgement): ShownJudgement {
  if (judgement.outcome === 'another-round') {
    throw new RangeError(
      `a fixture judgement must be final, got another round: ${judgement.summary}`,
    );
  }
  return { ...judgement, outcome: judgement.outcome };
}

/** The report of `current` judged against `baseline` (or with no reference). */
export function baselineReport(current: TrialAggregate, baseline: Baseline | null): CheckReport {
  const once = { roundsSoFar: 1, minRounds: 1, maxRounds: 1 };
  const judgement = shown(
    baseline
      ? judge(
          { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [current.trials] },
          { tolerance: 1.5 },
          once,
        )
      : judge(
          { kind: 'none', head: [current.trials], why: 'There is no baseline yet.' },
          { tolerance: 1.5 },
          once,
        ),
  );
  return {
    name: 'steady',
    judgement,
    reference: baseline ? 'baseline' : 'none',
    why: baseline
      ? 'compare-to auto: the committed baseline, as the base cannot be measured here (not a pull request)'
      : 'no reference',
    describeHead: 'commit feedfac',
    head: current,
    paired: null,
    baseline,
    notes: [],
    commit: 'feedfacecafebeef00112233445566778899aabb',
    detailsUrl: 'https://github.com/ethhook/ethhook/actions/runs/123456789',
  };
}
