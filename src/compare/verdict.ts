import { howToCreateBaseline, noiseOf, type Baseline } from './baseline.js';
import {
  configDifferences,
  describeBusier,
  describeDifferences,
  environmentDifferences,
  runnerBusier,
  type Busier,
  type Difference,
} from './comparability.js';
import { formatPercent, formatRatio, formatWithUnit } from './format.js';
import {
  countAllowanceOf,
  DEFAULT_GATED_METRICS,
  isMetricId,
  METRIC_LIST,
  METRICS,
  worseningRatio,
  type Direction,
  type MetricDefinition,
  type MetricId,
  type MetricKind,
  type MetricUnit,
} from './metrics.js';
import {
  describeLimit,
  historyDetectableRatio,
  metricLimit,
  MIN_HISTORY_SAMPLES,
  sideOf,
  type BaselineNoise,
  type MetricLimit,
} from './noise.js';
import { formatTolerance } from './tolerance.js';
import { trialValues, type TrialAggregate } from './trials.js';

export type Outcome = 'pass' | 'regression' | 'inconclusive';

/**
 * pass: within the limit. regression: worse beyond the tolerance and the noise (or a
 * correctness failure). improvement: better beyond both. noise: worse than the tolerance but
 * within what this run can tell from noise, or a median the trials do not back. unconfirmed: a
 * regression the confirming trial did not repeat. info: shown, not judged.
 */
export type MetricStatus = 'pass' | 'regression' | 'improvement' | 'noise' | 'unconfirmed' | 'info';

export interface MetricComparison {
  id: MetricId;
  label: string;
  unit: MetricUnit;
  direction: Direction;
  kind: MetricKind;
  gated: boolean;
  baseline: number | null;
  current: number;
  /** (current - baseline) / baseline in percent; null without a baseline or when it is 0. */
  deltaPercent: number | null;
  /** current / baseline; null without a baseline or when it is 0. */
  ratio: number | null;
  status: MetricStatus;
  reason: string;
  /** The limit applied, when the metric was judged against the baseline (see noise.ts). */
  limit: MetricLimit | null;
  /** The limit and where it came from, e.g. "≤ 2.78 ms (1.5x baseline; noise ±4% from 6 trials; could see +9%)". */
  limitText: string | null;
  /** Relative spread across the current trials (see TrialAggregate.spread). */
  spread: number | null;
  /**
   * Why a worse figure was not judged, for the one-line summary ("worse, measured on a runner
   * busier than the baseline's"); absent for plain noise ("within this run's noise").
   */
  heldBack?: string;
}

/**
 * How the runner must match the baseline's: comparable (the default: same CPU family and
 * agreeing speed probes), same (also the exact CPU model), ignore (compare anyway, with a note).
 */
export type EnvironmentCheck = 'comparable' | 'same' | 'ignore';

export interface CompareOptions {
  /** Ratio, at least 1 (see parseTolerance). */
  tolerance: number;
  /** Absolute floors in each metric's unit; they replace the floor measured from noise. */
  noiseFloors?: Partial<Record<MetricId, number>>;
  /** Performance metrics that decide the outcome; correctness metrics always do. */
  gatedMetrics?: readonly MetricId[];
  /** Default 'comparable'. */
  environment?: EnvironmentCheck;
  /** Default true: the baseline's nightly history on this kind of runner adds to the noise. */
  useHistory?: boolean;
  /** Names the baseline in the "how to create one" message. */
  baselineName?: string;
}

export interface VerdictSettings {
  tolerance: number;
  /** The floors the user set; other metrics' floors come from the measured noise. */
  userFloors: Partial<Record<MetricId, number>>;
  gatedMetrics: MetricId[];
  environment: EnvironmentCheck;
  useHistory: boolean;
}

/** Why performance could not be judged at all. */
export interface Blocker {
  /** For the one-line summary. */
  short: string;
  /** For the reasons: what and what to do. */
  long: string;
}

/** What the confirming trial found (see confirm.ts). */
export interface Confirmation {
  /** Trials of the first measurement; one more was measured. */
  initialTrials: number;
  confirmed: MetricId[];
  unconfirmed: MetricId[];
}

export interface Verdict {
  outcome: Outcome;
  /** One line: the outcome and why. */
  summary: string;
  /** Everything that decided the outcome, most important first. */
  reasons: string[];
  /** Worth knowing, did not decide the outcome (improvements, widened limits, ...). */
  notes: string[];
  metrics: MetricComparison[];
  blockers: Blocker[];
  configDifferences: Difference[];
  environmentDifferences: Difference[];
  settings: VerdictSettings;
  /** null when no confirming trial was measured. */
  confirmation: Confirmation | null;
  /** This runner was busier than the baseline's by the probes (see runnerBusier); else null. */
  busier: Busier | null;
}

const SUCCESS_RATE_EPSILON = 1e-9;

function resolveSettings(options: CompareOptions): VerdictSettings {
  const { tolerance } = options;
  if (!Number.isFinite(tolerance) || tolerance < 1) {
    throw new RangeError(
      `Invalid tolerance ${tolerance}: expected a ratio of at least 1 (e.g. 1.5).`,
    );
  }
  const userFloors: Partial<Record<MetricId, number>> = {};
  for (const [id, floor] of Object.entries(options.noiseFloors ?? {})) {
    if (!isMetricId(id)) throw new RangeError(`Unknown metric "${id}" in the noise floors.`);
    if (floor === undefined) continue;
    if (!Number.isFinite(floor) || floor < 0) {
      throw new RangeError(`Invalid noise floor ${floor} for ${id}: expected 0 or more.`);
    }
    userFloors[id] = floor;
  }
  const gated = options.gatedMetrics ?? DEFAULT_GATED_METRICS;
  for (const id of gated) {
    if (!isMetricId(id)) throw new RangeError(`Unknown gated metric "${String(id)}".`);
  }
  return {
    tolerance,
    userFloors,
    gatedMetrics: METRIC_LIST.filter(
      (metric) => metric.kind === 'performance' && gated.includes(metric.id),
    ).map((metric) => metric.id),
    environment: options.environment ?? 'comparable',
    useHistory: options.useHistory ?? true,
  };
}

function describeChange(metric: MetricDefinition, baseline: number, current: number): string {
  const delta = baseline === 0 ? null : ((current - baseline) / baseline) * 100;
  return `${formatWithUnit(metric, baseline)} → ${formatWithUnit(metric, current)} (${formatPercent(delta)})`;
}

function compareCorrectness(
  metric: MetricDefinition,
  current: TrialAggregate,
  baselineValue: number | null,
): Pick<MetricComparison, 'status' | 'reason'> {
  const value = current.metrics[metric.id];
  const acrossTrials = current.trialCount > 1 ? ` across ${current.trialCount} trials` : '';
  switch (metric.id) {
    case 'lost':
      return value > 0
        ? {
            status: 'regression',
            reason: `${formatWithUnit(metric, value)} of ${formatWithUnit(metric, current.delivery.expected)} expected deliveries lost${acrossTrials}; every webhook must arrive.`,
          }
        : { status: 'pass', reason: 'No delivery lost.' };
    case 'badSignatures':
      return value > 0
        ? {
            status: 'regression',
            reason: `${formatWithUnit(metric, value)} deliveries${acrossTrials} carried a wrong X-Webhook-Signature; every signature must verify.`,
          }
        : { status: 'pass', reason: 'Every signature verified.' };
    case 'unexpected':
      return value > 0
        ? {
            status: 'regression',
            reason: `${formatWithUnit(metric, value)} deliveries${acrossTrials} matched no expected (endpoint, event) pair: sent to an endpoint that does not match the event, or of an event nobody published.`,
          }
        : { status: 'pass', reason: 'Every delivery was expected.' };
    default:
      if (baselineValue === null) {
        return value >= 1
          ? { status: 'pass', reason: 'Every expected delivery arrived.' }
          : { status: 'info', reason: 'No baseline to compare with; loss is gated on its own.' };
      }
      return value < baselineValue - SUCCESS_RATE_EPSILON
        ? {
            status: 'regression',
            reason: `${metric.label} fell: ${describeChange(metric, baselineValue, value)}; it must not drop below the baseline's.`,
          }
        : {
            status: 'pass',
            reason: `Not below the baseline's ${formatWithUnit(metric, baselineValue)}.`,
          };
  }
}

interface PerformanceContext {
  settings: VerdictSettings;
  blockers: readonly Blocker[];
  baseline: Baseline | null;
  noise: BaselineNoise;
  current: TrialAggregate;
  busier: Busier | null;
}

/**
 * The tail of the latency distribution (above the median). Other work on the runner reaches the
 * tail first: on the 2-core machine a neighbour keeping one core busy half of the time doubled a
 * 1.2 ms pipeline's p95 while its p50 stayed within the tolerance (bench:verdict, issue 12).
 */
const isTail = (id: MetricId): boolean => (METRICS[id].latency?.percentile ?? 0) > 50;

/**
 * The baseline figure a run is compared with: for a performance metric with a nightly history on
 * this kind of runner, the median of its newest nights (noise.ts referenceOf), else the newest
 * night's own figure.
 */
function referenceFigure(
  metric: MetricDefinition,
  baseline: Baseline,
  noise: BaselineNoise,
  settings: VerdictSettings,
): number {
  const reference = settings.useHistory ? noise[metric.id]?.reference : undefined;
  return reference?.value ?? baseline.aggregate.metrics[metric.id];
}

type Judged = Pick<MetricComparison, 'status' | 'reason' | 'limit' | 'limitText' | 'heldBack'>;

function comparePerformance(metric: MetricDefinition, context: PerformanceContext): Judged {
  const { settings, blockers, baseline, current } = context;
  if (!baseline)
    return { status: 'info', reason: 'No baseline to compare with.', limit: null, limitText: null };
  const base = referenceFigure(metric, baseline, context.noise, settings);
  const value = current.metrics[metric.id];
  const change = describeChange(metric, base, value);
  if (blockers.length > 0) {
    return {
      status: 'info',
      reason: `Not judged (${blockers[0]?.short}): ${change}.`,
      limit: null,
      limitText: null,
    };
  }

  const values = trialValues(current, metric.id);
  const limit = metricLimit(metric, {
    baseline: base,
    baselineTrials: baseline.aggregate.trials.map((trial) => trial.metrics[metric.id]),
    currentTrials: values,
    history: settings.useHistory ? (context.noise[metric.id] ?? null) : null,
    tolerance: settings.tolerance,
    ...(settings.userFloors[metric.id] !== undefined
      ? { userFloor: settings.userFloors[metric.id] }
      : {}),
    allowance: countAllowanceOf(metric, current.delivery.expected / current.trialCount),
  });
  const limitText = describeLimit(metric, limit, settings.tolerance);
  const judged = (status: MetricStatus, reason: string, heldBack?: string): Judged => ({
    status,
    reason,
    limit,
    limitText,
    ...(heldBack ? { heldBack } : {}),
  });
  if (!settings.gatedMetrics.includes(metric.id)) return judged('info', `Not gated: ${change}.`);

  const ratio = worseningRatio(metric, base, value);
  const side = sideOf(metric, limit, value);
  // Median first: the median decides, unless most trials say otherwise (possible with an even
  // count, whose median sits between two trials).
  const backing = values.filter((trialValue) => sideOf(metric, limit, trialValue) === side).length;
  if (values.length > 1 && backing * 2 <= values.length) {
    return judged(
      'noise',
      `${metric.label}: ${change}, but only ${backing} of ${values.length} trials agree with their median (${values.map((trialValue) => formatWithUnit(metric, trialValue)).join(', ')}; limit ${limitText}). Run more trials, an odd number.`,
    );
  }
  switch (side) {
    case 'worse':
      // Measured against a quieter baseline, a worse tail shows the other load as much as the
      // code: not judged. The median and throughput still are, so a slower pipeline still fails.
      if (context.busier && isTail(metric.id)) {
        return judged(
          'noise',
          `${metric.label}: ${change}, ${formatRatio(ratio)} worse, beyond its limit ${limitText}, but ${describeBusier(context.busier)}, and other work on a runner reaches the tail first: not judged. Rerun on a quieter runner, or measure the base commit on this one (compare-to: base).`,
          `worse, measured on a runner busier than the baseline's (CPU probe on all cores ${context.busier.factor.toFixed(2)}x the baseline's)`,
        );
      }
      // The median of a CPU-bound pipeline on a runner that gave it 1/factor of the cores the
      // baseline's had can be up to factor times slower from the runner alone: judged against
      // its limit widened by that (the neighbour moved a fresh pipeline's p50 1.2-1.7x).
      if (
        context.busier &&
        metric.latency &&
        metric.direction === 'lower-is-better' &&
        value <= limit.worst * context.busier.factor
      ) {
        const widened = formatWithUnit(metric, limit.worst * context.busier.factor);
        return judged(
          'noise',
          `${metric.label}: ${change}, ${formatRatio(ratio)} worse, beyond its limit ${limitText}, but within ${widened}, that limit times ${context.busier.factor.toFixed(2)}: ${describeBusier(context.busier)}, which can slow a pipeline that much on its own. Not judged; rerun on a quieter runner, or measure the base commit on this one (compare-to: base).`,
          `worse, within what a runner ${context.busier.factor.toFixed(2)}x busier than the baseline's can add (CPU probe on all cores)`,
        );
      }
      // A tail moves more between runs (each a fresh start of the SUT) than between the trials of
      // one run, and only the nightly history measures that. Until it does, a tail change within
      // tolerance squared is not judged; beyond it, it is.
      if (isTail(metric.id) && limit.history === null && ratio <= settings.tolerance ** 2) {
        return judged(
          'noise',
          `${metric.label}: ${change}, ${formatRatio(ratio)} worse, beyond its limit ${limitText}, but how much the tail varies between runs is not measured yet: that takes ${MIN_HISTORY_SAMPLES} nightly runs in the baseline's history on this kind of runner with this load, and it varies more than between the trials of one run (p99 ±25% between fresh starts of the reference pipeline, bench:verdict). Tail changes up to ${formatRatio(settings.tolerance ** 2)} (the tolerance squared) are not judged until the nightly refresh has measured it; the median and throughput are.`,
          `worse by less than ${formatRatio(settings.tolerance ** 2)}, and how much the tail varies between runs is not measured yet (fewer than ${MIN_HISTORY_SAMPLES} comparable nights in the baseline's history)`,
        );
      }
      return judged(
        'regression',
        `${metric.label} regressed: ${change}, ${formatRatio(ratio)} worse, beyond its limit ${limitText}.`,
      );
    case 'better':
      return judged(
        'improvement',
        `${metric.label} improved: ${change}, ${formatRatio(worseningRatio(metric, value, base))} better.`,
      );
    case 'same':
      // Within a count's allowance is a pass: a few duplicates are how at-least-once works.
      if (ratio > settings.tolerance && limit.source !== 'allowance') {
        return judged(
          'noise',
          `${metric.label}: ${change}, ${formatRatio(ratio)} worse, beyond the ${formatTolerance(settings.tolerance)} tolerance but within what this run can tell from noise (limit ${limitText}). ${narrowing(limit)}`,
        );
      }
      return judged('pass', `${change}, within ${limitText}.`);
  }
}

/**
 * What would narrow a limit set by noise: more trials narrow the trials' part; the nights' part
 * (this run is one fresh start of the SUT against the median of the baseline's nights) only more
 * nights, or the base measured on this runner in alternating rounds.
 */
function narrowing(limit: MetricLimit): string {
  const nightsDecide =
    limit.history !== null &&
    limit.detectableRatio !== null &&
    historyDetectableRatio(limit.history) >= limit.detectableRatio;
  return nightsDecide
    ? "The baseline's nights set that limit, so more trials do not narrow it; more nightly runs do, and so does measuring the base commit on this runner (compare-to: base)."
    : 'More trials narrow it.';
}

/**
 * "Baseline figures: the median of the newest 5 nights on this kind of runner (p50 1.52 ms; the
 * newest night alone 1.61 ms)", or why the newest night alone is used; null when the newest
 * night is the reference for every gated metric as before the history existed.
 */
function referenceNote(
  baseline: Baseline | null,
  noise: BaselineNoise,
  settings: VerdictSettings,
): string | null {
  if (!baseline || !settings.useHistory) return null;
  const parts: string[] = [];
  const moving: string[] = [];
  let nights = 0;
  for (const id of settings.gatedMetrics) {
    const reference = noise[id]?.reference;
    if (!reference) continue;
    const metric = METRICS[id];
    if (reference.nights === 1) {
      moving.push(metric.label);
      continue;
    }
    nights = Math.max(nights, reference.nights);
    const newest = baseline.aggregate.metrics[id];
    if (reference.value === newest) continue;
    parts.push(
      `${metric.label} ${formatWithUnit(metric, reference.value)} (newest night ${formatWithUnit(metric, newest)})`,
    );
  }
  const sentences: string[] = [];
  if (parts.length > 0) {
    sentences.push(
      `Baseline figures are the median of its newest ${nights} nights on this kind of runner, not the newest night alone (each start of the system moves it): ${parts.join(', ')}.`,
    );
  }
  if (moving.length > 0) {
    sentences.push(
      `For ${moving.join(', ')} the newest night alone is the baseline: it sits beyond the noise of the nights before it, a shift too new to be a level yet.`,
    );
  }
  return sentences.length > 0 ? sentences.join(' ') : null;
}

function blockersOf(
  current: TrialAggregate,
  baseline: Baseline | null,
  settings: VerdictSettings,
  differences: { config: Difference[]; environment: Difference[] },
  baselineName: string,
  notes: string[],
): Blocker[] {
  const blockers: Blocker[] = [];
  if (!baseline) {
    blockers.push({
      short: 'no baseline',
      long: `No baseline to compare with. ${howToCreateBaseline(baselineName)}`,
    });
  } else {
    if (differences.config.length > 0) {
      blockers.push({
        short: 'scenario differs from the baseline',
        long: `This run's scenario differs from the baseline's: ${describeDifferences(differences.config)}. Figures of different loads are not comparable; compare the same scenario, or refresh the baseline if the change is intended.`,
      });
    }
    if (differences.environment.length > 0) {
      const text = `Measured on a runner not comparable with the baseline's: ${describeDifferences(differences.environment)}.`;
      if (settings.environment !== 'ignore') {
        const speed = differences.environment.find((item) => item.field === 'speed');
        blockers.push({
          short:
            speed?.explanation ??
            `environment differs (${differences.environment.map((item) => item.field).join(', ')})`,
          long: `${text} Latency depends on the runner, so the figures are not comparable. Pin the runner type, refresh the baseline on this one, or measure the base commit on this runner.`,
        });
      } else {
        notes.push(`${text} Compared anyway, as requested.`);
      }
    }
    if (!baseline.aggregate.validity.valid) {
      blockers.push({
        short: 'the baseline is an invalid run',
        long: `The baseline itself is an invalid run (${baseline.aggregate.validity.reasons.join('; ') || 'no reason recorded'}); refresh it from a valid run.`,
      });
    }
  }
  if (!current.validity.valid) {
    blockers.push({
      short: 'this run is invalid',
      long: `This run is invalid, so its figures cannot be trusted: ${current.validity.reasons.join('; ') || 'no reason recorded'}.`,
    });
  }
  return blockers;
}

function joinLabels(metrics: readonly MetricComparison[]): string {
  return metrics
    .map((metric) =>
      metric.kind === 'correctness' || metric.deltaPercent === null
        ? metric.id === 'lost'
          ? `${metric.current} lost`
          : metric.id === 'badSignatures'
            ? `${metric.current} bad signatures`
            : metric.id === 'unexpected'
              ? `${metric.current} unexpected`
              : metric.id === 'duplicates'
                ? `${metric.current} duplicate deliveries per trial`
                : metric.label
        : `${metric.label} ${formatPercent(metric.deltaPercent)}`,
    )
    .join(', ');
}

/**
 * "Nothing was lost" must not hide deliveries that arrived more than once: named whenever there
 * are any, even within the limits.
 */
function duplicatesClause(current: Pick<TrialAggregate, 'delivery' | 'trialCount'>): string {
  const { duplicates } = current.delivery;
  if (duplicates === 0) return '';
  const across = current.trialCount > 1 ? ` across ${current.trialCount} trials` : '';
  return `, but ${duplicates} ${duplicates === 1 ? 'delivery' : 'deliveries'} arrived more than once${across}`;
}

/** The outcome, its one-line summary and its reasons, from the judged metrics. */
export function decide(
  metrics: readonly MetricComparison[],
  blockers: readonly Blocker[],
  settings: VerdictSettings,
  current: Pick<TrialAggregate, 'delivery' | 'trialCount'>,
): Pick<Verdict, 'outcome' | 'summary' | 'reasons'> {
  const gated = metrics.filter((metric) => metric.gated);
  const failures = gated.filter((metric) => metric.status === 'regression');
  const unconfirmed = gated.filter((metric) => metric.status === 'unconfirmed');
  const noisy = gated.filter((metric) => metric.status === 'noise');
  if (failures.length > 0) {
    return {
      outcome: 'regression',
      summary: `Regression: ${joinLabels(failures)}.`,
      reasons: [
        ...failures.map((metric) => metric.reason),
        ...blockers.map((blocker) => `Also: ${blocker.long}`),
      ],
    };
  }
  if (blockers.length > 0 || noisy.length > 0 || unconfirmed.length > 0) {
    // Noisy metrics grouped by why they were held back, plain noise last.
    const heldBack = new Map<string, MetricComparison[]>();
    for (const metric of noisy) {
      const why = metric.heldBack ?? "within this run's noise";
      heldBack.set(why, [...(heldBack.get(why) ?? []), metric]);
    }
    const plain = heldBack.get("within this run's noise");
    if (plain) {
      heldBack.delete("within this run's noise");
      heldBack.set("within this run's noise", plain);
    }
    const why =
      blockers.length > 0
        ? blockers.map((blocker) => blocker.short).join('; ')
        : [
            ...(unconfirmed.length > 0
              ? [
                  `${unconfirmed.map((metric) => metric.label).join(', ')} regression not confirmed by one more trial`,
                ]
              : []),
            ...[...heldBack].map(
              ([reason, held]) => `${held.map((metric) => metric.label).join(', ')} ${reason}`,
            ),
          ].join('; ');
    return {
      outcome: 'inconclusive',
      summary: `Inconclusive: ${why}.`,
      reasons: [
        ...blockers.map((blocker) => blocker.long),
        ...unconfirmed.map((metric) => metric.reason),
        ...[...heldBack.values()].flat().map((metric) => metric.reason),
      ],
    };
  }
  const gatedCount = settings.gatedMetrics.length;
  return {
    outcome: 'pass',
    summary: `Pass: no gated metric is worse than ${formatTolerance(settings.tolerance)} the baseline beyond its noise, and nothing was lost${duplicatesClause(current)}.`,
    reasons: [
      `${gatedCount} performance metric${gatedCount === 1 ? '' : 's'} (${settings.gatedMetrics.join(', ')}) within their limits; no delivery lost, every signature valid${duplicatesClause(current)}.`,
    ],
  };
}

/**
 * The verdict on `current` against `baseline`.
 *
 * Correctness failures (a lost delivery, a bad signature, a fallen success rate) make the
 * outcome a regression even when everything else would be inconclusive: they do not depend on
 * the machine, the noise or the baseline's load; a webhook that never arrived is a bug on any
 * runner, and hiding it behind "inconclusive" would let it merge. Performance figures decide
 * only when the comparison is sound (same scenario, comparable runner, valid runs), each
 * against its limit: the tolerance, widened to what the measured noise can tell apart.
 */
export function compare(
  current: TrialAggregate,
  baseline: Baseline | null,
  options: CompareOptions,
): Verdict {
  const settings = resolveSettings(options);
  const notes: string[] = [];
  const differences = baseline
    ? {
        config: configDifferences(baseline.aggregate.config, current.config),
        environment: environmentDifferences(baseline.aggregate.environment, current.environment, {
          strict: settings.environment === 'same',
        }),
      }
    : { config: [], environment: [] };
  const busier = baseline
    ? runnerBusier(baseline.aggregate.environment, current.environment)
    : null;
  const blockers = blockersOf(
    current,
    baseline,
    settings,
    differences,
    options.baselineName ?? baseline?.name ?? current.config.scenario,
    notes,
  );

  const context: PerformanceContext = {
    settings,
    blockers,
    baseline,
    noise: baseline ? noiseOf(baseline) : {},
    current,
    busier,
  };
  const metrics = METRIC_LIST.map((metric): MetricComparison => {
    const baselineValue = !baseline
      ? null
      : metric.kind === 'performance'
        ? referenceFigure(metric, baseline, context.noise, settings)
        : baseline.aggregate.metrics[metric.id];
    const value = current.metrics[metric.id];
    const judged =
      metric.kind === 'correctness'
        ? { ...compareCorrectness(metric, current, baselineValue), limit: null, limitText: null }
        : comparePerformance(metric, context);
    return {
      id: metric.id,
      label: metric.label,
      unit: metric.unit,
      direction: metric.direction,
      kind: metric.kind,
      gated: metric.kind === 'correctness' || settings.gatedMetrics.includes(metric.id),
      baseline: baselineValue,
      current: value,
      deltaPercent:
        baselineValue === null || baselineValue === 0
          ? null
          : ((value - baselineValue) / baselineValue) * 100,
      ratio: baselineValue === null || baselineValue === 0 ? null : value / baselineValue,
      ...judged,
      spread: current.spread[metric.id],
    };
  });

  const fromNights = referenceNote(baseline, context.noise, settings);
  if (fromNights) notes.push(fromNights);
  const improvements = metrics.filter((metric) => metric.gated && metric.status === 'improvement');
  if (improvements.length > 0) {
    notes.push(
      `Improved beyond the tolerance: ${joinLabels(improvements)}. Refresh the baseline once this merges so later changes are held to it.`,
    );
  }
  // A limit the noise widened past tolerance squared (2.25x at 1.5) no longer gates anything a
  // reviewer would call a regression: say so, rather than let the pass look like evidence.
  const blind = metrics.filter(
    (metric) =>
      metric.gated &&
      metric.limit?.detectableRatio != null &&
      metric.limit.detectableRatio > settings.tolerance * settings.tolerance,
  );
  if (blind.length > 0) {
    notes.push(
      `This comparison is too noisy to see a change of ${formatTolerance(settings.tolerance)} in ${blind.map((metric) => `${metric.label} (could see ${formatPercent(((metric.limit?.detectableRatio ?? 1) - 1) * 100)})`).join(', ')}: more trials, a longer scenario or a quieter runner narrow it.`,
    );
  }
  if (baseline && baseline.aggregate.trialCount !== current.trialCount) {
    notes.push(
      `The baseline has ${baseline.aggregate.trialCount} trial(s), this run ${current.trialCount}.`,
    );
  }

  if (busier && blockers.length === 0) {
    notes.push(
      `${describeBusier(busier).replace(/^t/, 'T')}: the tail latencies (${settings.gatedMetrics.filter(isTail).join(', ') || 'none gated'}) are shown but a rise in them is not judged; the median is judged against its limit times ${busier.factor.toFixed(2)}, throughput as always.`,
    );
  }
  return {
    ...decide(metrics, blockers, settings, current),
    notes,
    metrics,
    blockers,
    configDifferences: differences.config,
    environmentDifferences: differences.environment,
    settings,
    confirmation: null,
    busier,
  };
}

/**
 * Exit codes of a comparison: 0 pass; 1 regression (the step fails); 2 inconclusive when the
 * caller asked to fail on it, else 0 so a noisy runner or a missing baseline never blocks a
 * merge by default. 1 is shared with other failures (bad input), which also fail the step.
 */
export const EXIT_CODES = { pass: 0, regression: 1, inconclusive: 2 } as const;

export function exitCodeFor(
  verdict: Pick<Verdict, 'outcome'>,
  options: { failOnInconclusive?: boolean } = {},
): number {
  switch (verdict.outcome) {
    case 'pass':
      return EXIT_CODES.pass;
    case 'regression':
      return EXIT_CODES.regression;
    case 'inconclusive':
      return options.failOnInconclusive ? EXIT_CODES.inconclusive : EXIT_CODES.pass;
  }
}
