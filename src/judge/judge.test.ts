import { describe, expect, it } from 'vitest';
import { updateBaseline, type Baseline, type HistoryEntry } from '../compare/baseline.js';
import { makeRunResult, nightOf, type LatencyShape } from '../compare/fixtures.js';
import { aggregateTrials } from '../compare/trials.js';
import type { RunResult } from '../engine/measure/result.js';
import { trialOfRun, type Start } from './figures.js';
import {
  baselineReferenceOf,
  judge,
  DEFAULT_MAX_ROUNDS,
  DEFAULT_MIN_ROUNDS,
  type JudgeInput,
} from './judge.js';

const TOLERANCE = { tolerance: 1.5 };
const BASE: LatencyShape = { p50Ms: 10, p95Ms: 30, p99Ms: 60 };

const scaled = (shape: LatencyShape, factor: number, tailFactor = factor): LatencyShape => ({
  p50Ms: shape.p50Ms * factor,
  p95Ms: shape.p95Ms * tailFactor,
  p99Ms: shape.p99Ms * tailFactor,
});

const start = (...results: RunResult[]): Start => results.map(trialOfRun);

/** Paired rounds: per round the base's and the head's latency factor over BASE. */
function pairedRounds(
  factors: readonly (readonly [number, number])[],
  head: Parameters<typeof makeRunResult>[0] = {},
): JudgeInput {
  return {
    kind: 'paired',
    rounds: factors.map(([base, headFactor]) => ({
      base: start(makeRunResult({ latency: scaled(BASE, base) })),
      head: start(makeRunResult({ latency: scaled(BASE, headFactor), ...head })),
    })),
  };
}

const progress = (roundsSoFar: number, maxRounds = DEFAULT_MAX_ROUNDS) => ({
  roundsSoFar,
  minRounds: DEFAULT_MIN_ROUNDS,
  maxRounds,
});

/** Small differences between fresh starts, the same on each side on average. */
const QUIET = [1, 1.03, 0.98, 1.01, 0.99, 1.02];

const figure = (judgement: ReturnType<typeof judge>, id: string) =>
  judgement.metrics.find((metric) => metric.id === id);

describe('judge: the six cases of issue 24', () => {
  it('1. one stalled trial per side does not hide a 5x p95 against a young baseline', () => {
    // Trials p95 3.1/3.25/6.8 ms in the baseline, the run 5x that; p50 unchanged.
    const p95s = [3.1, 3.25, 6.8];
    const trials = (factor: number) =>
      p95s.map((p95, index) =>
        makeRunResult({
          runId: `t${index}`,
          latency: { p50Ms: 1.5, p95Ms: p95 * factor, p99Ms: p95 * factor * 1.3 },
        }),
      );
    const baseline = updateBaseline(null, aggregateTrials(trials(1)), {
      name: 'steady',
      commit: null,
      date: '2026-12-01T02:00:00Z',
    });
    const judgement = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [start(...trials(5))] },
      TOLERANCE,
      { roundsSoFar: 1, minRounds: 1, maxRounds: 1 },
    );
    expect(judgement.outcome).toBe('regression');
    expect(figure(judgement, 'p95')?.status).toBe('regression');
    expect(judgement.basis).toBe('trials');
    expect(judgement.reasons.join(' ')).toContain('A young baseline');
  });

  it('2. one high newest night does not become the reference: a 1.6x p50 is a regression', () => {
    const head = [1.6, 1.6, 1.6].map((p50, index) =>
      makeRunResult({ runId: `h${index}`, latency: { p50Ms: p50, p95Ms: 3, p99Ms: 5 } }),
    );
    const newest = aggregateTrials(head);
    const history = [1.0, 1.05, 0.97, 1.02, 0.99, 1.01, 0.98].map((p50, index) =>
      nightOf(newest, p50, `2026-11-2${index}T02:00:00Z`),
    );
    const baseline: Baseline = {
      ...updateBaseline(null, newest, {
        name: 'steady',
        commit: null,
        date: '2026-11-28T02:00:00Z',
      }),
      history,
    };
    const judgement = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [start(...head)] },
      TOLERANCE,
      { roundsSoFar: 1, minRounds: 1, maxRounds: 1 },
    );
    const p50 = figure(judgement, 'p50');
    expect(p50?.reference).toBeCloseTo(1.005, 3);
    expect(p50?.status).toBe('regression');
    expect(judgement.outcome).toBe('regression');
    expect(judgement.basis).toBe('nights');
  });

  it('3. rounds 1.2x, 1.6x, 1.4x are not a pass: another round, inconclusive at the limit', () => {
    const input = pairedRounds([
      [1, 1.2],
      [1, 1.6],
      [1, 1.4],
    ]);
    const early = judge(input, TOLERANCE, progress(3));
    expect(early.outcome).toBe('another-round');
    expect(figure(early, 'p50')?.status).toBe('undecided');
    const atLimit = judge(input, TOLERANCE, progress(3, 3));
    expect(atLimit.outcome).toBe('inconclusive');
    expect(atLimit.decidedBy).toBe('undecided-at-limit');
    expect(atLimit.summary).toMatch(/Latency p50 \+\d+% \[90% CI [-+][\d.]+%, \+\d+%\]/);
    expect(atLimit.reasons.join(' ')).toContain('max-rounds');
  });

  it('4. invalid head rounds 2x slower are inconclusive, never a regression', () => {
    const input = pairedRounds(
      [
        [1, 2],
        [1, 2.05],
        [1, 1.95],
      ],
      { valid: false, invalidReasons: ['publisher behind: achieved 80.0 of 100 events/s'] },
    );
    // Rounds left: they are put aside and measured again.
    const early = judge(input, TOLERANCE, progress(3));
    expect(early.outcome).toBe('another-round');
    expect(early.decidedBy).toBe('too-few-rounds');
    expect(early.summary).toContain('0 rounds valid of at least 3');
    // None left: inconclusive, never a regression.
    const judgement = judge(input, TOLERANCE, progress(3, 3));
    expect(judgement.outcome).toBe('inconclusive');
    expect(judgement.decidedBy).toBe('invalid-data');
    expect(judgement.reasons).toContain(
      'round 2, head: publisher behind: achieved 80.0 of 100 events/s',
    );
    expect(judgement.explanation[1]).toContain('3 of 3 rounds were invalid');
  });

  it('4b. a disturbed round is put aside and the valid rounds decide: one steal does not end the check', () => {
    // A CPU-steal trial in round 2 of an A/A check once ended it inconclusive after 3 rounds,
    // with 5 rounds left (bench:ab, December 2026).
    const valid = pairedRounds([
      [1, 1.01],
      [1, 0.99],
      [1.02, 1.0],
      [0.99, 1.01],
    ]);
    if (valid.kind !== 'paired') throw new Error('paired');
    const disturbed = {
      ...(valid.rounds[1] as { base: Start; head: Start }),
      base: start(
        makeRunResult({
          latency: scaled(BASE, 3),
          valid: false,
          invalidReasons: ['the hypervisor took 6.5% of the CPU (steal)'],
        }),
      ),
    };
    const rounds = [valid.rounds[0], disturbed, ...valid.rounds.slice(2)] as {
      base: Start;
      head: Start;
    }[];
    const threeMeasured = judge(
      { kind: 'paired', rounds: rounds.slice(0, 3) },
      TOLERANCE,
      progress(3),
    );
    expect(threeMeasured.outcome).toBe('another-round');
    expect(threeMeasured.decidedBy).toBe('too-few-rounds');
    const judgement = judge({ kind: 'paired', rounds }, TOLERANCE, progress(4));
    expect(judgement.outcome).not.toBe('inconclusive');
    expect(judgement.decidedBy).not.toBe('invalid-data');
    expect(judgement.setAside).toBe(1);
    expect(figure(judgement, 'p50')?.ratio).toBeCloseTo(1, 1);
    expect(judgement.reasons.join(' ')).toContain('Put aside as invalid');
    expect(judgement.explanation[0]).toContain(
      '3 rounds of the base and the head measured alternately on this runner, 1 more put aside as invalid',
    );
  });

  it('5. a 1.62x p50 with a busier CPU probe on the head is a regression: no probe excuses it', () => {
    const busier = { speed: { cpuMs: 130, redisRoundTripUs: 150 } };
    const input = pairedRounds(
      [
        [1, 1.62],
        [1.02, 1.64],
        [0.99, 1.6],
      ],
      { environment: busier },
    );
    const judgement = judge(input, TOLERANCE, progress(3));
    expect(judgement.outcome).toBe('regression');
    expect(figure(judgement, 'p50')?.status).toBe('regression');
  });

  it('6. a tail regression (p95 +92%, every round worse, 3000 events a side) is decided in 3 rounds', () => {
    const input: JudgeInput = {
      kind: 'paired',
      rounds: [0.97, 1, 1.03].map((noise) => ({
        base: start(makeRunResult({ latency: scaled(BASE, noise) })),
        head: start(makeRunResult({ latency: scaled(BASE, noise, noise * 1.92) })),
      })),
    };
    const judgement = judge(input, TOLERANCE, progress(DEFAULT_MIN_ROUNDS));
    expect(judgement.outcome).toBe('regression');
    expect(figure(judgement, 'p95')?.status).toBe('regression');
    expect(figure(judgement, 'p50')?.status).toBe('pass');
  });
});

describe('judge: the model', () => {
  it('passes identical code', () => {
    const input = pairedRounds(QUIET.slice(0, 3).map((noise) => [noise, noise * 1.01] as const));
    const judgement = judge(input, TOLERANCE, progress(3));
    expect(judgement.outcome).toBe('pass');
    expect(judgement.decidedBy).toBe('all-within-tolerance');
  });

  it('passes a 1.3x change, within the tolerance, once the rounds have narrowed its interval', () => {
    const input = pairedRounds(
      QUIET.map((noise, index) => [noise, 1.3 * QUIET[(index + 3) % 6]!] as const),
    );
    expect(judge(input, TOLERANCE, progress(6)).outcome).toBe('pass');
  });

  it('fails a 2x p50', () => {
    const input = pairedRounds(QUIET.slice(0, 3).map((noise) => [noise, 2 * noise] as const));
    const judgement = judge(input, TOLERANCE, progress(3));
    expect(judgement.outcome).toBe('regression');
    expect(figure(judgement, 'p50')?.change).toMatch(/^\+100% \[90% CI \+\d+%, \+\d+%\]$/);
    expect(judgement.explanation[1]).toMatch(/exceeds? the 1.5x tolerance/);
  });

  it('waits for the minimum rounds before judging figures', () => {
    const input = pairedRounds([[1, 2]]);
    const judgement = judge(input, TOLERANCE, progress(1));
    expect(judgement.outcome).toBe('another-round');
    expect(judgement.decidedBy).toBe('too-few-rounds');
  });

  it('is deterministic: the same data gives the same judgement', () => {
    const input = pairedRounds([
      [1, 1.2],
      [1, 1.6],
      [1, 1.4],
    ]);
    expect(judge(input, TOLERANCE, progress(3))).toEqual(judge(input, TOLERANCE, progress(3)));
  });

  it('fails a lost delivery on its own, whatever else was measured', () => {
    const input = pairedRounds(
      QUIET.slice(0, 3).map((noise) => [noise, noise] as const),
      { lost: 2 },
    );
    const judgement = judge(input, TOLERANCE, progress(1));
    expect(judgement.outcome).toBe('regression');
    expect(judgement.decidedBy).toBe('lost-deliveries');
    expect(judgement.explanation[1]).toContain('fails on its own');
  });

  it('does not pass a tail against a young baseline: two starts may differ that much', () => {
    const baseline = updateBaseline(null, aggregateTrials([makeRunResult()]), {
      name: 'steady',
      commit: null,
      date: '2026-12-01T02:00:00Z',
    });
    const judgement = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [start(makeRunResult())] },
      TOLERANCE,
      { roundsSoFar: 1, minRounds: 1, maxRounds: 1 },
    );
    expect(judgement.outcome).toBe('inconclusive');
    expect(figure(judgement, 'p99')?.status).toBe('undecided');
    expect(figure(judgement, 'p99')?.interval?.upper).toBeGreaterThan(1.5);
    expect(judgement.reasons.join(' ')).toContain('A young baseline');
    // One start against one start: no rounds to add, so the advice is nights or the base.
    expect(judgement.reasons.join(' ')).not.toContain('max-rounds');
  });

  it('fails a doubled p50 against a young baseline of one trial', () => {
    const baseline = updateBaseline(null, aggregateTrials([makeRunResult()]), {
      name: 'steady',
      commit: null,
      date: '2026-12-01T02:00:00Z',
    });
    const doubled = makeRunResult({ latency: { p50Ms: 20, p95Ms: 60, p99Ms: 120 } });
    const judgement = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [start(doubled)] },
      TOLERANCE,
      { roundsSoFar: 1, minRounds: 1, maxRounds: 1 },
    );
    expect(judgement.outcome).toBe('regression');
    expect(figure(judgement, 'p50')?.status).toBe('regression');
  });

  it('widens the interval of few rounds: three rounds of p95 +15%, +57%, +77% are another round', () => {
    // A bootstrap of three rounds is a 75% interval at best: unwidened, its 5th percentile here is
    // the lowest round (+15%), above no change, and the +57% median beyond the tolerance would
    // be a regression. Widened (t with 2 degrees of freedom), it reaches below no change, so
    // another round is measured.
    const input: JudgeInput = {
      kind: 'paired',
      rounds: [1.15, 1.57, 1.77].map((tail) => ({
        base: start(makeRunResult({ latency: BASE })),
        head: start(makeRunResult({ latency: scaled(BASE, 1, tail) })),
      })),
    };
    const judgement = judge(input, TOLERANCE, progress(3));
    expect(figure(judgement, 'p95')?.ratio ?? 0).toBeGreaterThan(TOLERANCE.tolerance);
    expect(figure(judgement, 'p95')?.status).toBe('undecided');
    expect(figure(judgement, 'p95')?.interval?.lower).toBeLessThan(1);
    expect(judgement.outcome).toBe('another-round');
  });

  it('does not judge a tail that rests on too few deliveries a start', () => {
    // 200 deliveries a round: the p99 is the second slowest. Three rounds all read it 3x.
    const input: JudgeInput = {
      kind: 'paired',
      rounds: [1, 1.02, 0.98].map((noise) => ({
        base: start(makeRunResult({ sampleCount: 200, latency: scaled(BASE, noise) })),
        head: start(makeRunResult({ sampleCount: 200, latency: scaled(BASE, noise, noise * 3) })),
      })),
    };
    const judgement = judge(input, TOLERANCE, progress(3, 3));
    expect(figure(judgement, 'p99')?.status).toBe('undecided');
    expect(figure(judgement, 'p99')?.reason).toContain('rests on 2 deliveries a start');
    // The p95 rests on 10 and is judged: 3x is a regression.
    expect(figure(judgement, 'p95')?.status).toBe('regression');
  });

  it('explains in two sentences how the verdict was reached', () => {
    const judgement = judge(
      pairedRounds([
        [1, 2],
        [1, 2],
        [1, 2],
      ]),
      TOLERANCE,
      progress(3),
    );
    expect(judgement.explanation).toHaveLength(2);
    expect(judgement.explanation[0]).toContain(
      '3 rounds of the base and the head measured alternately',
    );
  });
});

describe('judge: against a baseline', () => {
  const BASELINE_RUN = { roundsSoFar: 1, minRounds: 1, maxRounds: 1 };
  const runs = (p50Ms: number, count = 3) =>
    Array.from({ length: count }, (_, index) =>
      makeRunResult({ runId: `r${index}`, latency: { p50Ms, p95Ms: p50Ms * 3, p99Ms: p50Ms * 6 } }),
    );
  function baselineWithNights(p50s: readonly number[], newestP50: number): Baseline {
    const newest = aggregateTrials(runs(newestP50));
    return {
      ...updateBaseline(null, newest, {
        name: 'steady',
        commit: null,
        date: '2026-12-01T02:00:00Z',
      }),
      history: p50s.map((p50, index) => nightOf(newest, p50, `2026-11-${10 + index}T02:00:00Z`)),
    };
  }

  it('passes a run like its nights, with an interval from the nights', () => {
    const baseline = baselineWithNights([10, 10.4, 9.7, 10.2, 9.9, 10.1], 10);
    const judgement = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [start(...runs(10.3))] },
      TOLERANCE,
      BASELINE_RUN,
    );
    expect(judgement.outcome).toBe('pass');
    expect(judgement.basis).toBe('nights');
    expect(judgement.explanation[0]).toContain("the baseline's nights, 7 on this runner and load");
  });

  it('reads only valid nights of this load on a comparable runner', () => {
    const baseline = baselineWithNights([10, 10, 10], 10);
    const [valid, invalid, otherLoad] = baseline.history as [
      HistoryEntry,
      HistoryEntry,
      HistoryEntry,
    ];
    baseline.history = [
      valid,
      { ...invalid, valid: false },
      { ...otherLoad, configKey: 'another' },
    ];
    expect(baselineReferenceOf(baseline).nights).toHaveLength(2);
  });

  it('a young baseline of three nights: their median is the reference, so one stalled night is outvoted', () => {
    // CI, December 2026: nights p50 8.3, 2.6 and 846 ms of an unchanged pipeline on a busy
    // machine; the newest alone as the reference let a head at 3.9 s read +366% against 5x.
    const baseline = baselineWithNights([8.3, 2.6], 846);
    const input = (starts: number): JudgeInput => ({
      kind: 'baseline',
      baseline: baselineReferenceOf(baseline),
      head: Array.from({ length: starts }, () => start(...runs(3942, 1))),
    });
    const settings = { tolerance: 5 };
    const limits = { minRounds: DEFAULT_MIN_ROUNDS, maxRounds: DEFAULT_MAX_ROUNDS };
    // Its rounds, as against more nights: the median of three starts of the head.
    expect(judge(input(1), settings, { roundsSoFar: 1, ...limits }).outcome).toBe('another-round');
    const judgement = judge(input(3), settings, { roundsSoFar: 3, ...limits });
    expect(figure(judgement, 'p50')?.reference).toBeCloseTo(8.3, 5);
    expect(figure(judgement, 'p50')?.status).toBe('regression');
    expect(judgement.outcome).toBe('regression');
    expect(judgement.basis).toBe('young-nights');
    expect(judgement.explanation[0]).toContain("the median of the baseline's 3 nights");
    expect(judgement.reasons.join(' ')).toContain('compares the median of 3 nights');
  });

  it('a young baseline of three nights decides after `rounds` starts, saying that nights would settle it', () => {
    const baseline = baselineWithNights([10, 10.3, 9.8], 10.1);
    const judgement = judge(
      {
        kind: 'baseline',
        baseline: baselineReferenceOf(baseline),
        head: [start(...runs(10.3)), start(...runs(10.5)), start(...runs(10.2))],
      },
      TOLERANCE,
      { roundsSoFar: 3, minRounds: DEFAULT_MIN_ROUNDS, maxRounds: DEFAULT_MAX_ROUNDS },
    );
    // Three starts 3% slower: the p50's assumed spread (0.15 a start) allows a pass; the tail's
    // (0.25) takes the interval past the tolerance, at 3 nights.
    expect(figure(judgement, 'p50')?.status).toBe('pass');
    expect(figure(judgement, 'p99')?.status).toBe('undecided');
    expect(judgement.outcome).toBe('inconclusive');
    expect(judgement.reasons.join(' ')).toContain('More nights in the baseline');
    expect(judgement.reasons.join(' ')).not.toContain('max-rounds');
  });

  it('puts an invalid start of the head aside and starts it again, against nights as against rounds', () => {
    const baseline = baselineWithNights([10, 10.4, 9.7, 10.2, 9.9, 10.1], 10);
    const disturbed = start(
      makeRunResult({ valid: false, invalidReasons: ['publisher behind: 80.0 of 100 events/s'] }),
    );
    const limits = { minRounds: DEFAULT_MIN_ROUNDS, maxRounds: DEFAULT_MAX_ROUNDS };
    const first = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [disturbed] },
      TOLERANCE,
      { roundsSoFar: 1, ...limits },
    );
    expect(first.outcome).toBe('another-round');
    expect(first.basis).toBe('nights');
    expect(first.summary).toContain('0 rounds valid of at least 3; 1 measurement invalid');
    const last = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [disturbed] },
      TOLERANCE,
      { roundsSoFar: 1, minRounds: 1, maxRounds: 1 },
    );
    expect(last.outcome).toBe('inconclusive');
    expect(last.decidedBy).toBe('invalid-data');
    expect(last.explanation[1]).toContain('1 of 1 starts were invalid');
  });

  it('takes a level the nights shifted to as the reference once it has enough nights', () => {
    const baseline = baselineWithNights([10, 10, 10, 10, 10, 10, 20, 20.2, 19.8, 20.1, 19.9], 20);
    const judgement = judge(
      { kind: 'baseline', baseline: baselineReferenceOf(baseline), head: [start(...runs(20))] },
      TOLERANCE,
      BASELINE_RUN,
    );
    expect(figure(judgement, 'p50')?.reference).toBeCloseTo(20, 1);
    expect(judgement.outcome).toBe('pass');
  });
});
