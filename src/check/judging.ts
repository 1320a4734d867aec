import type { Baseline } from '../compare/baseline.js';
import type { RunResult } from '../engine/measure/result.js';
import type { TrialAggregate } from '../compare/trials.js';
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
  rounds: readonly { base: RunResult; head: RunResult }[],
  settings: JudgeSettings,
): CheckJudgement {
  return final(
    judge(
      {
        kind: 'paired',
        rounds: rounds.map((round) => ({
          base: [trialOfRun(round.base)],
          head: [trialOfRun(round.head)],
        })),
      },
      judgeOptions(settings),
      { roundsSoFar: rounds.length, minRounds: settings.minRounds, maxRounds: settings.maxRounds },
    ),
  );
}

/**
 * The head's trials of one start against the committed baseline's nights, or, without a
 * reference, the correctness gates alone. One start: more trials in it would not narrow the
 * start-to-start noise the nights carry, so the verdict is final at once.
 */
export function judgeSingle(
  results: readonly RunResult[],
  baseline: Baseline | null,
  settings: JudgeSettings,
): CheckJudgement {
  return judgeStart(results.map(trialOfRun), baseline, settings);
}

/** A result file's trials (a trial set), as one start. */
export function judgeAggregate(
  aggregate: TrialAggregate,
  baseline: Baseline | null,
  settings: JudgeSettings,
): CheckJudgement {
  return judgeStart(aggregate.trials, baseline, settings);
}

function judgeStart(
  trials: readonly Trial[],
  baseline: Baseline | null,
  settings: JudgeSettings,
): CheckJudgement {
  const head = [trials];
  const once = { roundsSoFar: 1, minRounds: 1, maxRounds: 1 };
  const input = baseline
    ? { kind: 'baseline' as const, baseline: baselineReferenceOf(baseline), head }
    : {
        kind: 'none' as const,
        head,
        why: 'Neither the base measured here nor a committed baseline.',
      };
  return final(judge(input, judgeOptions(settings), once));
}
