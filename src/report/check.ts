import type { Baseline } from '../compare/baseline.js';
import { formatValue } from '../compare/format.js';
import { formatPhaseTimes, formatSeconds, SIDE_NAMES, type PairedRun } from '../compare/rounds.js';
import type { TrialAggregate } from '../compare/trials.js';
import { CHANGE_HEADING } from '../judge/estimate.js';
import type { FigureStatus, JudgedMetric } from '../judge/gates.js';
import type { Judgement } from '../judge/judge.js';
import { terminalText, TERMINAL_NAME_CHARS } from './escape.js';
import { runnerText } from './model.js';

/**
 * The report of a check, one design for every reference: the verdict and the two sentences of how
 * it was reached first, then reference vs head per figure with the 90% interval of the change,
 * which reference was used and why, and the details folded below (rounds, cost, timelines).
 */

export type Verdict = 'pass' | 'regression' | 'inconclusive';

/** A final judgement (src/judge), as the reports show it. */
export type ShownJudgement = Omit<Judgement, 'outcome'> & { outcome: Verdict };

export interface CheckReport {
  /** The baseline name; also the sticky comment's marker, so the comment is the same one. */
  name: string;
  judgement: ShownJudgement;
  reference: 'base' | 'baseline' | 'none';
  /** Why this reference: "compare-to auto: the base commit, measured on this runner". */
  why: string;
  /** "head 5d6e7f8", "the head in /work/app". */
  describeHead: string;
  head: TrialAggregate;
  /** A paired check's rounds; null when the head was measured alone. */
  paired: { run: PairedRun; base: TrialAggregate; describeBase: string } | null;
  baseline: Baseline | null;
  /** Lines under the heading: a short warm-up, baseline mode, a recent shift of the baseline. */
  notes: string[];
  commit?: string | null;
  detailsUrl?: string | null;
}

export const OUTCOME_TITLE: Record<Verdict, string> = {
  pass: 'PASS',
  regression: 'REGRESSION',
  inconclusive: 'INCONCLUSIVE',
};

export const STATUS_TEXT: Record<FigureStatus, string> = {
  pass: '✅ pass',
  regression: '❌ regression',
  undecided: '⚠️ undecided',
  info: '➖ info',
};

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** What is compared with what, in one line of plain text. */
export function comparedText(report: CheckReport): string {
  if (report.paired) {
    const rounds = plural(report.paired.run.rounds.length, 'alternating round');
    return `${report.describeHead} vs ${report.paired.describeBase}, both measured on this runner in ${rounds}`;
  }
  const runs = plural(report.head.trialCount, 'trial');
  if (report.reference === 'baseline' && report.baseline) {
    const { baseline } = report;
    const nights = report.judgement.nights ?? baseline.history.length + 1;
    return (
      `${report.describeHead} (${runs} on a ${runnerText(report.head.environment)}) vs the committed baseline ` +
      `${baseline.name} (${plural(nights, 'night')}, newest ${baseline.date.slice(0, 10)} on a ${runnerText(baseline.aggregate.environment)})`
    );
  }
  return `${report.describeHead} (${runs}), with no reference`;
}

/** Gated figures first, then the others that have a ratio. */
export function shownMetrics(judgement: ShownJudgement): JudgedMetric[] {
  return [
    ...judgement.metrics.filter((metric) => metric.gated),
    ...judgement.metrics.filter((metric) => !metric.gated && metric.ratio !== null),
  ];
}

/** The same report for a terminal: plain lines, the verdict last (what a short terminal shows). */
export function renderCheckTerminal(
  report: CheckReport,
  paint: { bold(text: string): string; status(outcome: Verdict, text: string): string },
): string {
  const { judgement } = report;
  const rows = shownMetrics(judgement).map((metric) => [
    `${metric.gated ? '*' : ' '} ${metric.label}`,
    report.reference === 'none' ? '—' : formatValue(metric.unit, metric.reference),
    formatValue(metric.unit, metric.head),
    metric.change,
    metric.gated ? metric.status : 'info',
  ]);
  const header = ['Metric', 'Reference', 'Head', CHANGE_HEADING, 'Status'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const pad = (row: readonly string[]) =>
    row
      .map((text, column) =>
        column === 1 || column === 2
          ? text.padStart(widths[column] as number)
          : text.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  // Names, reasons and notes carry text from files: a baseline in a pull request is its author's.
  const safe = (text: string) => terminalText(text);
  const named = (name: string) => terminalText(name, TERMINAL_NAME_CHARS);
  const compared = comparedText(
    report.baseline
      ? { ...report, baseline: { ...report.baseline, name: named(report.baseline.name) } }
      : report,
  );
  const lines = [
    paint.bold(`Load test ${named(report.name)} · ${safe(compared)}`),
    `Why this reference: ${safe(report.why)}`,
  ];
  if (report.paired) {
    const { run } = report.paired;
    for (const side of SIDE_NAMES)
      lines.push(`prepare ${side}: ${formatSeconds(run.prepareMs[side])}`);
    for (const round of run.rounds) {
      for (const side of round.order) {
        lines.push(`round ${round.round} ${side}: ${formatPhaseTimes(round[side].phases)}`);
      }
    }
  }
  lines.push(...report.notes.map((note) => `note: ${safe(note)}`));
  lines.push('', pad(header), ...rows.map(pad), '');
  lines.push(...judgement.reasons.map((reason) => `  • ${safe(reason)}`));
  lines.push(safe(judgement.explanation.join(' ')));
  lines.push(
    paint.status(
      judgement.outcome,
      `${OUTCOME_TITLE[judgement.outcome]}  ${safe(judgement.summary)}`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
