import { formatWithUnit } from '../compare/format.js';
import {
  countAllowanceOf,
  METRICS,
  type MetricDefinition,
  type MetricId,
  type MetricUnit,
} from '../compare/metrics.js';
import { median } from '../compare/stats.js';
import type { Interval } from './estimate.js';
import type { Trial } from './figures.js';

/**
 * The correctness gates: they fail on their own, whatever the statistics. A webhook lost, sent
 * where it does not belong or wrongly signed is a bug on any runner; it needs no interval.
 */

/** pass / regression for what was judged; undecided: cannot tell yet; info: shown, not gated. */
export type FigureStatus = 'pass' | 'regression' | 'undecided' | 'info';

/** One figure of the verdict, as the reports show it. */
export interface JudgedMetric {
  id: MetricId;
  label: string;
  unit: MetricUnit;
  gated: boolean;
  /** The reference's figure (the base, or the baseline's nights or newest night). */
  reference: number;
  head: number;
  /** Direction-normalised head / reference, above 1 worse; null for counts and missing figures. */
  ratio: number | null;
  /** 90% interval of `ratio`; null where none exists. */
  interval: Interval | null;
  status: FigureStatus;
  /** e.g. "+23% [90% CI +12%, +35%]", head relative to reference in the metric's own terms. */
  change: string;
  reason: string;
}

export type CorrectnessGate =
  'lost' | 'unexpected' | 'badSignatures' | 'duplicates' | 'successRate';

const sum = (trials: readonly Trial[], field: 'lost' | 'unexpected' | 'badSignatures'): number =>
  trials.reduce((total, trial) => total + trial.delivery[field], 0);

const worstRate = (trials: readonly Trial[]): number =>
  trials.length === 0 ? 1 : Math.min(...trials.map((trial) => trial.delivery.successRate));

const medianDuplicates = (trials: readonly Trial[]): number =>
  trials.length === 0 ? 0 : median(trials.map((trial) => trial.delivery.duplicates));

function row(
  metric: MetricDefinition,
  reference: number,
  head: number,
  failed: boolean,
  reason: string,
  gated = true,
): JudgedMetric {
  return {
    id: metric.id,
    label: metric.label,
    unit: metric.unit,
    gated,
    reference,
    head,
    ratio: null,
    interval: null,
    status: !gated ? 'info' : failed ? 'regression' : 'pass',
    change: '—',
    reason,
  };
}

/**
 * The gates over the valid trials of the head and of the reference (the base's rounds, or the
 * baseline's newest night). Duplicates are gated only when in the gate list: EthHook delivers at
 * least once, so a few are legitimate, up to the catalogue's allowance above the reference's.
 */
export function correctnessRows(
  head: readonly Trial[],
  reference: readonly Trial[],
  gated: ReadonlySet<MetricId>,
): Record<CorrectnessGate, JudgedMetric> {
  const across = head.length > 1 ? ` across ${head.length} trials` : '';
  const lost = sum(head, 'lost');
  const expected = head.reduce((total, trial) => total + trial.delivery.expected, 0);
  const unexpected = sum(head, 'unexpected');
  const badSignatures = sum(head, 'badSignatures');
  const headRate = worstRate(head);
  const referenceRate = worstRate(reference);
  const duplicates = { head: medianDuplicates(head), reference: medianDuplicates(reference) };
  const expectedPerTrial = head.length === 0 ? 0 : median(head.map((t) => t.delivery.expected));
  const allowance = countAllowanceOf(METRICS.duplicates, expectedPerTrial);
  const count = (id: MetricId, value: number) => formatWithUnit(METRICS[id], value);
  return {
    lost: row(
      METRICS.lost,
      sum(reference, 'lost'),
      lost,
      lost > 0,
      lost > 0
        ? `${count('lost', lost)} of ${count('lost', expected)} expected deliveries lost${across}; ` +
            'every webhook must arrive'
        : 'no delivery lost',
    ),
    unexpected: row(
      METRICS.unexpected,
      sum(reference, 'unexpected'),
      unexpected,
      unexpected > 0,
      unexpected > 0
        ? `${count('unexpected', unexpected)} deliveries${across} matched no expected (endpoint, event) pair`
        : 'every delivery was expected',
    ),
    badSignatures: row(
      METRICS.badSignatures,
      sum(reference, 'badSignatures'),
      badSignatures,
      badSignatures > 0,
      badSignatures > 0
        ? `${count('badSignatures', badSignatures)} deliveries${across} carried a wrong X-Webhook-Signature`
        : 'every signature verified',
    ),
    duplicates: row(
      METRICS.duplicates,
      duplicates.reference,
      duplicates.head,
      duplicates.head - duplicates.reference > allowance,
      `${count('duplicates', duplicates.reference)} → ${count('duplicates', duplicates.head)} per trial (median), ` +
        `${count('duplicates', allowance)} more allowed`,
      gated.has('duplicates'),
    ),
    successRate: row(
      METRICS.successRate,
      referenceRate,
      headRate,
      headRate < referenceRate - 1e-9,
      headRate < referenceRate - 1e-9
        ? `fell from ${count('successRate', referenceRate)} to ${count('successRate', headRate)} in the worst trial`
        : `not below the reference's ${count('successRate', referenceRate)}`,
    ),
  };
}
