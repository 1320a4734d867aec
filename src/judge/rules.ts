import { METRICS } from '../compare/metrics.js';
import { formatTolerance } from '../compare/tolerance.js';
import { CONFIDENCE_LABEL } from './estimate.js';
import { isTail } from './figures.js';
import type { CorrectnessGate, JudgedMetric } from './gates.js';

/**
 * The verdict as one ordered list of rules: the first that applies decides. The list is the table
 * of contents of the verdict, the same for a paired check and a committed baseline (only the
 * estimator of the reference differs, estimate.ts); the README lists it (rules.test.ts checks).
 */

export type Outcome = 'pass' | 'regression' | 'inconclusive' | 'another-round';

export interface Progress {
  /** Rounds (paired) or head starts (baseline) measured so far. */
  roundsSoFar: number;
  minRounds: number;
  maxRounds: number;
}

/** What the rules read: the judged figures and what was not counted. */
export interface Evidence {
  tolerance: number;
  progress: Progress;
  /**
   * Invalid trials handed in, e.g. "round 2, head: achieved 80 of 100 events/s": their rounds (or
   * starts) are put aside, counted neither way, and measured again while rounds are left.
   */
  invalid: readonly string[];
  /** What makes the reference itself invalid (a baseline's night, another load): no round mends it. */
  invalidReference: readonly string[];
  correctness: Readonly<Record<CorrectnessGate, JudgedMetric>>;
  /** The ratio figures (gated or shown). */
  figures: readonly JudgedMetric[];
  /** Why there is nothing to compare with (no base, no baseline), or null when there is. */
  noReference: string | null;
  /** A young baseline: its limit is set by its nights, not by max-rounds (judge.ts validProgress). */
  youngBaseline: boolean;
}

export interface Decision {
  /** One line: the outcome and why. */
  summary: string;
  /** What decided it, most important first. */
  reasons: string[];
}

export interface Rule {
  name: string;
  outcome: Outcome;
  /** When the rule applies, in one line, as the README lists it. */
  when: string;
  /** The decision when the rule applies, else null. */
  apply(evidence: Evidence): Decision | null;
}

const gatedWith = (evidence: Evidence, status: JudgedMetric['status']): JudgedMetric[] =>
  evidence.figures.filter((figure) => figure.gated && figure.status === status);

const listed = (figures: readonly JudgedMetric[]): string =>
  figures.map((figure) => `${figure.label} ${figure.change}`).join('; ');

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
const rounds = (count: number): string => plural(count, 'round');
const measurements = (count: number): string => plural(count, 'measurement');

function gate(name: string, id: CorrectnessGate, when: string): Rule {
  return {
    name,
    outcome: 'regression',
    when,
    apply: (evidence) => {
      const figure = evidence.correctness[id];
      if (figure.status !== 'regression') return null;
      return {
        summary: `Regression: ${figure.label}: ${figure.reason}.`,
        reasons: [figure.reason],
      };
    },
  };
}

export const RULES: readonly Rule[] = [
  gate('lost-deliveries', 'lost', 'a valid trial of the head lost a delivery'),
  gate(
    'unexpected-deliveries',
    'unexpected',
    'a valid trial of the head delivered a webhook nobody expected',
  ),
  gate(
    'bad-signatures',
    'badSignatures',
    'a valid trial of the head sent a wrongly signed webhook',
  ),
  gate(
    'duplicates',
    'duplicates',
    "duplicates per trial rose beyond the catalogue's allowance (when gated)",
  ),
  gate(
    'success-rate',
    'successRate',
    "the head's worst trial delivered a smaller share than the reference's",
  ),
  {
    name: 'no-reference',
    outcome: 'inconclusive',
    when: 'nothing to compare with (no base measured here, no baseline): only correctness was judged',
    apply: (evidence) =>
      evidence.noReference === null
        ? null
        : {
            summary: `Inconclusive: no reference, so only correctness was judged (it held). ${evidence.noReference}`,
            reasons: [],
          },
  },
  {
    name: 'invalid-data',
    outcome: 'inconclusive',
    when:
      'the reference is invalid, or invalid rounds (publisher behind, CPU steal, latency out of range) ' +
      'left fewer valid ones than the minimum and no rounds to measure again: counted neither way',
    apply: ({ invalid, invalidReference, progress }) => {
      if (invalidReference.length > 0) {
        return {
          summary: 'Inconclusive: the reference is invalid, counted neither way.',
          reasons: [...invalidReference, ...invalid],
        };
      }
      const short = progress.roundsSoFar < progress.minRounds;
      if (invalid.length === 0 || !short || progress.roundsSoFar < progress.maxRounds) return null;
      return {
        summary:
          `Inconclusive: ${measurements(invalid.length)} invalid, counted neither way, and ` +
          `${rounds(progress.roundsSoFar)} valid of the ${progress.minRounds} needed; ` +
          'measure again on a quieter runner.',
        reasons: [...invalid],
      };
    },
  },
  {
    name: 'too-few-rounds',
    outcome: 'another-round',
    when: 'fewer valid rounds than the minimum: the spread between starts is not known yet (an invalid round is measured again)',
    apply: ({ progress, invalid }) =>
      progress.roundsSoFar < progress.minRounds && progress.roundsSoFar < progress.maxRounds
        ? {
            summary:
              `Another round: ${rounds(progress.roundsSoFar)} valid of at least ${progress.minRounds}` +
              (invalid.length > 0 ? `; ${measurements(invalid.length)} invalid, put aside.` : '.'),
            reasons: [...invalid],
          }
        : null,
  },
  {
    name: 'figure-beyond-tolerance',
    outcome: 'regression',
    when: `a gated figure's change exceeds the tolerance and its ${CONFIDENCE_LABEL} interval excludes no change`,
    apply: (evidence) => {
      const regressed = gatedWith(evidence, 'regression');
      return regressed.length === 0
        ? null
        : {
            summary: `Regression: ${listed(regressed)}.`,
            reasons: regressed.map(
              (figure) => `${figure.label} ${figure.change}: ${figure.reason}`,
            ),
          };
    },
  },
  {
    name: 'all-within-tolerance',
    outcome: 'pass',
    when: `every gated figure's ${CONFIDENCE_LABEL} interval lies within the tolerance`,
    apply: (evidence) => {
      const gated = evidence.figures.filter((figure) => figure.gated);
      return gated.some((figure) => figure.status !== 'pass')
        ? null
        : {
            summary: `Pass: every gated figure within the ${formatTolerance(evidence.tolerance)} tolerance.`,
            reasons: gated.map((figure) => `${figure.label} ${figure.change}: ${figure.reason}`),
          };
    },
  },
  {
    name: 'undecided-with-rounds-left',
    outcome: 'another-round',
    when: 'a gated figure is undecided and rounds are left: measure another',
    apply: (evidence) => {
      const { progress } = evidence;
      if (progress.roundsSoFar >= progress.maxRounds) return null;
      const undecided = gatedWith(evidence, 'undecided');
      return {
        summary:
          `Another round: ${undecided.map((figure) => figure.label).join(', ')} ` +
          `undecided after ${rounds(progress.roundsSoFar)}.`,
        reasons: undecided.map((figure) => `${figure.label} ${figure.change}: ${figure.reason}`),
      };
    },
  },
  {
    name: 'undecided-at-limit',
    outcome: 'inconclusive',
    when: 'a gated figure is still undecided at the round limit: say what would settle it',
    apply: (evidence) => {
      const undecided = gatedWith(evidence, 'undecided');
      return {
        summary:
          `Inconclusive after ${rounds(evidence.progress.roundsSoFar)}: ${listed(undecided)} ` +
          `neither within the ${formatTolerance(evidence.tolerance)} tolerance nor beyond it.`,
        reasons: [
          ...undecided.map((figure) => `${figure.label} ${figure.change}: ${figure.reason}`),
          settles(evidence),
        ],
      };
    },
  },
];

/** What would settle figures still undecided at the limit. */
function settles(evidence: Evidence): string {
  const undecided = gatedWith(evidence, 'undecided');
  const tails = undecided.filter((figure) => isTail(METRICS[figure.id]));
  // A young baseline, or one start of an external SUT, has no rounds to add: nights narrow it.
  const more =
    evidence.progress.maxRounds > 1 && !evidence.youngBaseline
      ? `More rounds narrow each interval (raise max-rounds above ${evidence.progress.maxRounds})`
      : "More nights in the baseline narrow each interval, as does the base measured here (compare-to 'base')";
  return (
    `${more}, and so does a quieter runner; a change that sits at the tolerance needs a wider one` +
    (tails.length > 0
      ? `; ${tails.map((figure) => figure.label).join(', ')} ${tails.length === 1 ? 'rests' : 'rest'} on the slowest few events: ` +
        'a longer scenario gives them more, or leave them out of the gated metrics.'
      : '.')
  );
}

export type RuleName = (typeof RULES)[number]['name'];

/** The first rule that applies. The last always does, so there is always a decision. */
export function decide(evidence: Evidence): { rule: Rule; decision: Decision } {
  for (const rule of RULES) {
    const decision = rule.apply(evidence);
    if (decision) return { rule, decision };
  }
  throw new Error('no verdict rule applied; the last rule must always apply');
}

/** The rules as the README's table: number, name, outcome, when it applies. */
export function rulesTable(): string {
  return [
    '| # | rule | outcome | when |',
    '| - | ---- | ------- | ---- |',
    ...RULES.map(
      (rule, index) => `| ${index + 1} | \`${rule.name}\` | ${rule.outcome} | ${rule.when} |`,
    ),
  ].join('\n');
}
