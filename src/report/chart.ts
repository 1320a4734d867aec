import type { Verdict } from '../compare/verdict.js';
import {
  HEADLINE_METRICS,
  LATENCY_METRICS,
  type MetricDefinition,
  type MetricId,
} from '../compare/metrics.js';
import type { HistoryRow } from './model.js';

/**
 * Mermaid `xychart-beta` charts. xychart has no legend, so the title says which series is
 * which; the table next to a chart carries the same figures for readers without mermaid.
 */

/** Charted percentiles: every latency of the catalogue but max (one sample flattens the scale). */
const charted = (): MetricDefinition[] =>
  LATENCY_METRICS.filter((metric) => (metric.latency?.percentile ?? 100) < 100);

/** "p50", "p99.9": a percentile as the x axis names it. */
const axisLabel = (metric: MetricDefinition): string => `p${metric.latency?.percentile}`;

function chartNumber(value: number): string {
  const rounded =
    Math.abs(value) >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100;
  return String(rounded);
}

/** A round axis maximum a little above the largest value: 1, 2, 2.5 or 5 times a power of 10. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const target = value * 1.1;
  const power = 10 ** Math.floor(Math.log10(target));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= target) ?? 10;
  return Number((step * power).toPrecision(6));
}

const series = (values: readonly number[]): string => `[${values.map(chartNumber).join(', ')}]`;

function block(lines: readonly string[]): string {
  return ['```mermaid', 'xychart-beta', ...lines.map((line) => `  ${line}`), '```'].join('\n');
}

/** End-to-end latency percentiles: baseline as bars, current as a line. */
export function latencyChart(verdict: Verdict): string {
  const value = (id: MetricId, which: 'baseline' | 'current'): number | null =>
    verdict.metrics.find((metric) => metric.id === id)?.[which] ?? null;
  const percentiles = charted();
  const current = percentiles.map(({ id }) => value(id, 'current') ?? 0);
  const baselineValues = percentiles.map(({ id }) => value(id, 'baseline'));
  const hasBaseline = baselineValues.every((item) => item !== null);
  const baseline = baselineValues.map((item) => item ?? 0);
  const top = niceCeiling(Math.max(...current, ...(hasBaseline ? baseline : [])));
  return block([
    hasBaseline
      ? 'title "End-to-end latency (ms): bars = baseline, line = this run"'
      : 'title "End-to-end latency (ms), this run"',
    `x-axis [${percentiles.map((metric) => `"${axisLabel(metric)}"`).join(', ')}]`,
    `y-axis "ms" 0 --> ${chartNumber(top)}`,
    ...(hasBaseline
      ? [`bar ${series(baseline)}`, `line ${series(current)}`]
      : [`bar ${series(current)}`]),
  ]);
}

/** The gated latency percentiles over the baseline's history, oldest first. */
export function historyChart(rows: readonly HistoryRow[]): string | null {
  if (rows.length < 3) return null;
  const seen = new Map<string, number>();
  const labels = rows.map((row) => {
    const label = row.date.slice(5);
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} #${count}`;
  });
  // The headline latencies, lowest first; the highest sets the scale.
  const lines = HEADLINE_METRICS.filter((metric) => metric.latency !== undefined);
  const top = niceCeiling(
    Math.max(...rows.flatMap((row) => lines.map((metric) => row.metrics[metric.id]))),
  );
  return block([
    `title "Baseline latency by night (ms): lines from bottom ${lines.map(axisLabel).join(', ')}"`,
    `x-axis [${labels.map((label) => `"${label}"`).join(', ')}]`,
    `y-axis "ms" 0 --> ${chartNumber(top)}`,
    ...lines.map((metric) => `line ${series(rows.map((row) => row.metrics[metric.id]))}`),
  ]);
}
