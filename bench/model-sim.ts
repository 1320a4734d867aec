/**
 * The decision model in silico (src/judge): paired checks of simulated rounds, counted per
 * scenario against the targets of issue 24. No Redis, no SUT: the noise is drawn, so the counts
 * say what the statistics do, not what a runner does (bench:verdict and bench:ab measure that).
 *
 *   npx tsx bench/model-sim.ts [--checks 200] [--min-rounds 3] [--max-rounds 8] [--seed 1]
 *   npx tsx bench/model-sim.ts --baseline [--nights 10]   (this run against a committed baseline's
 *                                          nights; --nights 3 and --nights 1 are young baselines)
 *
 * Each round measures a fresh start of each side: `--trials` (3) trials of 1,000 events of a
 * lognormal latency (median 10 ms, log sd 0.5: p99 about 3.2x the median) times a start factor,
 * lognormal with sd `--start-sd` (10%) per side; one start in 20 stalls and runs 2x slower
 * throughout.
 */
import { parseArgs } from 'node:util';
import { METRIC_IDS, type MetricValues } from '../src/compare/metrics.js';
import { median } from '../src/compare/stats.js';
import {
  createHistogram,
  encodeHistogram,
  recordUs,
  summarizeMs,
} from '../src/engine/measure/histogram.js';
import { seededRandom } from '../src/engine/random.js';
import type { Trial } from '../src/judge/figures.js';
import {
  DEFAULT_MAX_ROUNDS,
  DEFAULT_MIN_ROUNDS,
  judge,
  type JudgeInput,
} from '../src/judge/judge.js';

const { values: args } = parseArgs({
  options: {
    checks: { type: 'string', default: '200' },
    'min-rounds': { type: 'string', default: String(DEFAULT_MIN_ROUNDS) },
    'max-rounds': { type: 'string', default: String(DEFAULT_MAX_ROUNDS) },
    seed: { type: 'string', default: '1' },
    baseline: { type: 'boolean', default: false },
    nights: { type: 'string', default: '10' },
    trials: { type: 'string', default: '3' },
    'start-sd': { type: 'string', default: '0.1' },
  },
});
const CHECKS = Number(args.checks);
// Against a baseline: this run is --min-rounds starts of 3 trials, another while undecided, up to
// --max-rounds, as the check does (a young baseline's verdict is final after one start: the
// judge's limit for it); the reference is BASELINE_NIGHTS nights of 3 trials each,
// drawn with the same noise.
const MIN_ROUNDS = Number(args['min-rounds']);
const MAX_ROUNDS = Number(args['max-rounds']);
const BASELINE_NIGHTS = Number(args.nights);
/** Trials a start measures, in a paired round as against a baseline (the trials setting). */
const TRIALS = Number(args.trials);

const EVENTS_PER_ROUND = 1000;
const MEDIAN_MS = 10;
const LOG_SD = 0.5;
/** How far a start moves every latency (log sd per side): 0.14-0.2 on the fastest pipeline. */
const START_SD = Number(args['start-sd']);
const STALL_SHARE = 0.05;

interface Scenario {
  name: string;
  /** The head's latency of one event, from the base's. */
  head(latencyMs: number, index: number): number;
  /** The target of issue 24. */
  target: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'identical', head: (ms) => ms, target: '≤ 1/20 regressions' },
  { name: 'p50 1.3x', head: (ms) => ms * 1.3, target: '≤ 2/10 regressions' },
  { name: 'p50 1.6x', head: (ms) => ms * 1.6, target: '≥ 8/10 detected' },
  { name: 'p50 2x', head: (ms) => ms * 2, target: '10/10 detected' },
  {
    // Every 50th delivery held back: 2% of events, so p99 lands among them, p50 does not move.
    name: 'tail only (1 in 50 held)',
    head: (ms, index) => (index % 50 === 0 ? ms + 5.5 * MEDIAN_MS : ms),

    target: '≥ 8/10 detected',
  },
];

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function trialOf(latenciesMs: readonly number[]): Trial {
  const histogram = createHistogram();
  for (const ms of latenciesMs) recordUs(histogram, ms * 1000);
  const summary = summarizeMs(histogram);
  const metrics = Object.fromEntries(METRIC_IDS.map((id) => [id, 0])) as MetricValues;
  Object.assign(metrics, {
    p50: summary.p50,
    p90: summary.p90,
    p95: summary.p95,
    p99: summary.p99,
    p999: summary.p999,
    max: summary.max,
    throughput: 100,
    publishRate: 100,
    successRate: 1,
  });
  return {
    metrics,
    latencyHistogram: encodeHistogram(histogram),
    delivery: {
      expected: latenciesMs.length,
      lost: 0,
      unexpected: 0,
      badSignatures: 0,
      duplicates: 0,
      successRate: 1,
    },
    validity: { valid: true, reasons: [] },
  };
}

/** One fresh start of a side: its start factor, a stall now and then, then its trials' events. */
function startOf(
  random: () => number,
  shape: (ms: number, index: number) => number,
  trials = 1,
): Trial[] {
  const factor = Math.exp(START_SD * normal(random)) * (random() < STALL_SHARE ? 2 : 1);
  return Array.from({ length: trials }, () =>
    trialOf(
      Array.from({ length: EVENTS_PER_ROUND }, (_, index) =>
        shape(MEDIAN_MS * factor * Math.exp(LOG_SD * normal(random)), index),
      ),
    ),
  );
}

/** A night's figures as a baseline stores them: each metric's median over the night's trials. */
const nightFigures = (trials: readonly Trial[]): MetricValues =>
  Object.fromEntries(
    METRIC_IDS.map((id) => [id, median(trials.map((trial) => trial.metrics[id]))]),
  ) as MetricValues;

interface Tally {
  outcomes: Record<string, number>;
  rounds: number;
  judgeMs: number;
  slowestJudgeMs: number;
  calls: number;
  /** Which gated figures the regressions named, e.g. p99: 3. */
  regressedFigures: Record<string, number>;
}

/** The judge's input after `count` rounds: paired rounds, or this run's starts and the nights. */
function inputAfter(scenario: Scenario, random: () => number) {
  if (!args.baseline) {
    const rounds: { base: Trial[]; head: Trial[] }[] = [];
    return (): JudgeInput => {
      rounds.push({
        base: startOf(random, (ms) => ms, TRIALS),
        head: startOf(random, scenario.head, TRIALS),
      });
      return { kind: 'paired', rounds };
    };
  }
  const nights = Array.from({ length: BASELINE_NIGHTS }, () => startOf(random, (ms) => ms, 3));
  const newest = nights.at(-1) ?? [];
  const head: Trial[][] = [];
  return (): JudgeInput => {
    head.push(startOf(random, scenario.head, 3));
    return {
      kind: 'baseline',
      baseline: {
        nights: nights.map(nightFigures),
        newestTrials: newest,
        validity: newest[0]!.validity,
      },
      head,
    };
  };
}

function runCheck(scenario: Scenario, random: () => number, tally: Tally): void {
  const next = inputAfter(scenario, random);
  for (let round = 1; ; round += 1) {
    const input = next();
    const started = performance.now();
    const judgement = judge(
      input,
      { tolerance: 1.5 },
      { roundsSoFar: round, minRounds: MIN_ROUNDS, maxRounds: MAX_ROUNDS },
    );
    const judgeMs = performance.now() - started;
    tally.judgeMs += judgeMs;
    tally.slowestJudgeMs = Math.max(tally.slowestJudgeMs, judgeMs);
    tally.calls += 1;
    if (judgement.outcome !== 'another-round') {
      tally.outcomes[judgement.outcome] = (tally.outcomes[judgement.outcome] ?? 0) + 1;
      tally.rounds += round;
      for (const metric of judgement.metrics) {
        if (metric.gated && metric.status === 'regression' && judgement.outcome === 'regression') {
          tally.regressedFigures[metric.id] = (tally.regressedFigures[metric.id] ?? 0) + 1;
        }
      }
      return;
    }
  }
}

console.log(
  `model-sim: ${CHECKS} ${args.baseline ? `checks against ${BASELINE_NIGHTS} nights` : 'paired checks'} ` +
    `per scenario, rounds ${MIN_ROUNDS}-${MAX_ROUNDS}, tolerance 1.5x, ` +
    `start sd ${START_SD * 100}%, stalls ${STALL_SHARE * 100}% of starts, ${TRIALS} trials of ${EVENTS_PER_ROUND} events a side a round`,
);
const count = (value: number) => String(value).padStart(3);
for (const [index, scenario] of SCENARIOS.entries()) {
  const random = seededRandom(Number(args.seed) * 1000 + index);
  const tally: Tally = {
    outcomes: {},
    rounds: 0,
    judgeMs: 0,
    slowestJudgeMs: 0,
    calls: 0,
    regressedFigures: {},
  };
  for (let check = 0; check < CHECKS; check += 1) runCheck(scenario, random, tally);
  const { regression = 0, pass = 0, inconclusive = 0 } = tally.outcomes;
  const named = Object.entries(tally.regressedFigures).map(([id, times]) => `${id} ${times}`);
  console.log(
    `${scenario.name.padEnd(26)} regression ${count(regression)}  pass ${count(pass)}  ` +
      `inconclusive ${count(inconclusive)}  of ${CHECKS}  ` +
      `mean rounds ${(tally.rounds / CHECKS).toFixed(2)}  ` +
      `judge ${(tally.judgeMs / tally.calls).toFixed(0)} ms a call, slowest ${tally.slowestJudgeMs.toFixed(0)} ms  ` +
      `(target ${scenario.target})${named.length > 0 ? `; regressed: ${named.join(', ')}` : ''}`,
  );
}
