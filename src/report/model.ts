import type { Baseline } from '../compare/baseline.js';
import { formatMs, formatNumber, formatPercent, formatValue } from '../compare/format.js';
import {
  columnTitle,
  HEADLINE_METRICS,
  METRICS,
  type MetricDefinition,
  type MetricUnit,
  type MetricValues,
} from '../compare/metrics.js';
import { median } from '../compare/stats.js';
import type { TrialAggregate } from '../compare/trials.js';
import { configDifferences, environmentDifferences } from '../compare/comparability.js';
import {
  describeFaults,
  faultsInjected,
  type EnvironmentFingerprint,
  type InjectedFaults,
  type LatencySummaryMs,
  type RunConfigSnapshot,
} from '../engine/measure/result.js';
import { harnessCores, MAX_HARNESS_CORES } from '../engine/measure/cpu.js';
import { formatShare } from '../engine/measure/steal.js';

/** What the reports show beside the verdict, as plain text cells; markdown.ts and html.ts lay it out. */
export interface ReportContext {
  /** The baseline name; also the sticky comment's marker. */
  name: string;
  current: TrialAggregate;
  /** What the head was compared with: the base's rounds, or the baseline's newest night. */
  reference: TrialAggregate | null;
  /** The committed baseline, for its history; null without one. */
  baseline: Baseline | null;
  /** The commit under test, when known. */
  commit?: string | null;
  /** Where the full result lives (workflow run, artifact). */
  detailsUrl?: string | null;
}

/** "75×", "2.3×": a factor as it reads at a glance. */
export function formatFactor(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞×';
  return `${ratio >= 10 ? formatNumber(ratio, 0) : ratio.toFixed(1)}×`;
}

/** From this factor on, a change reads as "2.3× slower" rather than "+130%". */
const FACTOR_FROM = 2;

/**
 * The change from baseline to this run: a percentage, a factor when large ("75× slower" reads
 * at once where "+7376%" does not), "0%" when unchanged whatever the unit, "+3" for a count that
 * rose from zero.
 */
export function changeText(metric: {
  unit: MetricUnit;
  baseline: number | null;
  current: number;
}): string {
  const { unit, baseline, current } = metric;
  if (baseline === null) return '—';
  if (formatValue(unit, current) === formatValue(unit, baseline)) return '0%';
  if (baseline === 0) {
    const rise = current - baseline;
    return unit === 'count' ? `${rise > 0 ? '+' : ''}${formatNumber(rise, 0)}` : '—';
  }
  const ratio = current / baseline;
  const [up, down] = unit === 'ms' ? ['slower', 'faster'] : ['higher', 'lower'];
  if (ratio >= FACTOR_FROM) return `${formatFactor(ratio)} ${up}`;
  if (ratio > 0 && ratio <= 1 / FACTOR_FROM) return `${formatFactor(1 / ratio)} ${down}`;
  return formatPercent(((current - baseline) / baseline) * 100);
}

export function runnerText(environment: EnvironmentFingerprint): string {
  const model = environment.cpuModel
    .replace(/\((R|TM|tm|r)\)/g, '')
    .replace(/\s+\d+-Core Processor$/i, '')
    .replace(/\s+CPU\s+@.*$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `${environment.cpuCores}-core ${model || 'unknown CPU'}`;
}

export interface ComparedField {
  /** The key in the result file (durationSec, cpuModel, ...). */
  field: string;
  /** What a reader calls it ("Duration (s)", "CPU"). */
  label: string;
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
    label: FIELD_LABEL[field] ?? field,
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

/** Plain labels for the result file's camelCase keys. */
const FIELD_LABEL: Record<string, string> = {
  scenario: 'Scenario',
  events: 'Events per run',
  durationSec: 'Duration (s)',
  ratePerSec: 'Send rate (events/s, 0 = as fast as possible)',
  concurrency: 'Concurrent senders',
  chainId: 'Chain id',
  mix: 'Event mix',
  warmupEvents: 'Warm-up events',
  drainTimeoutMs: 'Wait for late deliveries (ms)',
  seed: 'Random seed',
  faults: 'Injected faults',
  cpuModel: 'CPU',
  cpuCores: 'CPU cores',
  memoryGiB: 'Memory (GiB)',
  arch: 'Architecture',
  os: 'Operating system',
  nodeVersion: 'Node.js',
  redisVersion: 'Redis',
  postgresVersion: 'PostgreSQL',
};

/**
 * Text from the verdict (blockers name the fields that differ, e.g. "environment differs
 * (cpuModel, cpuCores)") with the result file's keys in plain words, for the top of a report.
 */
export function plainFields(text: string): string {
  return text.replace(
    /\b(cpuModel|cpuCores|memoryGiB|nodeVersion|redisVersion|postgresVersion|durationSec|ratePerSec|warmupEvents|drainTimeoutMs|chainId)\b/g,
    (key) => FIELD_LABEL[key] ?? key,
  );
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

export function configFields(context: ReportContext): ComparedField[] {
  const baseline = context.reference?.config ?? null;
  // The faults row appears only when a side injected any: clean runs are the rule.
  const anyFaults = [context.current.config, baseline].some(
    (config) => config !== null && faultsInjected(config.faults),
  );
  return compareFields(
    CONFIG_FIELDS.filter((field) => field !== 'faults' || anyFaults),
    context.current.config,
    baseline,
    new Set(
      baseline ? configDifferences(baseline, context.current.config).map((item) => item.field) : [],
    ),
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

export function environmentFields(context: ReportContext): ComparedField[] {
  const reference = context.reference?.environment ?? null;
  const differing = reference ? environmentDifferences(reference, context.current.environment) : [];
  return compareFields(
    ENVIRONMENT_FIELDS,
    context.current.environment,
    reference,
    new Set(differing.map((item) => item.field)),
    showValue,
  );
}

/**
 * What the harness itself took from the runner and what the hypervisor took, median over trials;
 * no row where no trial measured it (files written before, or not Linux).
 */
function runnerCells(aggregate: TrialAggregate): Record<string, string> {
  const runners = aggregate.trials.flatMap((trial) => (trial.runner ? [trial.runner] : []));
  const harness = runners.flatMap((runner) => (runner.harnessCpu ? [runner.harnessCpu] : []));
  const perThousand = harness.flatMap((figure) =>
    figure.cpuMsPerThousandEvents === null ? [] : [figure.cpuMsPerThousandEvents],
  );
  const cores = harness.map(harnessCores);
  const cells: Record<string, string> = {};
  if (perThousand.length > 0) {
    cells['Harness CPU per 1,000 events (ms)'] = formatMs(median(perThousand));
  }
  if (cores.length > 0) {
    cells['Harness CPU (cores kept busy)'] =
      `${formatNumber(median(cores), 2)} of ${harness[0]!.cores}` +
      (Math.max(...cores) > MAX_HARNESS_CORES ? ` ⚠️ above ${MAX_HARNESS_CORES} in a trial` : '');
  }
  if (runners.length > 0) {
    cells['CPU stolen by the hypervisor'] = formatShare(
      median(runners.map((runner) => runner.stolenCpuShare)),
    );
  }
  return cells;
}

/**
 * The load generator's and the receiver's counts, per run (a trial-set sums its trials: a
 * baseline of 5 runs beside one of this run would read 5,000 vs 1,000 published).
 */
export function publisherFields(context: ReportContext): ComparedField[] {
  const rows = (aggregate: TrialAggregate) => {
    const perRun = (total: number) => formatNumber(total / aggregate.trialCount, 0);
    return {
      'Events sent': perRun(aggregate.publisher.published),
      'Send errors': perRun(aggregate.publisher.errors),
      'Target rate (events/s)': formatNumber(aggregate.publisher.targetRatePerSec, 1),
      'Achieved rate (events/s)': formatNumber(aggregate.publisher.achievedRatePerSec, 1),
      'Target rate met': aggregate.publisher.rateMet ? 'yes' : 'no',
      'Redis write (XADD) p50 (ms)': formatMs(aggregate.publisher.xaddLatencyMs.p50),
      'Redis write (XADD) p99 (ms)': formatMs(aggregate.publisher.xaddLatencyMs.p99),
      'Lag behind schedule p99 (ms)': formatMs(aggregate.metrics.scheduleLagP99),
      'Deliveries expected': perRun(aggregate.delivery.expected),
      'Duplicate deliveries': perRun(aggregate.delivery.duplicates),
      'Injected failures retried': perRun(aggregate.delivery.failedAttempts),
      'Foreign / malformed requests': `${perRun(aggregate.delivery.foreign)} / ${perRun(aggregate.delivery.malformed)}`,
      ...runnerCells(aggregate),
    };
  };
  const current = rows(context.current);
  const baseline = context.reference ? rows(context.reference) : null;
  return Object.entries(current).map(([field, value]) => ({
    field,
    label: field,
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
  /** "—" when nothing went wrong, else e.g. "2 lost, 1 duplicate". */
  problems: string;
  /** One cell per endpointLatencyColumns(). */
  latencies: string[];
  /** p95 change vs the baseline endpoint of the same name. */
  delta: string;
  orderMs: number;
}

/** Per endpoint, slowest (p99) first; matched to the baseline by name (ids differ per seed). */
export function endpointRows(context: ReportContext): EndpointRow[] {
  const baselineByName = new Map(
    (context.reference?.endpoints ?? []).map((endpoint) => [endpoint.name, endpoint]),
  );
  const columns = endpointLatencyColumns();
  return context.current.endpoints
    .map((endpoint) => {
      const before = baselineByName.get(endpoint.name);
      const was = before ? latencyOf(ENDPOINT_DELTA, before.latencyMs) : null;
      const problems = [
        [endpoint.lost, 'lost'],
        [endpoint.duplicates, 'duplicate'],
        [endpoint.badSignatures, 'bad signature'],
      ]
        .filter(([count]) => (count as number) > 0)
        .map(([count, what]) => `${formatNumber(count as number, 0)} ${what}`);
      return {
        name: endpoint.name,
        expected: formatNumber(endpoint.expected, 0),
        delivered: formatNumber(endpoint.delivered, 0),
        lost: formatNumber(endpoint.lost, 0),
        duplicates: formatNumber(endpoint.duplicates, 0),
        badSignatures: formatNumber(endpoint.badSignatures, 0),
        problems: problems.length > 0 ? problems.join(', ') : '—',
        latencies: columns.map(({ metric }) => formatMs(latencyOf(metric, endpoint.latencyMs))),
        delta: changeText({
          unit: 'ms',
          baseline: was,
          current: latencyOf(ENDPOINT_DELTA, endpoint.latencyMs),
        }),
        orderMs: latencyOf(ENDPOINT_ORDER, endpoint.latencyMs),
      };
    })
    .sort((a, b) => b.orderMs - a.orderMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The title of the per-endpoint change column, e.g. "p95 Δ". */
export const endpointDeltaTitle = `${ENDPOINT_DELTA.headline?.column ?? ENDPOINT_DELTA.id} change`;

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

export interface HistoryRow {
  date: string;
  commit: string;
  trials: string;
  /** One cell per historyColumns(). */
  figures: string[];
  note: string;
  /** Invalid nights are listed but neither charted nor part of the noise. */
  valid: boolean;
  metrics: MetricValues;
}

const shortCommit = (commit: string | null | undefined): string | null =>
  commit ? commit.slice(0, 7) : null;

const day = (iso: string): string => iso.slice(0, 10);

/** The baseline and its history, oldest first. */
export function historyRows(baseline: Baseline): HistoryRow[] {
  const entries = [
    ...baseline.history.map((entry) => ({
      ...entry,
      note: entry.valid ? '' : 'invalid run (not charted)',
    })),
    {
      date: baseline.date,
      commit: baseline.commit,
      trialCount: baseline.aggregate.trialCount,
      metrics: baseline.aggregate.metrics,
      note: 'current baseline',
      valid: baseline.aggregate.validity.valid,
    },
  ];
  const columns = historyColumns();
  return entries.map((entry) => ({
    date: day(entry.date),
    commit: shortCommit(entry.commit) ?? '—',
    trials: String(entry.trialCount),
    figures: columns.map(({ metric }) => formatValue(metric.unit, entry.metrics[metric.id])),
    note: entry.note,
    valid: entry.valid,
    metrics: entry.metrics,
  }));
}
