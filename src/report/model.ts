import type { Baseline } from '../compare/baseline.js';
import {
  formatMs,
  formatNumber,
  formatPercent,
  formatValue,
  formatWithUnit,
} from '../compare/format.js';
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
import { median } from '../compare/stats.js';
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
import { harnessCores, MAX_HARNESS_CORES } from '../engine/measure/cpu.js';
import { formatShare } from '../engine/measure/steal.js';

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
  'deliveries/s': ' (deliveries/s)',
  'events/s': ' (events/s)',
  ratio: '',
  count: '',
};

/**
 * Labels a web developer reads at once; the catalogue's own (XADD, publisher lag) name the
 * harness's internals, shown only in the folded "other figures".
 */
const PLAIN_LABEL: Partial<Record<MetricId, string>> = {
  publishRate: 'Load generator: send rate',
  scheduleLagP99: 'Load generator: lag behind schedule p99',
  xaddP99: 'Load generator: Redis write (XADD) p99',
};

export interface MetricRow {
  id: MetricId;
  label: string;
  baseline: string;
  current: string;
  /** "+12%", "2.3× slower", "0%" unchanged (counts and percentages alike), "+3" from zero. */
  delta: string;
  /**
   * The status shown: the verdict's, except that a pass with a change beyond the tolerance reads
   * "within noise" (the run could not judge it), and an ungated row is always "info".
   */
  status: MetricStatus;
  gated: boolean;
  /** The bound the row was held to, e.g. "≤ 18.0 ms", "0"; '—' when the metric was not judged. */
  limit: string;
  /** The limit and where it came from, with the noise it was widened to; '—' when not judged. */
  limitDetail: string;
  /** For an ungated row: its change beyond the tolerance, marked though it decides nothing. */
  trend: 'better' | 'worse' | null;
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
export function changeText(
  metric: Pick<MetricComparison, 'unit' | 'baseline' | 'current'>,
): string {
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

/** How many times worse `current` is than `baseline` (1 = same, below 1 = better). */
function worseningOf(metric: MetricComparison): number | null {
  if (metric.baseline === null || metric.ratio === null) return null;
  if (metric.direction === 'lower-is-better') return metric.ratio;
  return metric.current === 0 ? Infinity : metric.baseline / metric.current;
}

/** The status a row may show without contradicting its numbers (see MetricRow.status). */
export function shownStatus(metric: MetricComparison, tolerance: number): MetricStatus {
  if (!metric.gated) return 'info';
  const worsening = worseningOf(metric);
  if (
    metric.status === 'pass' &&
    metric.kind === 'performance' &&
    metric.limit?.source !== 'allowance' &&
    worsening !== null &&
    worsening > tolerance
  ) {
    return 'noise';
  }
  return metric.status;
}

/** The bound a gated row was held to, short: "≤ 18.0 ms", "≥ 66.7 /s", "0", "≤ 5 per run". */
export function limitShort(metric: MetricComparison): string {
  if (!metric.gated || metric.status === 'info') return '—';
  const definition = METRICS[metric.id];
  if (metric.kind === 'correctness') {
    if (metric.id === 'successRate') {
      return `≥ ${formatValue(metric.unit, metric.baseline ?? 1)}`;
    }
    return '0';
  }
  if (!metric.limit) return '—';
  const bound = metric.direction === 'lower-is-better' ? '≤' : '≥';
  if (metric.limit.source === 'allowance') {
    return `${bound} ${formatValue(metric.unit, metric.limit.worst)} per run`;
  }
  const value = formatWithUnit(definition, metric.limit.worst);
  return `${bound} ${metric.unit === 'ms' ? value : value.replace(/ [a-z]+\/s$/, '/s')}`;
}

/** The row label: plain words, its unit, and for counts whether summed or per run. */
function rowLabel(metric: MetricComparison, trialCount: number): string {
  const label = PLAIN_LABEL[metric.id] ?? metric.label;
  const definition = METRICS[metric.id];
  if (metric.unit === 'count' && trialCount > 1) {
    return `${label} (${definition.aggregation === 'sum' ? `all ${trialCount} runs` : 'per run'})`;
  }
  return `${label}${UNIT_SUFFIX[metric.unit]}`;
}

export function metricRows(verdict: Verdict, trialCount = 1): MetricRow[] {
  const tolerance = verdict.settings.tolerance;
  return verdict.metrics.map((metric: MetricComparison) => {
    const worsening = worseningOf(metric);
    return {
      id: metric.id,
      label: rowLabel(metric, trialCount),
      baseline: metric.baseline === null ? '—' : formatValue(metric.unit, metric.baseline),
      current: formatValue(metric.unit, metric.current),
      delta: changeText(metric),
      status: shownStatus(metric, tolerance),
      gated: metric.gated,
      limit: limitShort(metric),
      limitDetail: metric.gated && metric.limitText ? metric.limitText : '—',
      trend:
        metric.gated || worsening === null
          ? null
          : worsening > tolerance
            ? 'worse'
            : worsening < 1 / tolerance
              ? 'better'
              : null,
    };
  });
}

/** The metric ids of rows that are all zeros and decide nothing: folded away in the reports. */
export const isIdleRow = (row: MetricRow): boolean =>
  !row.gated && /^[0.,%—]+$/.test(row.current) && /^[0.,%—]+$/.test(row.baseline);

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

/** The runner as a reader names it: "4-core AMD EPYC 7763". */
export function runnerText(environment: EnvironmentFingerprint): string {
  const model = environment.cpuModel
    .replace(/\((R|TM|tm|r)\)/g, '')
    .replace(/\s+\d+-Core Processor$/i, '')
    .replace(/\s+CPU\s+@.*$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `${environment.cpuCores}-core ${model || 'unknown CPU'}`;
}

/** What is compared with what, in plain pieces; the renderers set commits as code. */
export interface ComparedSides {
  /** Short commit under test, when known. */
  commit: string | null;
  baseline: {
    name: string;
    commit: string | null;
    date: string;
    runner: string;
  } | null;
  /** "3 runs (median shown)" / "1 run", and the baseline's when it differs. */
  runs: string;
}

const runsOf = (count: number): string => (count === 1 ? '1 run' : `${count} runs (median shown)`);

export function comparedSides(context: ReportContext): ComparedSides {
  const { baseline } = context;
  const own = context.current.trialCount;
  const theirs = baseline?.aggregate.trialCount ?? own;
  return {
    commit: shortCommit(context.commit),
    baseline: baseline
      ? {
          name: baseline.name,
          commit: shortCommit(baseline.commit),
          date: day(baseline.date),
          runner: runnerText(baseline.aggregate.environment),
        }
      : null,
    runs: `${runsOf(own)}${theirs !== own ? `; the baseline ${theirs === 1 ? '1 run' : `${theirs} runs`}` : ''}`,
  };
}

/** "a, b and c" */
function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What a failing metric did, in a few words: "Latency p50 2.3× slower", "3 deliveries lost". */
function failureText(metric: MetricComparison): string {
  const count = formatNumber(metric.current, 0);
  switch (metric.id) {
    case 'lost':
      return `${count} ${metric.current === 1 ? 'delivery' : 'deliveries'} lost`;
    case 'badSignatures':
      return `${count} bad ${metric.current === 1 ? 'signature' : 'signatures'}`;
    case 'unexpected':
      return `${count} unexpected ${metric.current === 1 ? 'delivery' : 'deliveries'}`;
    case 'successRate':
      return `success rate fell to ${formatValue(metric.unit, metric.current)}`;
    default:
      return `${PLAIN_LABEL[metric.id] ?? metric.label} ${changeText(metric)}`;
  }
}

/**
 * The verdict in one plain sentence, stated once above the table: what failed, that all is
 * within limits, or why the run could not judge.
 */
export function verdictStatement(verdict: Verdict, context: ReportContext): string {
  const gated = verdict.metrics.filter((metric) => metric.gated);
  switch (verdict.outcome) {
    case 'regression': {
      const failed = gated.filter((metric) => metric.status === 'regression');
      const confirmed =
        verdict.confirmation && verdict.confirmation.confirmed.length > 0
          ? ' Confirmed by one more run.'
          : '';
      return `Worse than the limit: ${listText(failed.map(failureText))}.${confirmed}`;
    }
    case 'pass': {
      const { duplicates } = context.current.delivery;
      const better = gated.filter((metric) => metric.status === 'improvement');
      return [
        'Every checked figure is within its limit, and no delivery was lost',
        duplicates > 0
          ? `; ${formatNumber(duplicates, 0)} ${duplicates === 1 ? 'delivery' : 'deliveries'} arrived twice (within the allowance)`
          : '',
        better.length > 0
          ? `. Better than the baseline: ${listText(better.map((metric) => `${metric.label} ${changeText(metric)}`))}`
          : '',
        '.',
      ].join('');
    }
    case 'inconclusive':
      return `Could not judge: ${plainFields(verdict.summary.replace(/^Inconclusive:\s*/, ''))}`;
  }
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
  const baseline = context.baseline ? rows(context.baseline.aggregate) : null;
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
    (context.baseline?.aggregate.endpoints ?? []).map((endpoint) => [endpoint.name, endpoint]),
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
  /** Invalid nights are listed but neither charted nor part of the noise. */
  valid: boolean;
  metrics: MetricValues;
}

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
