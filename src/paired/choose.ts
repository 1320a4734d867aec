import { noiseOf, type Baseline } from '../compare/baseline.js';
import {
  configDifferences,
  describeBusier,
  describeDifferences,
  environmentDifferences,
  runnerBusier,
  type Busier,
  type Difference,
  type EnvironmentMatching,
} from '../compare/comparability.js';
import { DEFAULT_GATED_METRICS, METRICS, type MetricId } from '../compare/metrics.js';
import { historyDetectableRatio, percentOfSigma } from '../compare/noise.js';
import { formatPercent } from '../compare/format.js';
import type { EnvironmentFingerprint, RunConfigSnapshot } from '../engine/measure/result.js';

/**
 * What a check compares the head with. `baseline`: the committed baseline file. `base`: the base
 * commit, measured on this runner in alternating rounds. `auto`: the baseline when it was
 * measured on a machine like this one with the same load (scenario, events, rate, concurrency,
 * mix …), this runner is not busier than it was, and its nights vary little enough to tell a
 * change of the tolerance in the median figures; else the base when it can be measured here,
 * else the baseline (whose verdict then says why it is inconclusive, or leaves a busier runner's
 * tail unjudged).
 */
export const COMPARE_TO = ['auto', 'baseline', 'base'] as const;
export type CompareTo = (typeof COMPARE_TO)[number];

export interface ReferenceFacts {
  compareTo: CompareTo;
  /** How the setting is written where the user set it: `compare-to` or `--compare-to`. */
  settingName: string;
  /** The committed baseline's differences from this run; null when there is no baseline file. */
  baseline: {
    environment: readonly Difference[];
    config: readonly Difference[];
    /** This runner is busier than the baseline's was (all-cores probe); absent or null: not. */
    busier?: Busier | null;
    /**
     * A median figure whose nights vary so much that the baseline cannot tell a change of the
     * tolerance from noise, however tight this run's trials; absent or null: none.
     */
    blind?: Blind | null;
  } | null;
  /**
   * Whether the base can be measured here: the run starts the SUT (compose or a command) and a
   * base exists (a pull request, base-ref, or the CLI's base flags); else why not.
   */
  base: { available: true } | { available: false; why: string };
}

/** A median figure the committed baseline cannot judge at the tolerance (see `blindSpot`). */
export interface Blind {
  label: string;
  /** How much its nightly figure moves unchanged: "±23%". */
  spread: string;
  nights: number;
  /** The smallest worsening the baseline's nights let a run tell from noise, e.g. 2.0. */
  detectable: number;
  tolerance: number;
}

/**
 * The figures judged at the tolerance from the first night (the median latency and the
 * throughput); tails move more between fresh starts and have their own rule in the verdict.
 */
const MEDIAN_FIGURES: readonly MetricId[] = ['p50', 'throughput'];

/**
 * The median figures whose limit the baseline's noise sets in a check with these options: gated,
 * with no noise floor of the user's, and the history in use.
 */
export function noiseJudged(options: {
  gatedMetrics?: readonly MetricId[] | null;
  noiseFloors?: Partial<Record<MetricId, number>>;
  useHistory?: boolean;
}): MetricId[] {
  if (options.useHistory === false) return [];
  return MEDIAN_FIGURES.filter(
    (id) =>
      (options.gatedMetrics ?? DEFAULT_GATED_METRICS).includes(id) &&
      options.noiseFloors?.[id] === undefined,
  );
}

/**
 * The first median figure whose nightly noise, stored in the baseline, hides a change of the
 * tolerance: a run compared with this baseline would call a real change of that size noise
 * (the fast reference pipeline's p50 moved ±23% over 5 nights; its smallest detectable change,
 * 3 sigma of one night against the median of five, was then +100% against a 1.5x tolerance).
 */
export function blindSpot(
  baseline: Baseline,
  tolerance: number,
  judged: readonly MetricId[] = MEDIAN_FIGURES,
): Blind | null {
  const noise = noiseOf(baseline);
  for (const id of MEDIAN_FIGURES) {
    if (!judged.includes(id)) continue;
    const history = noise[id];
    if (!history) continue;
    const detectable = historyDetectableRatio(history);
    if (detectable > tolerance) {
      return {
        label: METRICS[id].label,
        spread: percentOfSigma(history.sigma),
        nights: history.samples,
        detectable,
        tolerance,
      };
    }
  }
  return null;
}

export interface ReferenceChoice {
  reference: 'baseline' | 'base';
  /** For the report: "compare-to auto: the committed baseline was measured on another machine …". */
  why: string;
}

export class ReferenceChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceChoiceError';
  }
}

function baselineProblem(baseline: ReferenceFacts['baseline']): string | null {
  if (!baseline) return 'there is no committed baseline';
  const problems: string[] = [];
  if (baseline.environment.length > 0) {
    problems.push(`on another machine: ${describeDifferences(baseline.environment)}`);
  }
  if (baseline.config.length > 0) {
    problems.push(`with another load: ${describeDifferences(baseline.config)}`);
  }
  if (baseline.busier && problems.length === 0) {
    // Only the tail would be judged less; the base measured here shares this runner's load.
    return `the committed baseline was measured on a quieter runner (${describeBusier(baseline.busier)})`;
  }
  if (baseline.blind && problems.length === 0) {
    const { label, spread, nights, detectable, tolerance } = baseline.blind;
    return `the committed baseline's ${label} varies by ${spread} over its ${nights} nights: against it, a run can tell only changes of ${formatPercent((detectable - 1) * 100)} and more, not the ${tolerance}x tolerance`;
  }
  return problems.length > 0
    ? `the committed baseline was measured ${problems.join(', and ')}`
    : null;
}

/**
 * How the committed baseline differs from this run: the machine (from this runner's fingerprint)
 * and the load (from the config this run will record: scenario, events, rate, concurrency, mix
 * …). Either makes its figures no reference for this run's.
 */
export async function baselineDifferences(
  baseline: Baseline | null,
  current: {
    /** This runner's fingerprint, taken only when there is a baseline (its speed probe takes time). */
    environment: () => Promise<EnvironmentFingerprint>;
    config: RunConfigSnapshot;
  },
  matching: EnvironmentMatching & {
    /** The check's tolerance: given, a baseline too noisy to see it is a difference too. */
    tolerance?: number;
    /** The gated metrics whose limit the noise sets (no noise floor of the user's); all: absent. */
    judged?: readonly MetricId[];
  } = {},
): Promise<ReferenceFacts['baseline']> {
  if (!baseline) return null;
  const environment = await current.environment();
  return {
    environment: environmentDifferences(baseline.aggregate.environment, environment, matching),
    config: configDifferences(baseline.aggregate.config, current.config),
    busier: runnerBusier(baseline.aggregate.environment, environment),
    blind:
      matching.tolerance === undefined
        ? null
        : blindSpot(baseline, matching.tolerance, matching.judged),
  };
}

export function chooseReference(facts: ReferenceFacts): ReferenceChoice {
  const setting = `${facts.settingName} ${facts.compareTo}`;
  switch (facts.compareTo) {
    case 'baseline':
      return { reference: 'baseline', why: `${setting}: the committed baseline, as asked` };
    case 'base':
      if (!facts.base.available) {
        throw new ReferenceChoiceError(
          `${facts.settingName} "base" cannot measure the base here: ${facts.base.why}. Valid values: ${COMPARE_TO.join(', ')}.`,
        );
      }
      return { reference: 'base', why: `${setting}: the base commit, as asked` };
    case 'auto': {
      const problem = baselineProblem(facts.baseline);
      if (problem === null) {
        return {
          reference: 'baseline',
          why: `${setting}: the committed baseline was measured on a machine like this one, with the same load`,
        };
      }
      if (facts.base.available) {
        return { reference: 'base', why: `${setting}: ${problem}, so the base is measured here` };
      }
      return {
        reference: 'baseline',
        why: `${setting}: ${problem}, and the base cannot be measured here (${facts.base.why})`,
      };
    }
  }
}
