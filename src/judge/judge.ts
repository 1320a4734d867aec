import type { Baseline } from '../compare/baseline.js';
import { configKey, environmentDifferences } from '../compare/comparability.js';
import { formatPercent, formatWithUnit } from '../compare/format.js';
import type { MetricDefinition, MetricId, MetricValues } from '../compare/metrics.js';
import { formatTolerance } from '../compare/tolerance.js';
import type { Validity } from '../engine/measure/result.js';
import {
  baselineEstimates,
  CONFIDENCE_LABEL,
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
  /** Of those, rounds (or starts) put aside because a trial was invalid: counted neither way. */
  setAside: number;
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

/** "+23% [90% CI +12%, +35%]": head relative to reference in the metric's own terms. */
function changeText(metric: MetricDefinition, estimate: FigureEstimate): string {
  if (estimate.ratio === null) return '—';
  // Back from "worse" ratios to head / reference: a throughput drop reads as a negative change.
  const own = (ratio: number) => (metric.direction === 'lower-is-better' ? ratio : 1 / ratio);
  const percent = (ratio: number) => formatPercent((own(ratio) - 1) * 100);
  const { interval } = estimate;
  if (!interval) return `${percent(estimate.ratio)} [no interval]`;
  const [low = 1, high = 1] = [own(interval.lower), own(interval.upper)].sort((a, b) => a - b);
  const bound = (ratio: number) => formatPercent((ratio - 1) * 100);
  return `${percent(estimate.ratio)} [${CONFIDENCE_LABEL} CI ${bound(low)}, ${bound(high)}]`;
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

/** A start whose every trial is valid: one invalid trial puts the whole start aside. */
const validStart = (start: Start): boolean => start.every((trial) => trial.validity.valid);

/**
 * The data of either kind of check, reduced to what the rules read. A round (paired) or a start
 * of the head (baseline) with an invalid trial is put aside, counted neither way: the estimates
 * and the gates read the valid ones, and the check measures another in its place while rounds
 * are left. An invalid baseline night no round can mend.
 */
function evidenceOf(input: JudgeInput, settings: JudgeSettings) {
  const gated = gatedSet(settings.gatedMetrics);
  if (input.kind === 'none') {
    return {
      invalid: input.head.flatMap((start) => invalidTrials('this run', start)),
      invalidReference: [],
      valid: input.head.filter(validStart).length,
      correctness: correctnessRows(validTrials(input.head), [], gated),
      estimates: null,
      gated,
      nights: null,
      noReference: input.why,
      smallest: smallestStart(input),
    };
  }
  if (input.kind === 'paired') {
    if (input.rounds.length === 0)
      throw new RangeError('a paired judgement needs at least one round');
    const invalid = input.rounds.flatMap((round, index) => [
      ...invalidTrials(`round ${index + 1}, base`, round.base),
      ...invalidTrials(`round ${index + 1}, head`, round.head),
    ]);
    const rounds = input.rounds.filter((round) => validStart(round.base) && validStart(round.head));
    return {
      invalid,
      invalidReference: [],
      valid: rounds.length,
      correctness: correctnessRows(
        validTrials(rounds.map((round) => round.head)),
        validTrials(rounds.map((round) => round.base)),
        gated,
      ),
      estimates: pairedEstimates(rounds),
      gated,
      nights: null,
      smallest: smallestStart({ kind: 'paired', rounds }),
    };
  }
  if (input.head.length === 0) throw new RangeError('a baseline judgement needs the head measured');
  const { baseline } = input;
  const head = input.head.filter(validStart);
  return {
    invalid: input.head.flatMap((start, index) =>
      invalidTrials(input.head.length > 1 ? `head start ${index + 1}` : 'this run', start),
    ),
    invalidReference: baseline.validity.valid
      ? []
      : [
          `the baseline's newest night: ${baseline.validity.reasons.join('; ') || 'marked invalid'}`,
        ],
    valid: head.length,
    correctness: correctnessRows(validTrials(head), validTrials([baseline.newestTrials]), gated),
    estimates: baselineEstimates(baseline.nights, baseline.newestTrials, head),
    gated,
    nights: baseline.nights.length,
    smallest: smallestStart({ ...input, head }),
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
  const figures = estimates ? ratioRows(estimates, found.gated, tolerance, found.smallest) : [];
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
    progress: validProgress(basis, progress, found.valid),
    invalid: found.invalid,
    invalidReference: found.invalidReference,
    correctness: found.correctness,
    figures,
    noReference: ('noReference' in found ? found.noReference : null) ?? null,
    youngBaseline: basis === 'trials' || basis === 'young-nights',
  };
  const { rule, decision } = decide(evidence);
  const reasons = [...decision.reasons];
  const setAside = progress.roundsSoFar - found.valid;
  if (setAside > 0 && !['invalid-data', 'too-few-rounds'].includes(rule.name)) {
    reasons.push(
      `Put aside as invalid, counted neither way (measured again in their place): ${found.invalid.join('; ')}.`,
    );
  }
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
    setAside: Math.max(0, setAside),
    tolerance,
    decidedBy: rule.name,
    basis,
    nights: found.nights,
  };
  return { ...judgement, explanation: explain(judgement) };
}

/**
 * The progress the rules read, in valid rounds (or starts of the head): `roundsSoFar` those
 * measured valid, `minRounds` the valid ones a verdict needs, `maxRounds` the most it can reach,
 * the measured ones put aside (invalid) spending the budget of `max-rounds`. A young baseline's
 * interval assumes the noise between starts, which further starts narrow only in the head's
 * share: against its newest night's trials (or with no reference, where the gates need none) one
 * valid start decides; against the median of its few nights, `rounds` valid starts, whose median
 * outvotes a stalled one.
 */
function validProgress(basis: Basis, progress: Progress, valid: number): Progress {
  const reachable = valid + Math.max(0, progress.maxRounds - progress.roundsSoFar);
  const needed = basis === 'trials' ? 1 : progress.minRounds;
  const cap =
    basis === 'trials' || basis === 'young-nights'
      ? Math.max(valid, needed)
      : Number.POSITIVE_INFINITY;
  return { roundsSoFar: valid, minRounds: needed, maxRounds: Math.min(reachable, cap) };
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
  const n = judgement.rounds - judgement.setAside;
  const from =
    judgement.basis === 'rounds'
      ? `${n} round${n === 1 ? '' : 's'} of the base and the head measured alternately on this runner` +
        (judgement.setAside > 0 ? `, ${judgement.setAside} more put aside as invalid` : '')
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
    `the reference's, each read from a start's latency histogram (${from}), with a ${CONFIDENCE_LABEL} interval from ` +
    `${interval}.`;
  const limit = formatTolerance(judgement.tolerance);
  const gated = judgement.metrics.filter((metric) => metric.gated && metric.ratio !== null);
  /** "Latency p50 +62% [90% CI +48%, +77%] exceeds", the verb agreeing with how many. */
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
      judgement.setAside > 0
        ? `${judgement.setAside} of ${judgement.rounds} ${judgement.basis === 'rounds' ? 'rounds' : 'starts'} ` +
          'were invalid and count neither way, leaving too few valid ones to judge: inconclusive.'
        : 'The reference is invalid and counts neither way: inconclusive.',
  };
  const decided = second[judgement.decidedBy];
  return [
    first,
    decided
      ? decided()
      : `${failedGates(judgement)}: a correctness gate fails on its own, whatever the statistics.`,
  ];
}
