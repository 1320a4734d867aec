import type { Baseline } from '../compare/baseline.js';
import { analyseDrift, describeShift, type DriftAnalysis } from '../compare/drift.js';
import { formatPercent, formatValue } from '../compare/format.js';
import { LATENCY_METRICS, METRICS, type MetricId, type MetricUnit } from '../compare/metrics.js';
import { SIDE_NAMES, type PairedRun } from '../compare/rounds.js';
import type { TrialAggregate } from '../compare/trials.js';
import { TOOL_NAME, TOOL_VERSION } from '../engine/version.js';
import { CHANGE_HEADING } from '../judge/estimate.js';
import type { FigureStatus } from '../judge/gates.js';
import {
  comparedText,
  OUTCOME_TITLE,
  shownMetrics,
  STATUS_TEXT,
  type CheckReport,
  type Verdict,
} from './check.js';
import { describeEnvironment } from './drift.js';
import { describeStall, roundTimelines, timelineView, type TimelineView } from './timeline.js';
import {
  CHART_CSS,
  escapeXml as esc,
  svgChart,
  type Band,
  type Marker,
  type Series,
} from './svg.js';

/**
 * report.html: the report as one self-contained page (inline CSS, charts as inline SVG built
 * here; no script, nothing fetched), written next to report.md and uploaded as an artifact. The
 * verdict and one line first, the metric table with each gated metric's limit, then the pictures
 * the comment has and more: the percentile spectrum, the per-second timelines, the nightly trend
 * with its detected shifts; the details folded below.
 */

/** A timeline to draw: a trial's (timeline.ts), and the legend entry it shares with others. */
export interface ChartedTimeline {
  view: TimelineView;
  /** Lines of one group share a colour and a legend entry (all rounds of the head); own label otherwise. */
  group?: string;
}

export interface HtmlOptions {
  /** The timelines to draw; by default every trial's of the run that has one. */
  timelines?: readonly ChartedTimeline[];
  /** The baseline whose nightly history is charted; the compared baseline by default. */
  history?: Baseline | null;
  /** That history already analysed (null: none); analysed here when absent. */
  drift?: DriftAnalysis | null;
  /** The metrics whose trend is charted; the default gated ones otherwise. */
  gatedMetrics?: readonly MetricId[] | null;
  /** Lines under the heading: baseline mode, a recent shift of the baseline. */
  notes?: readonly string[];
}

const OUTCOME_CLASS: Record<Verdict, string> = {
  pass: 'pass',
  regression: 'fail',
  inconclusive: 'warn',
};

const STATUS_CLASS: Record<FigureStatus, string> = {
  pass: 'pass',
  regression: 'fail',
  undecided: 'warn',
  info: 'info',
};

const badge = (status: FigureStatus, text: string): string =>
  `<span class="badge ${STATUS_CLASS[status]}">${esc(text)}</span>`;

/* ------------------------------------------------------------------ charts */

/** Percentiles in the spectrum: every latency of the catalogue but max (one sample). */
const SPECTRUM = LATENCY_METRICS.filter((metric) => (metric.latency?.percentile ?? 100) < 100);

export interface SpectrumPoint {
  id: MetricId;
  reference: number | null;
  current: number;
}

/** Latency percentiles, reference vs current, as grouped bars; x from p50 to p99.9. */
export function spectrumChart(
  points: readonly SpectrumPoint[],
  names: { reference: string; current: string },
  id = 'chart-spectrum',
): string {
  const hasReference = points.every((point) => point.reference !== null);
  const series: Series[] = [
    ...(hasReference
      ? [
          {
            name: names.reference,
            kind: 'bar' as const,
            colour: 0,
            values: points.map((point) => point.reference),
          },
        ]
      : []),
    {
      name: names.current,
      kind: 'bar' as const,
      colour: 1,
      values: points.map((point) => point.current),
    },
  ];
  return svgChart({
    id,
    title: hasReference
      ? `End-to-end latency by percentile: ${names.reference} vs ${names.current}`
      : `End-to-end latency by percentile: ${names.current}`,
    description: points
      .map(
        (point) =>
          `p${METRICS[point.id].latency?.percentile}: ${point.reference === null ? '' : `${names.reference} ${formatValue('ms', point.reference)} ms, `}${names.current} ${formatValue('ms', point.current)} ms`,
      )
      .join('; '),
    x: {
      kind: 'category',
      labels: points.map((point) => `p${METRICS[point.id].latency?.percentile}`),
      title: 'percentile (share of deliveries at or under the latency)',
    },
    yTitle: 'latency (ms)',
    unit: 'ms',
    series,
  });
}

/** Every trial's timeline, "trial 1" .. "trial n"; empty for results written before timelines. */
export function trialTimelines(aggregate: TrialAggregate): ChartedTimeline[] {
  const count = aggregate.trials.length;
  return aggregate.trials.flatMap((trial, index) =>
    trial.timeline
      ? [{ view: timelineView(trial.timeline, count > 1 ? `trial ${index + 1}` : 'the trial') }]
      : [],
  );
}

/** Each side's timelines per round of a paired run (one per trial), one colour per side. */
export function pairedTimelines(run: PairedRun): ChartedTimeline[] {
  return run.rounds.flatMap((round) =>
    SIDE_NAMES.flatMap((side) =>
      roundTimelines(round, side).map((view) => ({ view, group: side })),
    ),
  );
}

/** Blue, orange, green, purple, pink: neighbours far apart (0, grey, is the baseline's). */
const TIMELINE_COLOURS = [1, 2, 4, 3, 5];

/**
 * The per-second charts of the timelines, one line each, stalls (timeline.ts) shaded: p99,
 * deliveries, and the backlog of webhooks owed, which shows a stall building and draining.
 */
export function timelineCharts(timelines: readonly ChartedTimeline[]): {
  p99: string;
  throughput: string;
  backlog: string;
  stalls: string[];
} {
  const views = timelines.map((timeline) => timeline.view);
  const bucket = Math.max(1, ...views.map((view) => view.bucketSec));
  const end = Math.max(
    bucket,
    ...views.map((view) => (view.seconds[view.seconds.length - 1] ?? 0) + view.bucketSec),
  );
  // One x position per point of the widest timeline, so the lines of several trials line up.
  const starts = Array.from({ length: Math.ceil(end / bucket) }, (_, index) => index * bucket);
  const groups = [...new Set(timelines.map((item) => item.group ?? item.view.label))];
  const seriesOf = (pick: (view: TimelineView, index: number) => number | null): Series[] =>
    timelines.map(({ view, group }) => {
      const at = new Map(view.seconds.map((second, index) => [second, index]));
      return {
        name: view.label,
        kind: 'line' as const,
        colour: TIMELINE_COLOURS[groups.indexOf(group ?? view.label) % 5] as number,
        ...(group ? { legendGroup: group } : {}),
        values: starts.map((second) => {
          const index = at.get(second);
          return index === undefined ? null : pick(view, index);
        }),
      };
    });
  const per = bucket === 1 ? 'per second' : `per ${bucket} s`;
  const x = {
    kind: 'linear' as const,
    // A point's figures sit in its middle: second 12 covers 12 s to 13 s.
    values: starts.map((second) => second + bucket / 2),
    domain: [0, end] as const,
    title: 'time since the first event was sent (s)',
  };
  const bands: Band[] = [];
  const lines: string[] = [];
  for (const view of views) {
    for (const stall of view.stalls) {
      const detail = `${view.label}: ${describeStall(stall)}`;
      bands.push({
        from: stall.startSec,
        to: stall.startSec + stall.durationSec,
        label: 'stall',
        detail,
      });
      lines.push(`${detail.charAt(0).toUpperCase()}${detail.slice(1)}.`);
    }
  }
  const who = views.map((view) => view.label).join(', ');
  const said = lines.length > 0 ? ` ${lines.join(' ')}` : ' No stall.';
  return {
    p99: svgChart({
      id: 'chart-timeline-p99',
      title: `Latency p99 ${per}`,
      description: `End-to-end latency p99 of the webhooks that arrived in each second, for ${who}; a gap where none arrived.${said}`,
      x,
      yTitle: 'latency p99 (ms)',
      unit: 'ms',
      series: seriesOf((view, index) => view.p99Ms[index] ?? null),
      bands,
    }),
    throughput: svgChart({
      id: 'chart-timeline-throughput',
      title: `Throughput ${per}`,
      description: `Webhooks delivered in each second, for ${who}.${said}`,
      x,
      yTitle: 'throughput (deliveries/s)',
      unit: 'deliveries/s',
      series: seriesOf((view, index) => view.deliveredPerSec[index] ?? null),
      bands,
    }),
    backlog: svgChart({
      id: 'chart-timeline-backlog',
      title: `Backlog ${per}: webhooks owed`,
      description: `Webhooks owed for the events sent so far minus those delivered, at the end of each second, for ${who}.${said}`,
      x,
      yTitle: 'webhooks owed (count)',
      unit: 'owed',
      series: seriesOf((view, index) => view.backlog[index] ?? null),
      bands,
    }),
    stalls: lines,
  };
}

const UNIT_TITLE: Record<MetricUnit, string> = {
  ms: 'latency (ms)',
  'deliveries/s': 'throughput (deliveries/s)',
  'events/s': 'rate (events/s)',
  ratio: 'ratio',
  count: 'count',
};

/** Night labels "01-14", made unique when two nights share a date. */
function nightLabels(dates: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return dates.map((date) => {
    const label = date.slice(5, 10);
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} #${count}`;
  });
}

/**
 * The current runner's nightly figures, oldest → newest, one chart per unit (latencies together,
 * throughput on its own), each detected shift a dashed line before its first night at the new level.
 */
export function historyCharts(analysis: DriftAnalysis): string[] {
  const history = analysis.environments.find((item) => item.current);
  if (!history || history.nights.length < 2) return [];
  const labels = nightLabels(history.nights.map((night) => night.date));
  const units = [...new Set(history.trends.map((trend) => METRICS[trend.metric].unit))];
  // Counts at zero every night (duplicates) have no trend to show.
  const charted = units.filter((unit) =>
    history.trends.some(
      (trend) => METRICS[trend.metric].unit === unit && trend.values.some((value) => value !== 0),
    ),
  );
  return charted.map((unit) => {
    const trends = history.trends.filter((trend) => METRICS[trend.metric].unit === unit);
    // Shifts of several metrics on the same night share one line.
    const byNight = new Map<number, { short: string[]; detail: string[] }>();
    for (const trend of trends) {
      for (const shift of trend.shifts) {
        const marker = byNight.get(shift.index) ?? { short: [], detail: [] };
        marker.short.push(`${trend.metric} ${formatPercent(shift.changePercent)}`);
        marker.detail.push(describeShift(shift));
        byNight.set(shift.index, marker);
      }
    }
    const markers: Marker[] = [...byNight.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, marker]) => ({
        at,
        label: 'detected shift',
        short: marker.short.join(', '),
        detail: marker.detail.join('; '),
      }));
    const names = trends.map((trend) => METRICS[trend.metric].label);
    return svgChart({
      id: `chart-history-${unit.replace(/\W+/g, '-')}`,
      title: `Baseline by night: ${names.join(', ')}`,
      description: `${history.nights.length} nightly baseline runs on ${describeEnvironment(history.environment)}, oldest first; ${markers.length === 0 ? 'no shift detected' : `${markers.length} shift(s) detected: ${markers.map((marker) => marker.detail).join('; ')}`}.`,
      x: {
        kind: 'category',
        labels,
        title: `night (date of the baseline run), oldest → newest`,
      },
      yTitle: UNIT_TITLE[unit],
      unit,
      series: trends.map((trend, index) => ({
        name: METRICS[trend.metric].label,
        kind: 'line' as const,
        colour: index + 2,
        values: trend.values,
      })),
      markers,
    });
  });
}

/* ------------------------------------------------------------------ page */

const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --grid: #d8dee4;
  --border: #d1d9e0; --subtle: #f6f8fa; --band: rgba(207, 34, 46, 0.16); --marker: #9a6700;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --better: #0969da; --info: #59636e;
  --s0: #6e7781; --s1: #0969da; --s2: #bc4c00; --s3: #8250df; --s4: #1a7f37; --s5: #bf3989; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --grid: #30363d; --border: #3d444d;
    --subtle: #151b23; --band: rgba(248, 81, 73, 0.22); --marker: #d29922;
    --pass: #3fb950; --fail: #f85149; --warn: #d29922; --better: #4493f8; --info: #9198a1;
    --s0: #9198a1; --s1: #4493f8; --s2: #f0883e; --s3: #ab7df8; --s4: #3fb950; --s5: #f778ba; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 26px; margin: 0 0 6px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--subtle);
  padding: 1px 5px; border-radius: 4px; }
.summary { font-size: 17px; font-weight: 600; margin: 4px 0 8px; }
.compared, .settings, footer { color: var(--muted); font-size: 13px; }
.note { border-left: 4px solid var(--warn); padding: 4px 12px; margin: 8px 0; background: var(--subtle); }
.verdict { font-size: 15px; padding: 3px 10px; border-radius: 6px; color: #fff; }
.verdict.pass { background: var(--pass); } .verdict.fail { background: var(--fail); }
.verdict.warn { background: var(--warn); }
.badge { font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; white-space: nowrap;
  border: 1px solid currentColor; }
.badge.pass { color: var(--pass); } .badge.fail { color: var(--fail); } .badge.warn { color: var(--warn); }
.badge.better { color: var(--better); } .badge.info { color: var(--info); border-color: transparent; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--border); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--subtle); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.gated td:first-child { font-weight: 600; }
tr.differs td:first-child::after { content: " (differs)"; color: var(--warn); font-weight: 600; }
figure { margin: 12px 0 20px; }
figcaption { color: var(--muted); font-size: 13px; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
${CHART_CSS}`;

function page(title: string, body: readonly string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${TOOL_NAME} ${TOOL_VERSION}">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`;
}

function htmlTable(
  header: readonly string[],
  numeric: readonly boolean[],
  rows: readonly { cells: readonly string[]; className?: string }[],
): string {
  const head = header.map((title) => `<th>${esc(title)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr${row.className ? ` class="${row.className}"` : ''}>${row.cells
          .map((text, index) => `<td${numeric[index] ? ' class="num"' : ''}>${text}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

const figure = (svg: string, caption?: string): string =>
  `<figure>${svg}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}</figure>`;

function timelineSection(timelines: readonly ChartedTimeline[]): string[] {
  if (timelines.length === 0) return [];
  const charts = timelineCharts(timelines);
  return [
    '<h2>Second by second</h2>',
    ...charts.stalls.map((line) => `<p class="note stall">${esc(line)}</p>`),
    figure(charts.p99),
    figure(charts.throughput),
    figure(charts.backlog),
  ];
}

function historySection(
  baseline: Baseline | null | undefined,
  options: HtmlOptions,
  gated: readonly MetricId[] | null | undefined,
): string[] {
  if (!baseline || baseline.history.length === 0) return [];
  const analysis =
    options.drift === undefined
      ? analyseDrift(baseline, gated ? { metrics: gated } : {})
      : options.drift;
  if (!analysis) return [];
  const charts = historyCharts(analysis);
  if (charts.length === 0) return [];
  const current = analysis.environments.find((item) => item.current);
  const notes = [
    ...(current?.tooShort ? [`No change points looked for yet: ${current.tooShort}.`] : []),
    ...(analysis.invalidNights > 0 ? [`${analysis.invalidNights} invalid night(s) left out.`] : []),
  ];
  return [
    `<h2>Nightly trend of the baseline <code>${esc(analysis.name)}</code></h2>`,
    ...notes.map((note) => `<p class="settings">${esc(note)}</p>`),
    ...charts.map((chart) => figure(chart)),
  ];
}

function footer(commit: string | null | undefined, detailsUrl: string | null | undefined): string {
  const parts = [esc(`${TOOL_NAME} ${TOOL_VERSION}`)];
  if (commit) parts.push(`commit ${esc(commit.slice(0, 7))}`);
  if (detailsUrl) parts.push(`<a href="${esc(detailsUrl)}">full results</a>`);
  return `<footer>${parts.join(' · ')}</footer>`;
}

function heading(name: string, outcome: Verdict, summary: string): string[] {
  return [
    `<header>`,
    `<h1><span class="verdict ${OUTCOME_CLASS[outcome]}">${OUTCOME_TITLE[outcome]}</span> Load test <code>${esc(name)}</code></h1>`,
    `<p class="summary">${esc(summary)}</p>`,
    `</header>`,
  ];
}

const list = (items: readonly string[], className: string): string[] =>
  items.length === 0
    ? []
    : [`<ul class="${className}">${items.map((item) => `<li>${esc(item)}</li>`).join('')}</ul>`];

/** report.html: the check's report as a page, with the percentile spectrum and the timelines. */
export function renderCheckHtml(report: CheckReport, options: HtmlOptions = {}): string {
  const { judgement } = report;
  const shown = shownMetrics(judgement);
  const none = report.reference === 'none';
  const metricsTable = htmlTable(
    ['Metric', 'Reference', 'Head', CHANGE_HEADING, 'Status'],
    [false, true, true, false, false],
    shown.map((metric) => ({
      cells: [
        esc(metric.label),
        none ? '—' : esc(formatValue(metric.unit, metric.reference)),
        esc(formatValue(metric.unit, metric.head)),
        esc(metric.change),
        badge(
          metric.gated ? metric.status : 'info',
          STATUS_TEXT[metric.gated ? metric.status : 'info'].replace(/^\S+ /, ''),
        ),
      ],
      ...(metric.gated ? { className: 'gated' } : {}),
    })),
  );
  const byId = new Map(judgement.metrics.map((metric) => [metric.id, metric]));
  const spectrum = spectrumChart(
    SPECTRUM.filter((metric) => byId.has(metric.id)).map((metric) => ({
      id: metric.id,
      reference: byId.get(metric.id)!.reference,
      current: byId.get(metric.id)!.head,
    })),
    { reference: report.paired ? 'base' : 'reference', current: 'head' },
  );
  const timelines =
    options.timelines ??
    (report.paired ? pairedTimelines(report.paired.run) : trialTimelines(report.head));
  const body = [
    ...heading(report.name, judgement.outcome, judgement.summary),
    ...report.notes.map((note) => `<p class="note">${esc(note.replace(/`/g, ''))}</p>`),
    `<p class="compared">${esc(comparedText(report))}; ${esc(report.why)}</p>`,
    `<p class="settings">${esc(judgement.explanation.join(' '))}</p>`,
    ...list(judgement.reasons, 'reasons'),
    '<h2>Metrics</h2>',
    metricsTable,
    ...(none
      ? []
      : ['<h2>Latency percentiles</h2>', figure(spectrum, 'Pooled over the starts of each side.')]),
    ...timelineSection(timelines),
    ...historySection(options.history, options, options.gatedMetrics),
    footer(report.commit, report.detailsUrl),
  ];
  return page(`Load test ${report.name}: ${OUTCOME_TITLE[judgement.outcome]}`, body);
}

/** Where report.html goes beside a markdown report: report.md → report.html. */
export function htmlPathFor(markdownPath: string): string {
  return /\.(md|markdown)$/i.test(markdownPath)
    ? markdownPath.replace(/\.(md|markdown)$/i, '.html')
    : `${markdownPath}.html`;
}
