import type { Baseline } from '../compare/baseline.js';
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
import type { EnvironmentFingerprint, RunConfigSnapshot } from '../engine/measure/result.js';

/**
 * What a check compares the head with. `baseline`: the committed baseline file. `base`: the base
 * commit, measured on this runner in alternating rounds. `auto`: the baseline when it was
 * measured on a machine like this one with the same load (scenario, events, rate, concurrency,
 * mix …) and this runner is not busier than it was, else the base when it can be measured here,
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
  } | null;
  /**
   * Whether the base can be measured here: the run starts the SUT (compose or a command) and a
   * base exists (a pull request, base-ref, or the CLI's base flags); else why not.
   */
  base: { available: true } | { available: false; why: string };
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
  matching: EnvironmentMatching = {},
): Promise<ReferenceFacts['baseline']> {
  if (!baseline) return null;
  const environment = await current.environment();
  return {
    environment: environmentDifferences(baseline.aggregate.environment, environment, matching),
    config: configDifferences(baseline.aggregate.config, current.config),
    busier: runnerBusier(baseline.aggregate.environment, environment),
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
