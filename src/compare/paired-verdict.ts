import type { RunResult } from '../engine/measure/result.js';
import { createHistogram, decodeHistogram } from '../engine/measure/histogram.js';
import { formatWithUnit } from './format.js';
import {
  countAllowanceOf,
  DEFAULT_GATED_METRICS,
  LATENCY_METRICS,
  METRIC_LIST,
  type MetricId,
  type MetricUnit,
} from './metrics.js';
import { blockBootstrapLogVariance } from './paired-blocks.js';
import {
  judgePaired,
  pairedEstimate,
  TAIL_AGREEING_ROUNDS,
  type PairedEstimate,
  type PairedStatus,
} from './paired.js';
import { median } from './stats.js';
import { formatTolerance } from './tolerance.js';

/**
 * The verdict of a paired A/B run: the base commit and the head measured on the same runner in
 * rounds. Same three outcomes as the verdict against a committed baseline.
 */

export type PairedOutcome = 'pass' | 'regression' | 'inconclusive';

/** One trial per side; their `delivery.latencyBlocks`, when recorded, give the round's own noise. */
export interface PairedRoundResults {
  base: RunResult;
  head: RunResult;
}

export interface PairedMetric {
  id: MetricId;
  label: string;
  unit: MetricUnit;
  gated: boolean;
  /** Median over the rounds of each side's figure. */
  base: number;
  head: number;
  estimate: PairedEstimate | null;
  status: PairedStatus;
  /** A gated tail worse in every round so far, in too few rounds to count (paired.ts). */
  pending?: boolean;
  /** e.g. "+23% [95% CI +12%, +35%]". */
  change: string;
  reason: string;
}

export interface PairedVerdict {
  outcome: PairedOutcome;
  summary: string;
  reasons: string[];
  metrics: PairedMetric[];
  rounds: number;
  tolerance: number;
}

export interface PairedOptions {
  tolerance: number;
  gatedMetrics?: readonly MetricId[];
}

/** Percentile each latency metric reads from a histogram, for the block bootstrap. */
const PERCENTILE_OF: Partial<Record<MetricId, number>> = Object.fromEntries(
  LATENCY_METRICS.filter((metric) => (metric.latency?.percentile ?? 100) < 100).map((metric) => [
    metric.id,
    metric.latency?.percentile,
  ]),
);

function withinRoundVariances(round: PairedRoundResults): Map<number, number> | null {
  const head = round.head.delivery.latencyBlocks;
  const base = round.base.delivery.latencyBlocks;
  if (!head || !base) return null;
  // A side whose last blocks delivered nothing has fewer of them: those blocks are empty.
  const length = Math.max(head.length, base.length);
  const decoded = (blocks: readonly string[]) =>
    Array.from({ length }, (_, index) =>
      index < blocks.length ? decodeHistogram(blocks[index] as string) : createHistogram(),
    );
  return blockBootstrapLogVariance(decoded(head), decoded(base), Object.values(PERCENTILE_OF));
}

export function comparePaired(
  rounds: readonly PairedRoundResults[],
  options: PairedOptions,
): PairedVerdict {
  if (rounds.length === 0) throw new RangeError('a paired comparison needs at least one round');
  const { tolerance } = options;
  const gated = new Set(options.gatedMetrics ?? DEFAULT_GATED_METRICS);
  const variances = rounds.map(withinRoundVariances);
  const reasons: string[] = [];

  const invalid = rounds.flatMap((round, index) =>
    (['base', 'head'] as const)
      .filter((side) => !round[side].validity.valid)
      .map(
        (side) =>
          `round ${index + 1}, ${side}: invalid run (${round[side].validity.reasons.join('; ')})`,
      ),
  );

  const metrics: PairedMetric[] = [];
  for (const metric of METRIC_LIST) {
    const baseValues = rounds.map((round) => metric.fromRun(round.base));
    const headValues = rounds.map((round) => metric.fromRun(round.head));
    const common = {
      id: metric.id,
      label: metric.label,
      unit: metric.unit,
      base: median(baseValues),
      head: median(headValues),
    };
    if (metric.kind === 'correctness') {
      // Judged on the head alone: a lost delivery is a bug whatever the base did.
      const worst =
        metric.direction === 'lower-is-better' ? Math.max(...headValues) : Math.min(...headValues);
      const failed = metric.direction === 'lower-is-better' ? worst > 0 : worst < 1;
      const baseWorst =
        metric.direction === 'lower-is-better' ? Math.max(...baseValues) : Math.min(...baseValues);
      metrics.push({
        ...common,
        head: worst,
        base: baseWorst,
        gated: true,
        estimate: null,
        status: failed ? 'regression' : 'pass',
        change: '—',
        reason: failed
          ? `head: ${formatWithUnit(metric, worst)} in its worst round (base: ${formatWithUnit(metric, baseWorst)})`
          : 'none in any round',
      });
      continue;
    }
    if (metric.unit === 'count') {
      // Counts (duplicates) are mostly 0 on both sides, where no ratio exists: the difference
      // of the medians against the catalogue's floor decides, as against a baseline.
      const expectedPerRound = median(rounds.map((round) => round.head.delivery.expected));
      const floor = Math.max(metric.resolution, countAllowanceOf(metric, expectedPerRound));
      const rise = common.head - common.base;
      const worse = metric.direction === 'lower-is-better' ? rise : -rise;
      const isGated = gated.has(metric.id);
      metrics.push({
        ...common,
        gated: isGated,
        estimate: null,
        status: !isGated ? 'info' : worse > floor ? 'regression' : 'pass',
        change: `${rise > 0 ? '+' : ''}${formatWithUnit(metric, rise)}`,
        reason: `${formatWithUnit(metric, common.base)} → ${formatWithUnit(metric, common.head)} per round (median), floor ${formatWithUnit(metric, floor)}`,
      });
      continue;
    }
    const percentile = PERCENTILE_OF[metric.id];
    const estimate = pairedEstimate(
      rounds.map((round, index) => ({
        base: metric.fromRun(round.base),
        head: metric.fromRun(round.head),
        withinLogVariance: percentile === undefined ? undefined : variances[index]?.get(percentile),
      })),
    );
    const judgement = judgePaired(
      estimate,
      metric.direction,
      tolerance,
      (metric.latency?.percentile ?? 0) > 50 ? TAIL_AGREEING_ROUNDS : 1,
    );
    const isGated = gated.has(metric.id);
    metrics.push({
      ...common,
      gated: isGated,
      estimate,
      status: isGated || judgement.status === 'info' ? judgement.status : 'info',
      ...(isGated && judgement.pending ? { pending: true } : {}),
      change: judgement.change,
      reason: judgement.reason,
    });
  }

  const judged = metrics.filter((metric) => metric.gated);
  const regressions = judged.filter((metric) => metric.status === 'regression');
  const noisy = judged.filter((metric) => metric.status === 'noise');
  const unmeasurable = judged.filter((metric) => metric.status === 'info');
  for (const metric of regressions)
    reasons.push(`${metric.label} ${metric.change}: ${metric.reason}`);
  for (const reason of invalid) reasons.push(reason);
  for (const metric of noisy) reasons.push(`${metric.label} ${metric.change}: ${metric.reason}`);
  for (const metric of unmeasurable) reasons.push(`${metric.label}: ${metric.reason}`);

  const n = rounds.length;
  const against = `the base commit measured on this runner (${n} round${n === 1 ? '' : 's'})`;
  let outcome: PairedOutcome;
  let summary: string;
  if (regressions.length > 0) {
    outcome = 'regression';
    summary = `Regression against ${against}: ${regressions.map((metric) => `${metric.label} ${metric.change}`).join('; ')}`;
  } else if (invalid.length > 0) {
    outcome = 'inconclusive';
    summary = `Inconclusive: ${invalid.length} measurement${invalid.length === 1 ? '' : 's'} invalid, so the load generator, not the code, may have set the numbers`;
  } else if (noisy.length > 0 || unmeasurable.length > 0) {
    outcome = 'inconclusive';
    summary = `Inconclusive against ${against}: ${[...noisy, ...unmeasurable].map((metric) => metric.label).join(', ')} could not be told apart from noise; more rounds would tell`;
  } else {
    outcome = 'pass';
    summary = `Pass against ${against}: every gated metric within the ${formatTolerance(tolerance)} tolerance`;
  }
  return { outcome, summary, reasons, metrics, rounds: n, tolerance };
}
