import { LEVEL_SHIFT_SCORE } from '../compare/changepoint.js';
import {
  commitRange,
  describeScore,
  describeShift,
  type DriftAnalysis,
  type EnvironmentHistory,
  type MetricTrend,
  type Shift,
} from '../compare/drift.js';
import { formatPercent, formatWithUnit } from '../compare/format.js';
import { METRICS } from '../compare/metrics.js';
import type { EnvironmentFingerprint } from '../engine/measure/result.js';
import { cell } from './markdown.js';
import { codeText, escapeMarkdown } from './escape.js';

/** The drift analysis as text (CLI), markdown (job summary, drift issue) and a sparkline. */

const BARS = '▁▂▃▄▅▆▇█';
/** Wider than this, a sparkline shows the median of consecutive nights per character. */
export const SPARKLINE_WIDTH = 60;

/** "▁▁▂▁▇▇█": one character per night (or per group of nights past SPARKLINE_WIDTH). */
export function sparkline(values: readonly number[], width = SPARKLINE_WIDTH): string {
  if (values.length === 0) return '';
  const buckets = Math.min(width, values.length);
  const points = Array.from({ length: buckets }, (_, b) => {
    const slice = values
      .slice(
        Math.floor((b * values.length) / buckets),
        Math.floor(((b + 1) * values.length) / buckets),
      )
      .sort((x, y) => x - y);
    return slice[Math.floor(slice.length / 2)] as number;
  });
  const low = Math.min(...points);
  const high = Math.max(...points);
  return points
    .map((value) =>
      high === low ? BARS[0] : BARS[Math.round(((value - low) / (high - low)) * (BARS.length - 1))],
    )
    .join('');
}

export function describeEnvironment(environment: EnvironmentFingerprint | null): string {
  if (!environment) return 'runner not recorded (nights written before it was)';
  return `${environment.cpuModel}, ${environment.cpuCores} cores, ${environment.memoryGiB} GiB, ${environment.os.split(/\s+/)[0] ?? environment.os} ${environment.arch}`;
}

const span = (history: EnvironmentHistory): string => {
  const first = history.nights[0]?.date.slice(0, 10) ?? '—';
  const last = history.nights[history.nights.length - 1]?.date.slice(0, 10) ?? '—';
  return `${history.nights.length} night(s), ${first} .. ${last}`;
};

const latest = (trend: MetricTrend): string =>
  formatWithUnit(METRICS[trend.metric], trend.values[trend.values.length - 1] as number);

function environmentHeading(history: EnvironmentHistory): string {
  return `${history.current ? 'Current runner' : 'Earlier runner'}: ${describeEnvironment(history.environment)}; load ${history.configKey}; ${span(history)}`;
}

/** Plain text for the terminal: per environment, a trend line per metric and its shifts. */
export function renderDriftText(analysis: DriftAnalysis): string {
  const lines = [
    `History of baseline "${analysis.name}"${invalidNote(analysis)}${boundNote(analysis)}`,
  ];
  for (const history of analysis.environments) {
    lines.push('', environmentHeading(history));
    if (history.tooShort) lines.push(`  no change points looked for: ${history.tooShort}`);
    const width = Math.max(...history.trends.map((trend) => METRICS[trend.metric].label.length));
    for (const trend of history.trends) {
      const label = METRICS[trend.metric].label.padEnd(width);
      const verdict = history.tooShort
        ? ''
        : trend.shifts.length === 0
          ? '  no shift'
          : `  ${trend.shifts.length} shift(s)`;
      lines.push(`  ${label}  ${sparkline(trend.values)}  now ${latest(trend)}${verdict}`);
      for (const shift of trend.shifts)
        lines.push(`    - night ${shift.index + 1}: ${describeShift(shift)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** " (the newest 1001 of 60000 nights analysed)": said whenever older nights were left out. */
function boundNote(analysis: DriftAnalysis): string {
  return analysis.analysedNights < analysis.totalNights
    ? ` (the newest ${analysis.analysedNights} of ${analysis.totalNights} nights analysed)`
    : '';
}

function invalidNote(analysis: DriftAnalysis): string {
  return analysis.invalidNights > 0 ? ` (${analysis.invalidNights} invalid night(s) left out)` : '';
}

function shiftRow(shift: Shift): string {
  const metric = METRICS[shift.metric];
  return `| ${cell(metric.label)} | ${formatPercent(shift.changePercent)} ${shift.worse ? '🔺 worse' : '🟢 better'} | ${cell(`${formatWithUnit(metric, shift.beforeMedian)} → ${formatWithUnit(metric, shift.afterMedian)}`)} | ${describeScore(shift.score)} | \`${cell(commitRange(shift))}\` | ${shift.nightsSince} |`;
}

/** Markdown table of shifts: metric, change, levels, evidence, commit range, nights since. */
export function shiftTable(shifts: readonly Shift[]): string {
  return [
    '| metric | change | level before → after (medians) | evidence | between (last before .. first after) | nights since |',
    '| --- | --- | --- | --- | --- | --- |',
    ...shifts.map(shiftRow),
  ].join('\n');
}

/** Markdown of the current environment's trend: one sparkline row per metric, then its shifts. */
export function renderDriftMarkdown(analysis: DriftAnalysis): string {
  const current = analysis.environments.find((history) => history.current);
  if (!current) return '';
  const lines = [
    `### Nightly trend of ${codeText(analysis.name)}`,
    '',
    `${escapeMarkdown(environmentHeading(current))}${invalidNote(analysis)}.`,
    '',
  ];
  if (current.tooShort) lines.push(`No change points looked for yet: ${current.tooShort}.`, '');
  lines.push('| metric | trend (oldest → newest) | now | shifts |', '| --- | --- | --- | --- |');
  for (const trend of current.trends) {
    lines.push(
      `| ${cell(METRICS[trend.metric].label)} | \`${sparkline(trend.values)}\` | ${cell(latest(trend))} | ${current.tooShort ? '—' : trend.shifts.length} |`,
    );
  }
  const shifts = current.trends.flatMap((trend) => trend.shifts);
  if (shifts.length > 0) lines.push('', shiftTable(shifts));
  return `${lines.join('\n')}\n`;
}

/** The drift issue of a baseline: its title names the largest recent shift. */
export function renderDriftIssue(
  analysis: DriftAnalysis,
  shifts: readonly Shift[],
  runUrl: string | null,
): { title: string; markdown: string } {
  const largest = [...shifts].sort(
    (a, b) => Math.abs(b.changePercent ?? Infinity) - Math.abs(a.changePercent ?? Infinity),
  )[0];
  const title = largest
    ? `Performance drift in baseline ${analysis.name}: ${METRICS[largest.metric].label} ${formatPercent(largest.changePercent)}${shifts.length > 1 ? ` and ${shifts.length - 1} more` : ''}`
    : `Performance drift in baseline ${analysis.name}`;
  const markdown = [
    `## Performance drift in baseline ${codeText(analysis.name)}`,
    '',
    `The nightly figures shifted recently: ${shifts.length} shift(s) found in the baseline's history: levels whose medians differ by at least ${LEVEL_SHIFT_SCORE} standard errors apart (nightly noise from consecutive nights). The change landed between the two commits of each row; pull requests opened since are compared with the new level.`,
    '',
    shiftTable(shifts),
    '',
    renderDriftMarkdown(analysis).trimEnd(),
    '',
    `Reproduce with \`npx ethhook-load-test history baselines/${analysis.name}.json\`. This issue is updated by the nightly run while the shift is recent${runUrl ? ` (last: ${runUrl})` : ''}; close it once dealt with.`,
  ];
  return { title, markdown: `${markdown.join('\n')}\n` };
}

/** One line for a pull request's report: the baseline it is compared with moved recently. */
export function baselineShiftNote(shifts: readonly Shift[]): string | null {
  if (shifts.length === 0) return null;
  const named = shifts.map(
    (shift) =>
      `${METRICS[shift.metric].label} ${formatPercent(shift.changePercent)} (${shift.worse ? 'worse' : 'better'}) ${shift.nightsSince} nights ago, between \`${commitRange(shift)}\``,
  );
  return `> **Baseline drift:** the baseline itself shifted recently: ${named.join('; ')}. A change this pull request did not make may show in the comparison.`;
}
