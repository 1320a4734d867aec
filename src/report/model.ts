import type { Baseline } from '../compare/baseline.js';
import { formatMs, formatNumber, formatPercent, formatValue } from '../compare/format.js';
import { METRICS, type MetricId, type MetricUnit } from '../compare/metrics.js';
import { formatTolerance } from '../compare/tolerance.js';
import type { TrialAggregate } from '../compare/trials.js';
import type { MetricComparison, MetricStatus, Outcome, Verdict } from '../compare/verdict.js';
import {
  describeFaults,
  faultsInjected,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type RunConfigSnapshot,
} from '../engine/measure/result.js';

/**
 * What both reports show, as plain text cells; markdown.ts and terminal.ts only lay it out.
 */
export interface ReportContext {
  /** The baseline name; also the sticky comment's marker. */
  name: string;
  current: TrialAggregate;
  baseline: Baseline | null;
  /** The commit under test, when known. */
  commit?: string | null;
  /** Where the full result lives (workflow run, artifact). */
  detailsUrl?: string | null;
}

export const OUTCOME_TITLE: Record<Outcome, string> = {
  pass: 'PASS',
  regression: 'REGRESSION',
  inconclusive: 'INCONCLUSIVE',
};

export const STATUS_TEXT: Record<MetricStatus, string> = {
  pass: 'pass',
  regression: 'regression',
  improvement: 'improved',
  noise: 'within noise',
  unconfirmed: 'not confirmed',
  info: 'info',
};

const UNIT_SUFFIX: Record<MetricUnit, string> = {
  ms: ' (ms)',
  'deliveries/s': ' (/s)',
  'events/s': ' (/s)',
  ratio: '',
  count: '',
};

export interface MetricRow {
  label: string;
  baseline: string;
  current: string;
  delta: string;
  status: MetricStatus;
  gated: boolean;
  /** The limit and where it came from; '—' when the metric was not judged. */
  limit: string;
}

export function metricRows(verdict: Verdict): MetricRow[] {
  return verdict.metrics.map((metric: MetricComparison) => ({
    label: `${metric.label}${UNIT_SUFFIX[metric.unit]}`,
    baseline: metric.baseline === null ? '—' : formatValue(metric.unit, metric.baseline),
    current: formatValue(metric.unit, metric.current),
    delta: formatPercent(metric.deltaPercent),
    status: metric.status,
    gated: metric.gated,
    limit: metric.gated && metric.limitText ? metric.limitText : '—',
  }));
}

const shortCommit = (commit: string | null | undefined): string | null =>
  commit ? commit.slice(0, 7) : null;

const day = (iso: string): string => iso.slice(0, 10);

/** One line on how the verdict was reached: tolerance, floors, trials, baseline. */
export function settingsLine(verdict: Verdict, context: ReportContext): string {
  const { settings } = verdict;
  const floors = Object.entries(settings.userFloors)
    .map(([id, floor]) => `${id} ${formatValue(METRICS[id as MetricId].unit, floor ?? 0)}`)
    .join(', ');
  const trials = context.current.trialCount;
  const parts = [
    `tolerance ${formatTolerance(settings.tolerance)}, widened to the measured noise`,
    ...(floors ? [`your floors ${floors}`] : []),
    `${trials} trial${trials === 1 ? '' : 's'}${trials > 1 ? ' (median)' : ''}${verdict.confirmation ? `, the last one confirming` : ''}`,
  ];
  if (!settings.useHistory) parts.push('history not used');
  if (context.baseline) {
    const commit = shortCommit(context.baseline.commit);
    parts.push(`baseline ${commit ? `${commit} ` : ''}of ${day(context.baseline.date)}`);
  }
  return parts.join(' · ');
}

export interface ComparedField {
  field: string;
  baseline: string;
  current: string;
  differs: boolean;
}

function compareFields<T extends object>(
  fields: readonly (keyof T & string)[],
  current: T,
  baseline: T | null,
  differing: ReadonlySet<string>,
  show: (value: unknown, field: string) => string,
): ComparedField[] {
  return fields.map((field) => ({
    field,
    baseline: baseline ? show(baseline[field], field) : '—',
    current: show(current[field], field),
    differs: differing.has(field),
  }));
}

function showValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, inner]) => `${key} ${String(inner)}`)
      .join(', ');
  }
  return String(value);
}

const CONFIG_FIELDS = [
  'scenario',
  'events',
  'durationSec',
  'ratePerSec',
  'concurrency',
  'chainId',
  'mix',
  'warmupEvents',
  'drainTimeoutMs',
  'seed',
  'faults',
] as const satisfies readonly (keyof RunConfigSnapshot)[];

export function configFields(verdict: Verdict, context: ReportContext): ComparedField[] {
  const baseline = context.baseline?.aggregate.config ?? null;
  // The faults row appears only when a side injected any: clean runs are the rule.
  const anyFaults = [context.current.config, baseline].some(
    (config) => config !== null && faultsInjected(config.faults),
  );
  return compareFields(
    CONFIG_FIELDS.filter((field) => field !== 'faults' || anyFaults),
    context.current.config,
    baseline,
    new Set(verdict.configDifferences.map((item) => item.field)),
    (value, field) =>
      field === 'faults' ? describeFaults(value as InjectedFaults) : showValue(value),
  );
}

const ENVIRONMENT_FIELDS = [
  'cpuModel',
  'cpuCores',
  'memoryGiB',
  'arch',
  'os',
  'nodeVersion',
  'redisVersion',
  'postgresVersion',
] as const satisfies readonly (keyof EnvironmentFingerprint)[];

export function environmentFields(verdict: Verdict, context: ReportContext): ComparedField[] {
  return compareFields(
    ENVIRONMENT_FIELDS,
    context.current.environment,
    context.baseline?.aggregate.environment ?? null,
    new Set(verdict.environmentDifferences.map((item) => item.field)),
    showValue,
  );
}

export function publisherFields(context: ReportContext): ComparedField[] {
  const rows = (aggregate: TrialAggregate) => ({
    published: formatNumber(aggregate.publisher.published, 0),
    errors: formatNumber(aggregate.publisher.errors, 0),
    'target rate (/s)': formatNumber(aggregate.publisher.targetRatePerSec, 1),
    'achieved rate (/s)': formatNumber(aggregate.publisher.achievedRatePerSec, 1),
    'rate met': aggregate.publisher.rateMet ? 'yes' : 'no',
    'XADD p50 (ms)': formatMs(aggregate.publisher.xaddLatencyMs.p50),
    'XADD p99 (ms)': formatMs(aggregate.publisher.xaddLatencyMs.p99),
    'schedule lag p99 (ms)': formatMs(aggregate.metrics.scheduleLagP99),
    'deliveries expected': formatNumber(aggregate.delivery.expected, 0),
    duplicates: formatNumber(aggregate.delivery.duplicates, 0),
    'injected failures retried': formatNumber(aggregate.delivery.failedAttempts, 0),
    'foreign / malformed': `${formatNumber(aggregate.delivery.foreign, 0)} / ${formatNumber(aggregate.delivery.malformed, 0)}`,
  });
  const current = rows(context.current);
  const baseline = context.baseline ? rows(context.baseline.aggregate) : null;
  return Object.entries(current).map(([field, value]) => ({
    field,
    baseline: baseline ? (baseline[field as keyof typeof baseline] ?? '—') : '—',
    current: value,
    differs: false,
  }));
}

export interface EndpointRow {
  name: string;
  expected: string;
  delivered: string;
  lost: string;
  duplicates: string;
  badSignatures: string;
  p50: string;
  p95: string;
  p99: string;
  /** p95 change vs the baseline endpoint of the same name. */
  p95Delta: string;
  p99Ms: number;
}

/** Per endpoint, slowest (p99) first; matched to the baseline by name (ids differ per seed). */
export function endpointRows(context: ReportContext): EndpointRow[] {
  const baselineByName = new Map(
    (context.baseline?.aggregate.endpoints ?? []).map((endpoint) => [endpoint.name, endpoint]),
  );
  return context.current.endpoints
    .map((endpoint) => {
      const before = baselineByName.get(endpoint.name);
      const p95Delta =
        before && before.latencyMs.p95 > 0
          ? ((endpoint.latencyMs.p95 - before.latencyMs.p95) / before.latencyMs.p95) * 100
          : null;
      return {
        name: endpoint.name,
        expected: formatNumber(endpoint.expected, 0),
        delivered: formatNumber(endpoint.delivered, 0),
        lost: formatNumber(endpoint.lost, 0),
        duplicates: formatNumber(endpoint.duplicates, 0),
        badSignatures: formatNumber(endpoint.badSignatures, 0),
        p50: formatMs(endpoint.latencyMs.p50),
        p95: formatMs(endpoint.latencyMs.p95),
        p99: formatMs(endpoint.latencyMs.p99),
        p95Delta: formatPercent(p95Delta),
        p99Ms: endpoint.latencyMs.p99,
      };
    })
    .sort((a, b) => b.p99Ms - a.p99Ms || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface TrialRow {
  trial: string;
  runId: string;
  p50: string;
  p95: string;
  p99: string;
  throughput: string;
  lost: string;
  valid: string;
}

export function trialRows(aggregate: TrialAggregate): TrialRow[] {
  return aggregate.trials.map((trial, index) => ({
    trial: String(index + 1),
    runId: trial.runId,
    p50: formatMs(trial.metrics.p50),
    p95: formatMs(trial.metrics.p95),
    p99: formatMs(trial.metrics.p99),
    throughput: formatNumber(trial.metrics.throughput, 1),
    lost: formatNumber(trial.metrics.lost, 0),
    valid: trial.validity.valid
      ? 'yes'
      : `no: ${trial.validity.reasons.join('; ') || 'no reason given'}`,
  }));
}

/** Spread across trials of the gated figures, e.g. "p50 4%, p95 12%". */
export function spreadText(aggregate: TrialAggregate, verdict: Verdict): string {
  return verdict.settings.gatedMetrics
    .map((id) => {
      const spread = aggregate.spread[id];
      return `${id} ${spread === null ? '—' : `${Math.round(spread * 100)}%`}`;
    })
    .join(', ');
}

export interface HistoryRow {
  date: string;
  commit: string;
  trials: string;
  p50: string;
  p95: string;
  p99: string;
  throughput: string;
  note: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** The baseline and its history, oldest first. */
export function historyRows(baseline: Baseline): HistoryRow[] {
  const entries = [
    ...baseline.history.map((entry) => ({ ...entry, note: entry.valid ? '' : 'invalid run' })),
    {
      date: baseline.date,
      commit: baseline.commit,
      trialCount: baseline.aggregate.trialCount,
      metrics: baseline.aggregate.metrics,
      note: 'current baseline',
    },
  ];
  return entries.map((entry) => ({
    date: day(entry.date),
    commit: shortCommit(entry.commit) ?? '—',
    trials: String(entry.trialCount),
    p50: formatMs(entry.metrics.p50),
    p95: formatMs(entry.metrics.p95),
    p99: formatMs(entry.metrics.p99),
    throughput: formatNumber(entry.metrics.throughput, 1),
    note: entry.note,
    p50Ms: entry.metrics.p50,
    p95Ms: entry.metrics.p95,
    p99Ms: entry.metrics.p99,
  }));
}
