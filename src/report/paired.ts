import { describeDifferences } from '../compare/comparability.js';
import { formatValue } from '../compare/format.js';
import type { PairedMetric, PairedOutcome, PairedVerdict } from '../compare/paired-verdict.js';
import type { PairedStatus } from '../compare/paired.js';
import type { Verdict } from '../compare/verdict.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import { formatPhaseTimes, formatSeconds, SIDE_NAMES, type PairedRun } from '../paired/rounds.js';
import { cell, commentMarker, details, inline, table } from './markdown.js';
import { lastRoundTimelineDetails } from './timeline.js';
import { codeText } from './escape.js';

/**
 * The report of a paired A/B run (base commit vs head on the same runner): the verdict first,
 * then base vs head per metric with the 95% interval of the change, which reference was used and
 * why, how the head compares with the committed baseline, and what each phase cost.
 */

export interface PairedReportContext {
  /** The baseline name; also the sticky comment's marker, so the comment is the same one. */
  name: string;
  verdict: PairedVerdict;
  run: PairedRun;
  /** "base commit 1a2b3c4 (first parent of the merge commit 5d6e7f8)". */
  base: string;
  /** "head 5d6e7f8 (this checkout)". */
  head: string;
  /** Why this reference: "compare-to auto: the committed baseline was measured on another machine". */
  choice: string;
  /** "comparable: ..." / "not comparable: environment differs (cpuModel)"; null without one. */
  committedBaseline: string | null;
  commit?: string | null;
  detailsUrl?: string | null;
}

/**
 * How the head's rounds compare with the committed baseline, as one line: the trend the nightly
 * job keeps, shown beside the paired verdict but not deciding it.
 */
export function committedBaselineLine(verdict: Verdict | null): string {
  if (!verdict) return 'none committed';
  if (verdict.environmentDifferences.length > 0) {
    return `not comparable: measured on another machine: ${describeDifferences(verdict.environmentDifferences)}`;
  }
  if (verdict.configDifferences.length > 0) {
    return `not comparable: another load: ${describeDifferences(verdict.configDifferences)}`;
  }
  return `comparable: ${verdict.summary}`;
}

const OUTCOME_TEXT: Record<PairedOutcome, string> = {
  pass: '✅ Load test {name}: PASS',
  regression: '❌ Load test {name}: REGRESSION',
  inconclusive: '⚠️ Load test {name}: INCONCLUSIVE',
};

const STATUS: Record<PairedStatus, string> = {
  pass: '✅ pass',
  regression: '❌ regression',
  improvement: '🟢 improved',
  noise: '⚠️ not confirmed',
  info: '➖ info',
};

function metricRows(verdict: PairedVerdict): PairedMetric[] {
  return [
    ...verdict.metrics.filter((metric) => metric.gated),
    ...verdict.metrics.filter((metric) => !metric.gated && metric.estimate !== null),
  ];
}

function roundsTable(run: PairedRun, verdict: PairedVerdict): string {
  const shown = verdict.metrics.filter((metric) => metric.gated && metric.estimate);
  return table(
    ['Round', 'Order', ...shown.map((metric) => `${metric.label} head/base`)],
    ['l', 'l', ...shown.map(() => 'r' as const)],
    run.rounds.map((round, index) => [
      `${round.round}${index >= run.rounds.length - run.confirmationRounds ? ' (confirmation)' : ''}`,
      round.order.join(' → '),
      ...shown.map((metric) => (metric.estimate!.roundRatios[index] ?? 0).toFixed(3)),
    ]),
  );
}

function costTable(run: PairedRun): string {
  const rows: string[][] = SIDE_NAMES.map((side) => [
    `prepare, ${side}`,
    formatSeconds(run.prepareMs[side]),
  ]);
  for (const round of run.rounds) {
    for (const side of round.order) {
      rows.push([`round ${round.round}, ${side}`, formatPhaseTimes(round[side].phases)]);
    }
  }
  return table(['Step', 'Time'], ['l', 'l'], rows);
}

export function renderPairedMarkdown(context: PairedReportContext): string {
  const { verdict, run } = context;
  const parts = [
    commentMarker(context.name),
    `## ${OUTCOME_TEXT[verdict.outcome].replace('{name}', () => codeText(context.name))}`,
    // What is compared with what, at the top.
    `**This pull request** (${inline(context.head)}) **vs its base** (${inline(context.base)}), both measured on this runner in ${run.rounds.length} alternating round${run.rounds.length === 1 ? '' : 's'}`,
    `**${cell(verdict.summary)}**`,
  ];
  if (verdict.reasons.length > 0) {
    parts.push(verdict.reasons.map((reason) => `- ${inline(reason)}`).join('\n'));
  }
  parts.push(
    table(
      ['Metric', 'Base', 'Head', 'Change [95% CI]', 'Status'],
      ['l', 'r', 'r', 'l', 'l'],
      metricRows(verdict).map((metric) => [
        `${metric.gated ? '**' : ''}${metric.label}${metric.gated ? '**' : ''}`,
        formatValue(metric.unit, metric.base),
        formatValue(metric.unit, metric.head),
        metric.change,
        metric.gated ? STATUS[metric.status] : STATUS.info,
      ]),
    ),
  );
  parts.push(
    [
      `- Why the base: ${inline(context.choice)}`,
      `- vs committed baseline: ${inline(context.committedBaseline ?? 'none')}`,
    ].join('\n'),
  );
  parts.push(details('Rounds: head/base per round', roundsTable(run, verdict)));
  const timelines = lastRoundTimelineDetails(run);
  if (timelines) parts.push(timelines);
  parts.push(details('Cost: time per phase and side', costTable(run)));
  const footer = [`${TOOL_NAME} ${TOOL_VERSION}`];
  if (context.commit) footer.push(`commit ${context.commit.slice(0, 7)}`);
  if (context.detailsUrl) footer.push(`[full results](${context.detailsUrl})`);
  parts.push(`<sub>${footer.join(' · ')}</sub>`);
  return `${parts.join('\n\n')}\n`;
}

/** The same report for a terminal: plain lines. */
export function renderPairedTerminal(context: PairedReportContext): string {
  const { verdict, run } = context;
  const lines = [
    `Load test ${context.name} · ${context.head} vs ${context.base}, both on this runner in ${run.rounds.length} alternating round${run.rounds.length === 1 ? '' : 's'}`,
    '',
  ];
  const rows = metricRows(verdict).map((metric) => [
    `${metric.gated ? '*' : ' '} ${metric.label}`,
    formatValue(metric.unit, metric.base),
    formatValue(metric.unit, metric.head),
    metric.change,
    metric.gated ? STATUS[metric.status].replace(/^\S+ /, '') : 'info',
  ]);
  const header = ['Metric', 'Base', 'Head', 'Change [95% CI]', 'Status'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const pad = (row: string[]) =>
    row
      .map((text, column) =>
        column === 1 || column === 2
          ? text.padStart(widths[column] as number)
          : text.padEnd(widths[column] as number),
      )
      .join('  ')
      .trimEnd();
  // Details first, the verdict last: what a short terminal shows after the run.
  lines.push(`Why the base: ${context.choice}`);
  lines.push(`vs committed baseline: ${context.committedBaseline ?? 'none'}`);
  for (const side of SIDE_NAMES)
    lines.push(`prepare ${side}: ${formatSeconds(run.prepareMs[side])}`);
  for (const round of run.rounds) {
    for (const side of round.order) {
      lines.push(`round ${round.round} ${side}: ${formatPhaseTimes(round[side].phases)}`);
    }
  }
  lines.push('', pad(header), ...rows.map(pad), '');
  lines.push(...verdict.reasons.map((reason) => `  • ${reason}`));
  lines.push(`${verdict.outcome.toUpperCase()}  ${verdict.summary}`);
  return `${lines.join('\n')}\n`;
}
