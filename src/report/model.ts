import type { Baseline } from '../compare/baseline.js';
import { formatMs, formatNumber, formatPercent, formatValue } from '../compare/format.js';
import {
  columnTitle,
  HEADLINE_METRICS,
  METRICS,
  type MetricDefinition,
  type MetricId,
  type MetricUnit,
  type MetricValues,
} from '../compare/metrics.js';
import { formatTolerance } from '../compare/tolerance.js';
import type { TrialAggregate } from '../compare/trials.js';
import type { MetricComparison, MetricStatus, Outcome, Verdict } from '../compare/verdict.js';
import {
  describeFaults,
  faultsInjected,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type LatencySummaryMs,
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

/** A column the catalogue puts in a table: its title and, per row, its cell. */
export interface CatalogueColumn {
  metric: MetricDefinition;
  title: string;
}

/** The headline metrics as columns (HEADLINE_METRICS); `narrow` for the terminal. */
export function headlineColumns(
  which: (metric: MetricDefinition) => boolean = () => true,
  narrow = false,
): CatalogueColumn[] {
  return HEADLINE_METRICS.filter(which).map((metric) => ({
    metric,
    title: columnTitle(metric, narrow),
  }));
}

/** Per-endpoint tables show the headline latencies (an endpoint has no throughput of its own). */
export const endpointLatencyColumns = (): CatalogueColumn[] =>
  headlineColumns((metric) => metric.latency !== undefined);

/** History rows are of valid baselines, whose correctness counts are 0: performance only. */
export const historyColumns = (narrow = false): CatalogueColumn[] =>
  headlineColumns((metric) => metric.kind === 'performance', narrow);

/*
 * The per-endpoint change and order use fixed percentiles, on purpose: an endpoint gets a
 * fraction of the deliveries, and p95 is the highest percentile a few hundred of them resolve;
 * p99 orders the slowest first.
 */
const ENDPOINT_DELTA = METRICS.p95;
const ENDPOINT_ORDER = METRICS.p99;

const latencyOf = (metric: MetricDefinition, summary: LatencySummaryMs): number =>
  (metric.latency as NonNullable<MetricDefinition['latency']>).of(summary);

export interface EndpointRow {
  name: string;
  expected: string;
  delivered: string;
  lost: string;
  duplicates: string;
  badSignatures: string;
  /** One cell per endpointLatencyColumns(). */
  latencies: string[];
  /** p95 change vs the baseline endpoint of the same name. */
  delta: string;
  orderMs: number;
}

/** Per endpoint, slowest (p99) first; matched to the baseline by name (ids differ per seed). */
export function endpointRows(context: ReportContext): EndpointRow[] {
  const baselineByName = new Map(
    (context.baseline?.aggregate.endpoints ?? []).map((endpoint) => [endpoint.name, endpoint]),
  );
  const columns = endpointLatencyColumns();
  return context.current.endpoints
    .map((endpoint) => {
      const before = baselineByName.get(endpoint.name);
      const was = before ? latencyOf(ENDPOINT_DELTA, before.latencyMs) : 0;
      const delta =
        before && was > 0
          ? ((latencyOf(ENDPOINT_DELTA, endpoint.latencyMs) - was) / was) * 100
          : null;
      return {
        name: endpoint.name,
        expected: formatNumber(endpoint.expected, 0),
        delivered: formatNumber(endpoint.delivered, 0),
        lost: formatNumber(endpoint.lost, 0),
        duplicates: formatNumber(endpoint.duplicates, 0),
        badSignatures: formatNumber(endpoint.badSignatures, 0),
        latencies: columns.map(({ metric }) => formatMs(latencyOf(metric, endpoint.latencyMs))),
        delta: formatPercent(delta),
        orderMs: latencyOf(ENDPOINT_ORDER, endpoint.latencyMs),
      };
    })
    .sort((a, b) => b.orderMs - a.orderMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The title of the per-endpoint change column, e.g. "p95 Δ". */
export const endpointDeltaTitle = `${ENDPOINT_DELTA.headline?.column ?? ENDPOINT_DELTA.id} Δ`;

export interface TrialRow {
  trial: string;
  runId: string;
  /** One cell per headlineColumns(). */
  figures: string[];
  valid: string;
}

export function trialRows(aggregate: TrialAggregate): TrialRow[] {
  const columns = headlineColumns();
  return aggregate.trials.map((trial, index) => ({
    trial: String(index + 1),
    runId: trial.runId,
    figures: columns.map(({ metric }) => formatValue(metric.unit, trial.metrics[metric.id])),
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
  /** One cell per historyColumns(). */
  figures: string[];
  note: string;
  metrics: MetricValues;
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
  const columns = historyColumns();
  return entries.map((entry) => ({
    date: day(entry.date),
    commit: shortCommit(entry.commit) ?? '—',
    trials: String(entry.trialCount),
    figures: columns.map(({ metric }) => formatValue(metric.unit, entry.metrics[metric.id])),
    note: entry.note,
    metrics: entry.metrics,
  }));
}
