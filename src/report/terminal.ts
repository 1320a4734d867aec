import pc from 'picocolors';
import type { MetricStatus, Outcome, Verdict } from '../compare/verdict.js';
import {
  comparedSides,
  endpointDeltaTitle,
  endpointLatencyColumns,
  endpointRows,
  headlineColumns,
  isIdleRow,
  metricRows,
  OUTCOME_TITLE,
  settingsLine,
  spreadText,
  STATUS_TEXT,
  trialRows,
  verdictStatement,
  type ReportContext,
} from './model.js';

type Colors = ReturnType<typeof pc.createColors>;

/** Endpoints listed on the terminal; the rest are in the result file. */
const TERMINAL_ENDPOINT_ROWS = 10;

function pad(text: string, width: number, align: 'l' | 'r'): string {
  const length = [...text].length;
  const fill = ' '.repeat(Math.max(0, width - length));
  return align === 'r' ? fill + text : text + fill;
}

/** Lays out rows in aligned columns; `paint` colours a cell after padding, so widths hold. */
function columns(
  header: readonly string[],
  align: readonly ('l' | 'r')[],
  rows: readonly (readonly string[])[],
  colors: Colors,
  paint: (row: number, column: number, text: string) => string = (_row, _column, text) => text,
): string[] {
  const widths = header.map((title, column) =>
    Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)),
  );
  const line = (cells: readonly string[], row: number | null) =>
    `  ${cells
      .map((text, column) => {
        const last = column === cells.length - 1 && (align[column] ?? 'l') === 'l';
        const padded = last ? text : pad(text, widths[column] ?? 0, align[column] ?? 'l');
        return row === null ? colors.dim(padded) : paint(row, column, padded);
      })
      .join('  ')}`.trimEnd();
  return [line(header, null), ...rows.map((row, index) => line(row, index))];
}

function outcomeBadge(outcome: Outcome, colors: Colors): string {
  const text = ` ${OUTCOME_TITLE[outcome]} `;
  switch (outcome) {
    case 'pass':
      return colors.bold(colors.bgGreen(colors.black(text)));
    case 'regression':
      return colors.bold(colors.bgRed(colors.white(text)));
    case 'inconclusive':
      return colors.bold(colors.bgYellow(colors.black(text)));
  }
}

function paintStatus(status: MetricStatus, text: string, colors: Colors): string {
  switch (status) {
    case 'pass':
      return colors.green(text);
    case 'regression':
      return colors.red(colors.bold(text));
    case 'improvement':
      return colors.cyan(text);
    case 'noise':
    case 'unconfirmed':
      return colors.yellow(text);
    case 'info':
      return colors.dim(text);
  }
}

const STATUS_SYMBOL: Record<MetricStatus, string> = {
  pass: '✔',
  regression: '✖',
  improvement: '▲',
  noise: '~',
  unconfirmed: '?',
  info: '·',
};

export interface TerminalOptions {
  /** Default: whether the terminal supports colour (picocolors' detection, NO_COLOR, ...). */
  color?: boolean;
}

const STATUS_WORDS: Record<MetricStatus, string> = {
  ...STATUS_TEXT,
  regression: 'over limit',
  info: 'not judged',
};

/** "Load test steady · this commit feedfac vs the baseline steady of 2025-01-14 (...) · 3 runs" */
function comparedLine(context: ReportContext): string {
  const sides = comparedSides(context);
  const against = sides.baseline
    ? `vs the baseline ${sides.baseline.name} of ${sides.baseline.date} (${sides.baseline.commit ? `commit ${sides.baseline.commit}, ` : ''}${sides.baseline.runner})`
    : 'vs no baseline yet';
  return `${sides.commit ? `this commit ${sides.commit}` : 'this run'} ${against} · ${sides.runs}`;
}

/**
 * The same report as renderMarkdown, for a terminal: coloured, aligned, no markdown. The details
 * come first and the verdict last, so it is what a short terminal shows after the run.
 */
export function renderTerminal(
  verdict: Verdict,
  context: ReportContext,
  options: TerminalOptions = {},
): string {
  const colors = pc.createColors(options.color ?? pc.isColorSupported);
  const lines: string[] = [];
  lines.push(`${colors.bold(`Load test ${context.name}`)} · ${comparedLine(context)}`);

  const { current } = context;
  if (current.trialCount > 1) {
    const trialTitles = headlineColumns(undefined, true).map((column) => column.title);
    lines.push('');
    lines.push(
      colors.bold(`Each run (${current.trialCount}; spread ${spreadText(current, verdict)})`),
    );
    lines.push(
      ...columns(
        ['Run', ...trialTitles, 'Valid', 'Run id'],
        ['r', ...trialTitles.map(() => 'r' as const), 'l', 'l'],
        trialRows(current).map((row) => [row.trial, ...row.figures, row.valid, row.runId]),
        colors,
      ),
    );
  }

  const endpoints = endpointRows(context);
  if (endpoints.length > 0) {
    const shown = endpoints.slice(0, TERMINAL_ENDPOINT_ROWS);
    const latencyTitles = endpointLatencyColumns().map((column) => column.title);
    lines.push('');
    lines.push(
      colors.bold(
        `Endpoints (${endpoints.length > shown.length ? `${shown.length} slowest of ${endpoints.length}` : endpoints.length}${current.trialCount > 1 ? `, totals of ${current.trialCount} runs` : ''})`,
      ),
    );
    lines.push(
      ...columns(
        ['Endpoint', 'Delivered', 'Problems', ...latencyTitles, endpointDeltaTitle],
        ['l', 'r', 'l', ...latencyTitles.map(() => 'r' as const), 'r'],
        shown.map((row) => [
          row.name,
          row.delivered === row.expected ? row.delivered : `${row.delivered} of ${row.expected}`,
          row.problems,
          ...row.latencies,
          row.delta,
        ]),
        colors,
        (_row, column, text) => (column === 2 && text.trim() !== '—' ? colors.red(text) : text),
      ),
    );
  }

  if (context.baseline && context.baseline.history.length > 0) {
    const nights = context.baseline.history.length + 1;
    lines.push('');
    lines.push(
      colors.dim(
        `Baseline history: ${nights} nights since ${context.baseline.history[0]?.date.slice(0, 10)} (the markdown report charts it).`,
      ),
    );
  }

  const rows = metricRows(verdict, current.trialCount);
  const other = rows.filter((row) => !row.gated && !isIdleRow(row));
  if (other.length > 0) {
    lines.push('');
    lines.push(colors.bold('Other figures (not part of the verdict)'));
    lines.push(
      ...columns(
        ['Metric', 'Baseline', 'This run', 'Change', 'Note'],
        ['l', 'r', 'r', 'r', 'l'],
        other.map((row) => [row.label, row.baseline, row.current, row.delta, row.trend ?? '']),
        colors,
      ).map((line) => colors.dim(line)),
    );
  }

  for (const difference of verdict.configDifferences) {
    lines.push(
      colors.yellow(
        `  load ${difference.field}: baseline ${difference.baseline}, this run ${difference.current}`,
      ),
    );
  }
  for (const difference of verdict.environmentDifferences) {
    lines.push(
      colors.yellow(
        `  runner ${difference.field}: baseline ${difference.baseline}, this run ${difference.current}`,
      ),
    );
  }

  // The verdict, last: why (each limit and how it was set), its table, and the outcome line.
  const gated = rows.filter((row) => row.gated);
  lines.push('');
  for (const reason of verdict.reasons) lines.push(`  ${colors.bold('•')} ${reason}`);
  for (const note of verdict.notes) lines.push(`  ${colors.dim('·')} ${colors.dim(note)}`);
  if (verdict.reasons.length + verdict.notes.length > 0) lines.push('');
  lines.push(
    ...columns(
      ['Metric', 'Baseline', 'This run', 'Change', 'Limit', 'Status'],
      ['l', 'r', 'r', 'r', 'l', 'l'],
      gated.map((row) => [
        row.label,
        row.baseline,
        row.current,
        row.delta,
        row.limit,
        `${STATUS_SYMBOL[row.status]} ${STATUS_WORDS[row.status]}`,
      ]),
      colors,
      (row, column, text) => {
        const status = (gated[row] as (typeof gated)[number]).status;
        if (column === 5) return paintStatus(status, text, colors);
        if (column === 3 && status === 'regression') return colors.red(text);
        return text;
      },
    ),
  );
  lines.push(colors.dim(`  limits: ${settingsLine(verdict, context)}`));
  lines.push('');
  lines.push(
    `${outcomeBadge(verdict.outcome, colors)} ${colors.bold(verdictStatement(verdict, context))}`,
  );
  return `${lines.join('\n')}\n`;
}
