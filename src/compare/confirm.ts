import type { RunResult } from '../engine/measure/result.js';
import type { Baseline } from './baseline.js';
import { formatPercent, formatWithUnit } from './format.js';
import { METRICS, worseningRatio, type MetricId } from './metrics.js';
import { logFigure, NOISE_SIGMAS, sideOf } from './noise.js';
import { medianVarianceFactor, pooledPairSigma } from './stats.js';
import { aggregateTrials, type TrialAggregate } from './trials.js';
import {
  compare,
  decide,
  type CompareOptions,
  type MetricComparison,
  type Verdict,
} from './verdict.js';

/**
 * Confirm before failing. A burst of load on a shared runner can slow every trial of one
 * measurement alike, which no spread rule sees; it rarely lasts through one more trial. So a
 * performance regression fails the step only when one more trial repeats it: the extra trial,
 * on its own, is beyond the limit the median was held to, or worse than the baseline beyond the
 * noise of a single trial; and the median of all trials (the extra one included) is still beyond
 * the limit. Otherwise the metric is "not confirmed" and the verdict inconclusive, with both
 * figures. Correctness failures need no confirmation: a lost webhook is lost.
 *
 * Either test of the extra trial suffices: on a run whose own trials are noisy (±15%), the noise
 * of a single trial is wider than a 1.6x change, and an extra trial at 1.57x, past a 1.5x limit,
 * was called "not confirmed" though it repeated the regression (bench:verdict, issue 12).
 */

/** Whether a verdict has a performance regression that one more trial should confirm. */
export function needsConfirmation(verdict: Verdict): boolean {
  return verdict.metrics.some(
    (metric) => metric.gated && metric.kind === 'performance' && metric.status === 'regression',
  );
}

/**
 * Whether `extra`, one trial, is worse than the baseline's figure (`reference`) beyond the noise
 * of one trial:
 * NOISE_SIGMAS standard errors of (baseline median - one trial), sigma pooled over the
 * baseline's trials and all of this run's.
 */
function extraTrialConfirms(
  id: MetricId,
  baseline: Baseline,
  reference: number,
  all: TrialAggregate,
  extra: number,
): boolean {
  const metric = METRICS[id];
  const log = (value: number) => logFigure(metric, value);
  const baselineTrials = baseline.aggregate.trials.map((trial) => trial.metrics[id]);
  const sigma =
    pooledPairSigma([baselineTrials.map(log), all.trials.map((trial) => log(trial.metrics[id]))]) ??
    0;
  const noiseRatio = Math.exp(
    NOISE_SIGMAS * sigma * Math.sqrt(medianVarianceFactor(baselineTrials.length) + 1),
  );
  return worseningRatio(metric, reference, extra) > noiseRatio;
}

/**
 * The verdict after the confirming trial: `all` holds the first measurement's trials and the
 * extra one, last. Metrics that the extra trial repeats stay regressions; the others become
 * "not confirmed", naming the first measurement's figure and the extra trial's.
 */
export function confirmVerdict(
  initial: Verdict,
  initialAggregate: TrialAggregate,
  all: TrialAggregate,
  baseline: Baseline,
  options: CompareOptions,
): Verdict {
  const rejudged = compare(all, baseline, options);
  const extraTrial = all.trials[all.trials.length - 1];
  if (!extraTrial || all.trialCount !== initialAggregate.trialCount + 1) {
    throw new RangeError(
      `confirmVerdict: expected ${initialAggregate.trialCount + 1} trials (the first measurement and one more), got ${all.trialCount}.`,
    );
  }
  const flagged = new Set(
    initial.metrics
      .filter((metric) => metric.kind === 'performance' && metric.status === 'regression')
      .map((metric) => metric.id),
  );
  const confirmed: MetricId[] = [];
  const unconfirmed: MetricId[] = [];
  const metrics = rejudged.metrics.map((metric): MetricComparison => {
    if (metric.kind !== 'performance' || !metric.gated) return metric;
    const wasFlagged = flagged.has(metric.id);
    if (!wasFlagged && metric.status !== 'regression') return metric;
    const extra = extraTrial.metrics[metric.id];
    const definition = METRICS[metric.id];
    const first = initialAggregate.metrics[metric.id];
    // The figure the comparison used: the median of the newest nights where there is a history.
    const base = metric.baseline ?? baseline.aggregate.metrics[metric.id];
    const delta = (value: number) =>
      base === 0 ? '' : ` (${formatPercent(((value - base) / base) * 100)})`;
    const figures = `${formatWithUnit(definition, base)} → ${formatWithUnit(definition, first)}${delta(first)} over ${initialAggregate.trialCount} trials, then ${formatWithUnit(definition, extra)}${delta(extra)} in one more`;
    const extraBeyondLimit =
      metric.limit !== null && sideOf(definition, metric.limit, extra) === 'worse';
    if (
      wasFlagged &&
      metric.status === 'regression' &&
      (extraBeyondLimit || extraTrialConfirms(metric.id, baseline, base, all, extra))
    ) {
      confirmed.push(metric.id);
      return {
        ...metric,
        reason: `${metric.reason} Confirmed by one more trial: ${figures}.`,
      };
    }
    unconfirmed.push(metric.id);
    return {
      ...metric,
      status: 'unconfirmed',
      reason: `${metric.label} regression not confirmed: ${figures}; limit ${metric.limitText ?? '—'}. A burst of load on the runner, most likely; rerun to be sure.`,
    };
  });
  return {
    ...rejudged,
    ...decide(metrics, rejudged.blockers, rejudged.settings, all),
    metrics,
    confirmation: { initialTrials: initialAggregate.trialCount, confirmed, unconfirmed },
  };
}

/** How one more trial is measured: the engine, in the same session as the first trials. */
export type MeasureMore = () => Promise<RunResult>;

export interface JudgedRun {
  results: RunResult[];
  aggregate: TrialAggregate;
  verdict: Verdict;
}

/**
 * The whole judgement, shared by the action and the CLI: judge the trials; on a performance
 * regression, measure one more trial and judge again with it. `measureMore` is null where no
 * more can be measured (comparing files): a regression then stands unconfirmed by design, with
 * a note.
 */
export async function judgeConfirmed(
  results: readonly RunResult[],
  baseline: Baseline | null,
  options: CompareOptions,
  measureMore: MeasureMore | null,
): Promise<JudgedRun> {
  const aggregate = aggregateTrials(results);
  const verdict = compare(aggregate, baseline, options);
  if (!baseline || !needsConfirmation(verdict))
    return { results: [...results], aggregate, verdict };
  if (!measureMore) {
    verdict.notes.push('No confirming trial could be measured (comparing files).');
    return { results: [...results], aggregate, verdict };
  }
  const all = [...results, await measureMore()];
  const allAggregate = aggregateTrials(all);
  return {
    results: all,
    aggregate: allAggregate,
    verdict: confirmVerdict(verdict, aggregate, allAggregate, baseline, options),
  };
}
