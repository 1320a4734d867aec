import { HEADLINE_METRICS, type MetricDefinition } from '../compare/metrics.js';
import type { HistoryRow } from './model.js';

/**
 * Mermaid `xychart-beta` charts. xychart draws no legend, so each chart sets its own series
 * colours (frontmatter config) and the report puts a one-line legend right under it, naming
 * each series by its shape and colour; the table next to a chart carries the same figures for
 * readers without mermaid.
 */

export interface Chart {
  /** The fenced mermaid block. */
  block: string;
  /** One line under the chart: which series is which. Plain text (emoji squares as colours). */
  legend: string;
}

/** Series colours and the emoji square that stands for each in a legend. */
const BLUE = { hex: '#0969da', square: '🟦' };
const RED = { hex: '#d1242f', square: '🟥' };
const AMBER = { hex: '#bf8700', square: '🟨' };
const ORANGE = { hex: '#e16f24', square: '🟧' };

/** "p50", "p99.9": a percentile as the x axis names it. */
const axisLabel = (metric: MetricDefinition): string => `p${metric.latency?.percentile}`;

function chartNumber(value: number): string {
  const rounded =
    Math.abs(value) >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100;
  return String(rounded);
}

/**
 * A round axis maximum just above the largest value (5% headroom): its mantissa rounded up to a
 * tenth below 2, a half below 5, else a whole: 96.8 → 110, 137 → 150, 21 → 25, 63 → 70.
 */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const target = value * 1.05;
  const power = 10 ** Math.floor(Math.log10(target));
  const mantissa = target / power;
  const step = mantissa < 2 ? 0.1 : mantissa < 5 ? 0.5 : 1;
  const rounded = Math.ceil(Number((mantissa / step).toFixed(9))) * step;
  return Number((rounded * power).toPrecision(6));
}

const series = (values: readonly number[]): string => `[${values.map(chartNumber).join(', ')}]`;
const quoted = (labels: readonly string[]): string =>
  `[${labels.map((label) => `"${label.replace(/"/g, "'")}"`).join(', ')}]`;

/** Chart sizes (px) that suit a comment column (~750–900 px) beside the tables. */
interface Size {
  width: number;
  height: number;
  horizontal?: boolean;
}
const WIDE: Size = { width: 700, height: 320 };

function block(
  colors: readonly { hex: string }[],
  lines: readonly string[],
  size: Size = WIDE,
): string {
  return [
    '```mermaid',
    '---',
    'config:',
    '  xyChart:',
    `    width: ${size.width}`,
    `    height: ${size.height}`,
    ...(size.horizontal ? ['    chartOrientation: horizontal'] : []),
    '  themeVariables:',
    '    xyChart:',
    `      plotColorPalette: "${colors.map((color) => color.hex).join(', ')}"`,
    '---',
    'xychart-beta',
    ...lines.map((line) => `  ${line}`),
    '```',
  ].join('\n');
}

/** The headline latencies over the baseline's valid nights, oldest first (as the table). */
export function historyChart(rows: readonly HistoryRow[]): Chart | null {
  const plotted = rows.filter((row) => row.valid);
  if (plotted.length < 3) return null;
  const seen = new Map<string, number>();
  const labels = plotted.map((row) => {
    const label = row.date.slice(5);
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} #${count}`;
  });
  // The headline latencies, lowest first, in the table's column order; the highest sets the scale.
  const lines = HEADLINE_METRICS.filter((metric) => metric.latency !== undefined);
  const colors = [BLUE, ORANGE, RED, AMBER].slice(0, lines.length);
  const top = niceCeiling(
    Math.max(...plotted.flatMap((row) => lines.map((metric) => row.metrics[metric.id]))),
  );
  const skipped = rows.length - plotted.length;
  return {
    block: block(colors, [
      'title "Baseline latency by night (oldest to newest)"',
      `x-axis ${quoted(labels)}`,
      `y-axis "ms" 0 --> ${chartNumber(top)}`,
      ...lines.map((metric) => `line ${series(plotted.map((row) => row.metrics[metric.id]))}`),
    ]),
    legend: [
      `lines, bottom to top: ${lines.map((metric, index) => `${colors[index]?.square} ${axisLabel(metric)}`).join(' · ')}`,
      ...(skipped > 0
        ? [`${skipped} invalid night${skipped === 1 ? '' : 's'} left out of the chart`]
        : []),
    ].join(' · '),
  };
}
