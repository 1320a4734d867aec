import type { Baseline } from '../compare/baseline.js';
import { configKey, environmentDifferences } from '../compare/comparability.js';
import { formatPercent, formatWithUnit } from '../compare/format.js';
import type { MetricDefinition, MetricId, MetricValues } from '../compare/metrics.js';
import { formatTolerance } from '../compare/tolerance.js';
import type { Validity } from '../engine/measure/result.js';
import {
  baselineEstimates,
  MIN_NIGHTS,
  START_SPREAD,
  pairedEstimates,
  type Basis,
  type Estimates,
  type FigureEstimate,
} from './estimate.js';
import { gatedSet, isTail, RATIO_FIGURES, type Start, type Trial } from './figures.js';
import { correctnessRows, type JudgedMetric } from './gates.js';
import { decide, type Evidence, type Outcome, type Progress, type RuleName } from './rules.js';

/**
 * The judge: the data of a check in, one Judgement out. Pure: no I/O, deterministic (the
 * bootstrap's seed is fixed). Called after every round; `another-round` asks for one more.
 */

/** Rounds of a paired check, tuned by bench/model-sim.ts (README.md in this folder). */
export const DEFAULT_MIN_ROUNDS = 3;
export const DEFAULT_MAX_ROUNDS = 8;

export interface JudgeSettings {
  /** Ratio, at least 1 (parseTolerance). */
  tolerance: number;
  /** Performance figures that decide; correctness always does. Default: the catalogue's. */
  gatedMetrics?: readonly MetricId[];
}

/** A committed baseline as the judge reads it (baselineReferenceOf builds it from the file). */
export interface BaselineReference {
  /** Valid nights of this load on a comparable runner, oldest first, the newest night last. */
  nights: readonly MetricValues[];
  /** The newest night's trials, with their histograms. */
  newestTrials: Start;
  /** The newest night's validity. */
  validity: Validity;
}

export type JudgeInput =
  | { kind: 'none'; head: readonly Start[]; why: string }
  | { kind: 'paired'; rounds: readonly { base: Start; head: Start }[] }
  | { kind: 'baseline'; baseline: BaselineReference; head: readonly Start[] };

export interface Judgement {
  outcome: Outcome;
  summary: string;
  reasons: string[];
  /** The PR comment's two sentences: how this verdict was reached (explain()). */
  explanation: [string, string];
  /** Correctness gates first, then the ratio figures in catalogue order. */
  metrics: JudgedMetric[];
  rounds: number;
  tolerance: number;
  decidedBy: RuleName;
  /** What the reference was read from: 'trials' when a young baseline's nights could not say. */
  basis: Basis;
  /** Nights of the baseline's current level behind the reference; null in a paired check. */
  nights: number | null;
}

/** The nights of a baseline that compare: valid, this load, a runner of this kind; newest last. */
export function baselineReferenceOf(baseline: Baseline): BaselineReference {
  const { aggregate } = baseline;
  const key = configKey(aggregate.config);
  const comparable = baseline.history.filter(
    (night) =>
      night.valid &&
      night.configKey === key &&
      night.environment !== undefined &&
      environmentDifferences(night.environment, aggregate.environment).every(
        (difference) => difference.field === 'speed',
      ),
  );
  return {
    nights: [...comparable.map((night) => night.metrics), aggregate.metrics],
    newestTrials: aggregate.trials,
    validity: aggregate.validity,
  };
}

/** "+23% [95% CI +12%, +35%]": head relative to reference in the metric's own terms. */
function changeText(metric: MetricDefinition, estimate: FigureEstimate): string {
  if (estimate.ratio === null) return '—';
  // Back from "worse" ratios to head / reference: a throughput drop reads as a negative change.
  const own = (ratio: number) => (metric.direction === 'lower-is-better' ? ratio : 1 / ratio);
  const percent = (ratio: number) => formatPercent((own(ratio) - 1) * 100);
  const { interval } = estimate;
  if (!interval) return `${percent(estimate.ratio)} [no interval]`;
  const [low = 1, high = 1] = [own(interval.lower), own(interval.upper)].sort((a, b) => a - b);
  const bound = (ratio: number) => formatPercent((ratio - 1) * 100);
  return `${percent(estimate.ratio)} [95% CI ${bound(low)}, ${bound(high)}]`;
}

/**
 * Deliveries beyond a tail percentile that every start must hold for the tail to be judged: a
 * p99 of 200 deliveries is the second slowest, and three identical rounds once read +198% on it.
 * p99 needs 500 deliveries a start, p95 100 (the quick scenario has 1,000 events a trial).
 */
export const MIN_TAIL_DELIVERIES = 5;

/** A ratio figure's status and its one-line reason. */
function figureStatus(
  metric: MetricDefinition,
  estimate: FigureEstimate,
  tolerance: number,
  smallestStart: number,
): Pick<JudgedMetric, 'status' | 'reason'> {
  const limit = formatTolerance(tolerance);
  const { ratio, interval } = estimate;
  if (ratio === null) return { status: 'undecided', reason: 'no figure: a side delivered nothing' };
  if (!interval) {
    return {
      status: 'undecided',
      reason: 'no interval from one round: the spread between starts is not known',
    };
  }
  const beyond = isTail(metric)
    ? Math.floor(smallestStart * (1 - (metric.latency?.percentile ?? 0) / 100))
    : Number.POSITIVE_INFINITY;
  if (beyond < MIN_TAIL_DELIVERIES) {
    return {
      status: 'undecided',
      reason:
        `rests on ${beyond} deliver${beyond === 1 ? 'y' : 'ies'} a start beyond it, fewer than the ` +
        `${MIN_TAIL_DELIVERIES} a tail needs: a longer scenario, or leave it out of the gated metrics`,
    };
  }
  if (ratio > tolerance && interval.lower > 1) {
    return {
      status: 'regression',
      reason: `beyond the ${limit} tolerance; the interval excludes no change`,
    };
  }
  if (interval.upper <= tolerance)
    return { status: 'pass', reason: `the interval lies within the ${limit} tolerance` };
  return {
    status: 'undecided',
    reason:
      ratio > tolerance
        ? `beyond the ${limit} tolerance, but the interval includes no change`
        : `within the ${limit} tolerance, but the interval reaches past it`,
  };
}

function ratioRows(
  estimates: Estimates,
  gated: ReadonlySet<MetricId>,
  tolerance: number,
  smallestStart: number,
): JudgedMetric[] {
  return RATIO_FIGURES.map((metric) => {
    const estimate = estimates.get(metric.id) as FigureEstimate;
    const isGated = gated.has(metric.id);
    const judged = figureStatus(metric, estimate, tolerance, smallestStart);
    return {
      id: metric.id,
      label: metric.label,
      unit: metric.unit,
      gated: isGated,
      reference: estimate.reference,
      head: estimate.head,
      ratio: estimate.ratio,
      interval: estimate.interval,
      status: isGated ? judged.status : 'info',
      change: changeText(metric, estimate),
      reason: isGated
        ? judged.reason
        : `not gated: ${formatWithUnit(metric, estimate.reference)} → ${formatWithUnit(metric, estimate.head)}`,
    };
  });
}

const validTrials = (starts: readonly Start[]): Trial[] =>
  starts.flat().filter((trial) => trial.validity.valid);

function invalidTrials(label: string, start: Start): string[] {
  return start.flatMap((trial, index) =>
    trial.validity.valid
      ? []
      : [
          `${label}${start.length > 1 ? `, trial ${index + 1}` : ''}: ` +
            (trial.validity.reasons.join('; ') || 'marked invalid'),
        ],
  );
}

/** Deliveries expected in the smallest measured start of either side (its trials summed). */
function smallestStart(input: JudgeInput): number {
  const starts =
    input.kind === 'paired'
      ? input.rounds.flatMap((round) => [round.base, round.head])
      : input.kind === 'baseline'
        ? [...input.head, input.baseline.newestTrials]
        : input.head;
  const sizes = starts.map((start) =>
    start.reduce((sum, trial) => sum + trial.delivery.expected, 0),
  );
  return sizes.length === 0 ? 0 : Math.min(...sizes);
}

/** The data of either kind of check, reduced to what the rules read. */
function evidenceOf(input: JudgeInput, settings: JudgeSettings) {
  const gated = gatedSet(settings.gatedMetrics);
  if (input.kind === 'none') {
    return {
      invalid: input.head.flatMap((start) => invalidTrials('this run', start)),
      correctness: correctnessRows(validTrials(input.head), [], gated),
      estimates: null,
      gated,
      nights: null,
      noReference: input.why,
    };
  }
  if (input.kind === 'paired') {
    if (input.rounds.length === 0)
      throw new RangeError('a paired judgement needs at least one round');
    const invalid = input.rounds.flatMap((round, index) => [
      ...invalidTrials(`round ${index + 1}, base`, round.base),
      ...invalidTrials(`round ${index + 1}, head`, round.head),
    ]);
    const heads = input.rounds.map((round) => round.head);
    const bases = input.rounds.map((round) => round.base);
    return {
      invalid,
      correctness: correctnessRows(validTrials(heads), validTrials(bases), gated),
      estimates: pairedEstimates(input.rounds),
      gated,
      nights: null,
    };
  }
  if (input.head.length === 0) throw new RangeError('a baseline judgement needs the head measured');
  const { baseline } = input;
  const invalid = [
    ...(baseline.validity.valid
      ? []
      : [
          `the baseline's newest night: ${baseline.validity.reasons.join('; ') || 'marked invalid'}`,
        ]),
    ...input.head.flatMap((start, index) =>
      invalidTrials(input.head.length > 1 ? `head start ${index + 1}` : 'this run', start),
    ),
  ];
  return {
    invalid,
    correctness: correctnessRows(
      validTrials(input.head),
      validTrials([baseline.newestTrials]),
      gated,
    ),
    estimates: baselineEstimates(baseline.nights, baseline.newestTrials, input.head),
    gated,
    nights: baseline.nights.length,
  };
}

export function judge(input: JudgeInput, settings: JudgeSettings, progress: Progress): Judgement {
  const { tolerance } = settings;
  if (!Number.isFinite(tolerance) || tolerance < 1) {
    throw new RangeError(
      `Invalid tolerance ${tolerance}: expected a ratio of at least 1 (e.g. 1.5).`,
    );
  }
  const found = evidenceOf(input, settings);
  const estimates = found.estimates;
  const figures = estimates
    ? ratioRows(estimates, found.gated, tolerance, smallestStart(input))
    : [];
  const gatedFigures = figures.filter((figure) => figure.gated);
  const basisOf = (figure: JudgedMetric) => estimates?.get(figure.id)?.basis;
  const young = gatedFigures.filter((figure) =>
    ['trials', 'young-nights'].includes(basisOf(figure) ?? ''),
  );
  const basis: Basis =
    input.kind === 'paired'
      ? 'rounds'
      : input.kind === 'none' || young.some((figure) => basisOf(figure) === 'trials')
        ? 'trials'
        : young.length > 0
          ? 'young-nights'
          : 'nights';
  const evidence: Evidence = {
    tolerance,
    progress: { ...progress, maxRounds: Math.min(progress.maxRounds, youngLimit(basis, progress)) },
    invalid: found.invalid,
    correctness: found.correctness,
    figures,
    noReference: ('noReference' in found ? found.noReference : null) ?? null,
    youngBaseline: basis === 'trials' || basis === 'young-nights',
  };
  const { rule, decision } = decide(evidence);
  const reasons = [...decision.reasons];
  if (input.kind === 'baseline' && young.length > 0) {
    reasons.push(
      `A young baseline (fewer than ${MIN_NIGHTS} nights of one level): the interval of ` +
        `${young.map((figure) => figure.label).join(', ')} ` +
        (basis === 'trials'
          ? 'compares one start with one start and '
          : `compares the median of ${found.nights} nights with the head's starts and `) +
        `assumes starts differ as much as the reference pipeline's did (p50 ${spread(START_SPREAD.median)}, ` +
        `tails ${spread(START_SPREAD.tail)}); more nights, or the base measured here, narrow it.`,
    );
  }
  const judgement: Omit<Judgement, 'explanation'> = {
    outcome: rule.outcome,
    summary: decision.summary,
    reasons,
    metrics: [...Object.values(found.correctness), ...figures],
    rounds: progress.roundsSoFar,
    tolerance,
    decidedBy: rule.name,
    basis,
    nights: found.nights,
  };
  return { ...judgement, explanation: explain(judgement) };
}

/**
 * The most starts of the head a basis can use. A young baseline's interval assumes the noise
 * between starts, which further starts narrow only in the head's share: against its newest
 * night's trials (or with no reference, where the gates need none) the starts measured decide;
 * against the median of its few nights, the `rounds` starts whose median outvotes a stalled one.
 */
function youngLimit(basis: Basis, progress: Progress): number {
  if (basis === 'trials') return progress.roundsSoFar;
  if (basis === 'young-nights') return Math.max(progress.roundsSoFar, progress.minRounds);
  return Number.POSITIVE_INFINITY;
}

/** A start-to-start spread in log units as the ± percent of one standard deviation. */
const spread = (sigma: number): string => `±${Math.round((Math.exp(sigma) - 1) * 100)}%`;

/** "Lost deliveries: 3 of 3,000 expected deliveries lost" for the gates that failed. */
const failedGates = (judgement: Omit<Judgement, 'explanation'>): string =>
  judgement.metrics
    .filter((metric) => metric.gated && metric.ratio === null && metric.status === 'regression')
    .map((metric) => `${metric.label}: ${metric.reason}`)
    .join('; ');

/**
 * The PR comment's two sentences for this verdict: what the changes were read from, and which
 * rule decided.
 */
export function explain(judgement: Omit<Judgement, 'explanation'>): [string, string] {
  if (judgement.decidedBy === 'no-reference') {
    return [
      'There was nothing to compare the head with: no base measured on this runner and no committed baseline.',
      'Only correctness was judged (every delivery arrived once, correctly signed); the figures are recorded for the next check.',
    ];
  }
  const n = judgement.rounds;
  const from =
    judgement.basis === 'rounds'
      ? `${n} round${n === 1 ? '' : 's'} of the base and the head measured alternately on this runner`
      : judgement.basis === 'nights'
        ? `the baseline's nights, ${judgement.nights} on this runner and load, and ${n} start${n === 1 ? '' : 's'} of the head`
        : judgement.basis === 'young-nights'
          ? `the median of the baseline's ${judgement.nights} nights and ${n} start${n === 1 ? '' : 's'} of the head: a young baseline, too few nights to show their spread`
          : "the baseline's newest night and this run: a young baseline, too few nights";
  const interval =
    judgement.basis === 'trials'
      ? 'resampling their trials, with the noise between two starts assumed'
      : judgement.basis === 'young-nights'
        ? 'the noise between starts assumed'
        : `resampling those ${judgement.basis === 'rounds' ? 'rounds' : 'nights'}, widened for how few they are`;
  const first =
    `Each gated figure's change is the median, over fresh starts of the system, of the head's figure over ` +
    `the reference's, each read from a start's latency histogram (${from}), with a 95% interval from ` +
    `${interval}.`;
  const limit = formatTolerance(judgement.tolerance);
  const gated = judgement.metrics.filter((metric) => metric.gated && metric.ratio !== null);
  /** "Latency p50 +62% [95% CI +48%, +77%] exceeds", the verb agreeing with how many. */
  const listed = (status: JudgedMetric['status'], one: string, many: string): string => {
    const figures = gated.filter((metric) => metric.status === status);
    const names = figures.map((metric) => `${metric.label} ${metric.change}`).join('; ');
    return `${names} ${figures.length === 1 ? one : many}`;
  };
  const second: Record<RuleName, () => string> = {
    'figure-beyond-tolerance': () =>
      `${listed('regression', 'exceeds', 'exceed')} the ${limit} tolerance ` +
      'with an interval that excludes no change: a regression.',
    'all-within-tolerance': () =>
      `Every gated figure's interval lies within the ${limit} tolerance: a pass.`,
    'undecided-with-rounds-left': () =>
      `${listed('undecided', 'is', 'are')} neither within the ${limit} tolerance nor beyond it yet: ` +
      'another round is measured.',
    'undecided-at-limit': () =>
      `At the limit of ${n} rounds, ${listed('undecided', 'is', 'are')} neither within the ${limit} tolerance ` +
      'nor beyond it: inconclusive.',
    'too-few-rounds': () =>
      `After ${n} round${n === 1 ? '' : 's'} the spread between starts is not known yet: another round is measured.`,
    'invalid-data': () =>
      'Invalid measurements were handed in; they count neither way: inconclusive.',
  };
  const decided = second[judgement.decidedBy];
  return [
    first,
    decided
      ? decided()
      : `${failedGates(judgement)}: a correctness gate fails on its own, whatever the statistics.`,
  ];
}
