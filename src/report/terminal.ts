import pc from 'picocolors';
import type { MetricStatus, Outcome, Verdict } from '../compare/verdict.js';
import {
  endpointDeltaTitle,
  endpointLatencyColumns,
  endpointRows,
  headlineColumns,
  metricRows,
  OUTCOME_TITLE,
  settingsLine,
  spreadText,
  STATUS_TEXT,
  trialRows,
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

/** The same report as renderMarkdown, for a terminal: coloured, aligned, no markdown. */
export function renderTerminal(
  verdict: Verdict,
  context: ReportContext,
  options: TerminalOptions = {},
): string {
  const colors = pc.createColors(options.color ?? pc.isColorSupported);
  const lines: string[] = [];
  lines.push(
    `${outcomeBadge(verdict.outcome, colors)} ${colors.bold(`Load test ${context.name}`)}`,
  );
  lines.push(verdict.summary);
  lines.push('');
  for (const reason of verdict.reasons) lines.push(`  ${colors.bold('•')} ${reason}`);
  for (const note of verdict.notes) lines.push(`  ${colors.dim('·')} ${colors.dim(note)}`);
  if (verdict.reasons.length + verdict.notes.length > 0) lines.push('');

  const rows = metricRows(verdict);
  const ordered = [...rows.filter((row) => row.gated), ...rows.filter((row) => !row.gated)];
  lines.push(
    ...columns(
      ['Metric', 'Baseline', 'This run', 'Δ', 'Status', 'Limit'],
      ['l', 'r', 'r', 'r', 'l', 'l'],
      ordered.map((row) => [
        `${row.gated ? '*' : ' '} ${row.label}`,
        row.baseline,
        row.current,
        row.delta,
        `${STATUS_SYMBOL[row.status]} ${STATUS_TEXT[row.status]}`,
        row.limit,
      ]),
      colors,
      (row, column, text) => {
        const status = (ordered[row] as (typeof ordered)[number]).status;
        if (column === 4) return paintStatus(status, text, colors);
        if (column === 3 && status === 'regression') return colors.red(text);
        return text;
      },
    ),
  );
  lines.push(colors.dim(`  * gated · ${settingsLine(verdict, context)}`));

  for (const difference of verdict.configDifferences) {
    lines.push(
      colors.yellow(
        `  config ${difference.field}: baseline ${difference.baseline}, this run ${difference.current}`,
      ),
    );
  }
  for (const difference of verdict.environmentDifferences) {
    lines.push(
      colors.yellow(
        `  environment ${difference.field}: baseline ${difference.baseline}, this run ${difference.current}`,
      ),
    );
  }

  const { current } = context;
  if (current.trialCount > 1) {
    const trialTitles = headlineColumns(undefined, true).map((column) => column.title);
    lines.push('');
    lines.push(
      colors.bold(`Trials (${current.trialCount}; spread ${spreadText(current, verdict)})`),
    );
    lines.push(
      ...columns(
        ['#', 'Run', ...trialTitles, 'Valid'],
        ['r', 'l', ...trialTitles.map(() => 'r' as const), 'l'],
        trialRows(current).map((row) => [row.trial, row.runId, ...row.figures, row.valid]),
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
        `Endpoints (${endpoints.length > shown.length ? `${shown.length} slowest of ${endpoints.length}` : endpoints.length})`,
      ),
    );
    lines.push(
      ...columns(
        ['Endpoint', 'Expected', 'Lost', 'Dup', 'Bad sig', ...latencyTitles, endpointDeltaTitle],
        ['l', 'r', 'r', 'r', 'r', ...latencyTitles.map(() => 'r' as const), 'r'],
        shown.map((row) => [
          row.name,
          row.expected,
          row.lost,
          row.duplicates,
          row.badSignatures,
          ...row.latencies,
          row.delta,
        ]),
        colors,
        (row, column, text) =>
          (column === 2 || column === 4) && text.trim() !== '0' ? colors.red(text) : text,
      ),
    );
  }

  if (context.baseline && context.baseline.history.length > 0) {
    const nights = context.baseline.history.length + 1;
    lines.push('');
    lines.push(
      colors.dim(
        `Baseline history: ${nights} nights since ${context.baseline.history[0]?.date.slice(0, 10)} (see the markdown report for the trend).`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
