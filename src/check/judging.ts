import type { Baseline } from '../compare/baseline.js';
import type { RunResult } from '../engine/measure/result.js';
import type { TrialAggregate } from '../compare/trials.js';
import { configDifferences, describeDifferences } from '../compare/comparability.js';
import type { RunConfigSnapshot } from '../engine/measure/result.js';
import { trialOfRun, type Trial } from '../judge/figures.js';
import { baselineReferenceOf, judge, type Judgement } from '../judge/judge.js';
import type { JudgeSettings } from '../settings/resolve.js';

export type { JudgeSettings };

/**
 * The pipeline's side of the judge (src/judge): the measured results in, the judgement out, and
 * whether one more round is needed. The judge itself is pure and knows nothing of rounds being
 * measured; here "another round" becomes a reason the pipeline logs before measuring it.
 */

export type Verdict = 'pass' | 'regression' | 'inconclusive';

export interface CheckJudgement extends Omit<Judgement, 'outcome'> {
  outcome: Verdict;
  /** Why one more round is needed (logged), or null when the verdict is final. */
  anotherRound: string | null;
}

function final(judgement: Judgement): CheckJudgement {
  if (judgement.outcome === 'another-round') {
    return { ...judgement, outcome: 'inconclusive', anotherRound: judgement.summary };
  }
  return { ...judgement, outcome: judgement.outcome, anotherRound: null };
}

const judgeOptions = (settings: JudgeSettings) => ({
  tolerance: settings.tolerance,
  ...(settings.gatedMetrics ? { gatedMetrics: settings.gatedMetrics } : {}),
});

/** Paired rounds, after each one: another round while the judge cannot yet tell. */
export function judgePaired(
  rounds: readonly { base: readonly RunResult[]; head: readonly RunResult[] }[],
  settings: JudgeSettings,
): CheckJudgement {
  return final(
    judge(
      {
        kind: 'paired',
        rounds: rounds.map((round) => ({
          base: round.base.map(trialOfRun),
          head: round.head.map(trialOfRun),
        })),
      },
      judgeOptions(settings),
      { roundsSoFar: rounds.length, minRounds: settings.minRounds, maxRounds: settings.maxRounds },
    ),
  );
}

/**
 * The head's starts (each its trials) against the committed baseline's nights, or, without a
 * reference, the correctness gates alone. Against nights the model is a paired check's: at least
 * `rounds` starts of the head, another while a gated figure is undecided, up to `max-rounds` (one
 * start cannot tell a stalled start from a change). Against a young baseline the verdict is final
 * after `rounds` starts (3 or 4 nights) or one (fewer), and with no reference after one start (the
 * judge's limit for that basis, judge.ts validProgress).
 */
export function judgeSingle(
  starts: readonly (readonly RunResult[])[],
  baseline: Baseline | null,
  settings: JudgeSettings,
): CheckJudgement {
  const config = starts[0]?.[0]?.config ?? null;
  const head = starts.map((results) => results.map(trialOfRun));
  return judgeStarts(head, baseline, settings, config, {
    roundsSoFar: starts.length,
    minRounds: settings.minRounds,
    maxRounds: settings.maxRounds,
  });
}

/** A result file's trials (a trial set), as one start. */
export function judgeAggregate(
  aggregate: TrialAggregate,
  baseline: Baseline | null,
  settings: JudgeSettings,
): CheckJudgement {
  const once = { roundsSoFar: 1, minRounds: 1, maxRounds: 1 };
  return judgeStarts([aggregate.trials], baseline, settings, aggregate.config, once);
}

function judgeStarts(
  head: readonly (readonly Trial[])[],
  baseline: Baseline | null,
  settings: JudgeSettings,
  config: RunConfigSnapshot | null,
  progress: { roundsSoFar: number; minRounds: number; maxRounds: number },
): CheckJudgement {
  const input = baseline
    ? { kind: 'baseline' as const, baseline: comparableReference(baseline, config), head }
    : {
        kind: 'none' as const,
        head,
        why: 'Neither the base measured here nor a committed baseline.',
      };
  return final(judge(input, judgeOptions(settings), progress));
}

/**
 * The baseline as the judge reads it. Nights measured with another load (scenario, events, rate,
 * mix, faults ...) say nothing about this run's figures: the comparison is invalid data, which the
 * judge counts neither way and names (rule invalid-data), never a verdict on the code.
 */
function comparableReference(baseline: Baseline, config: RunConfigSnapshot | null) {
  const reference = baselineReferenceOf(baseline);
  const differences = config ? configDifferences(baseline.aggregate.config, config) : [];
  if (differences.length === 0) return reference;
  return {
    ...reference,
    validity: {
      valid: false,
      reasons: [
        `measured with another load than this run (${describeDifferences(differences)}); ` +
          "run the baseline's load, or refresh the baseline with this one",
      ],
    },
  };
}
