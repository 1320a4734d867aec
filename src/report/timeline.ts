import { formatMs, formatNumber } from '../compare/format.js';
import { median } from '../compare/stats.js';
import type { TrialAggregate } from '../compare/trials.js';
import type { EndpointFigures, Timeline } from '../engine/measure/result.js';
import type { PairedRound, PairedRun, SideName } from '../compare/rounds.js';
import { niceCeiling } from './chart.js';

/**
 * A trial's timeline (result.ts, `timeline`) as the reports show it: a plain view (the HTML
 * report draws from it), the stalls found in it, and its markdown (mermaid charts of p99 and
 * throughput per second, one line saying what happened).
 *
 * A stall is a run of points (seconds) in which the SUT delivered under STALL_RATE_FRACTION of its
 * typical rate (the median deliveries/s of the seconds spent publishing) while it owed webhooks
 * (backlog above 0 at the end of the point). Only points up to the last one with a delivery are
 * considered: after it the drain is only waiting for deliveries that never come (loss, counted
 * elsewhere). A stall's p99 peak is taken up to the point after it, where the held-back deliveries
 * arrive late.
 */

/** A point delivering under this fraction of the typical rate while webhooks are owed is stalled. */
export const STALL_RATE_FRACTION = 0.25;
/** Points per mermaid chart; longer timelines are merged for the chart only (worst p99 kept). */
export const CHART_MAX_POINTS = 60;

export interface TimelineStall {
  /** First second of the stall, after the first scheduled send. */
  startSec: number;
  durationSec: number;
  /** The lowest deliveries/s during the stall. */
  minDeliveredPerSec: number;
  /** The median deliveries/s of the seconds spent publishing, the stall is measured against. */
  typicalDeliveredPerSec: number;
  /** Worst p99 from the stall's start to the point after it, ms; null when nothing arrived. */
  peakP99Ms: number | null;
  /** Largest backlog at the end of a stalled point. */
  peakBacklog: number;
}

/**
 * One trial's timeline, ready to draw. Stable: the HTML report reads it. Every array has one
 * entry per point; point i starts at `seconds[i]` and lasts `bucketSec` seconds.
 */
export interface TimelineView {
  /** Which trial this is: "trial 2 of 3", "the trial", "head, round 3". */
  label: string;
  bucketSec: number;
  /** When publishing ended (the rest is the drain), seconds. */
  publishEndSec: number;
  seconds: number[];
  publishedPerSec: number[];
  deliveredPerSec: number[];
  p50Ms: (number | null)[];
  p99Ms: (number | null)[];
  maxMs: (number | null)[];
  backlog: number[];
  stalls: TimelineStall[];
  /** One line saying what the timeline shows: its stalls, or that it had none. */
  reading: string;
}

export function findStalls(timeline: Timeline): TimelineStall[] {
  const { bucketSec, deliveredPerSec, backlog, p99Ms } = timeline;
  let lastDelivery = -1;
  deliveredPerSec.forEach((rate, index) => {
    if (rate > 0) lastDelivery = index;
  });
  const publishing = deliveredPerSec.filter(
    (_, index) => (index + 1) * bucketSec <= Math.max(timeline.publishEndSec, bucketSec),
  );
  const typical = publishing.length > 0 ? median(publishing) : 0;
  if (!(typical > 0)) return [];
  const stalled = (index: number): boolean =>
    index <= lastDelivery &&
    deliveredPerSec[index]! < STALL_RATE_FRACTION * typical &&
    backlog[index]! > 0;
  const stalls: TimelineStall[] = [];
  for (let index = 0; index <= lastDelivery; index++) {
    if (!stalled(index)) continue;
    let end = index;
    while (end + 1 <= lastDelivery && stalled(end + 1)) end++;
    const p99s = p99Ms.slice(index, end + 2).filter((value): value is number => value !== null);
    stalls.push({
      startSec: index * bucketSec,
      durationSec: (end - index + 1) * bucketSec,
      minDeliveredPerSec: Math.min(...deliveredPerSec.slice(index, end + 1)),
      typicalDeliveredPerSec: typical,
      peakP99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
      peakBacklog: Math.max(...backlog.slice(index, end + 1)),
    });
    index = end;
  }
  return stalls;
}

/** "stall: 2 s from second 5 (p99 up to 2,100 ms, backlog 400)". */
export function describeStall(stall: TimelineStall): string {
  const figures = [
    ...(stall.peakP99Ms !== null ? [`p99 up to ${formatMs(stall.peakP99Ms)} ms`] : []),
    `backlog ${formatNumber(stall.peakBacklog, 0)}`,
  ];
  return `stall: ${formatNumber(stall.durationSec, 0)} s from second ${formatNumber(stall.startSec, 0)} (${figures.join(', ')})`;
}

function reading(timeline: Timeline, stalls: readonly TimelineStall[]): string {
  if (stalls.length > 0) {
    const shown = stalls.slice(0, 3).map(describeStall).join('; ');
    const more = stalls.length > 3 ? `; and ${stalls.length - 3} more` : '';
    return `${shown}${more}; a stall is under ${STALL_RATE_FRACTION * 100}% of the typical ${formatNumber(stalls[0]!.typicalDeliveredPerSec, 1)} deliveries/s while webhooks are owed.`;
  }
  const p99s = timeline.p99Ms.filter((value): value is number => value !== null);
  if (p99s.length === 0) return 'nothing was delivered.';
  const worst = Math.max(...p99s);
  const at = timeline.p99Ms.indexOf(worst) * timeline.bucketSec;
  return `no stall; p99 per second: median ${formatMs(median(p99s))} ms, worst ${formatMs(worst)} ms at second ${at}.`;
}

export function timelineView(timeline: Timeline, label: string): TimelineView {
  const stalls = findStalls(timeline);
  return {
    label,
    bucketSec: timeline.bucketSec,
    publishEndSec: timeline.publishEndSec,
    seconds: timeline.deliveredPerSec.map((_, index) => index * timeline.bucketSec),
    publishedPerSec: [...timeline.publishedPerSec],
    deliveredPerSec: [...timeline.deliveredPerSec],
    p50Ms: [...timeline.p50Ms],
    p99Ms: [...timeline.p99Ms],
    maxMs: [...timeline.maxMs],
    backlog: [...timeline.backlog],
    stalls,
    reading: reading(timeline, stalls),
  };
}

/**
 * The trial a report shows: the one with the longest stall, else the one whose p99 is the
 * median of the trials'. Null when no trial has a timeline (files from before timelines).
 */
export function shownTrialTimeline(aggregate: TrialAggregate): TimelineView | null {
  const withTimeline = aggregate.trials.flatMap((trial, index) =>
    trial.timeline ? [{ index, timeline: trial.timeline, p99: trial.latencyMs.p99 }] : [],
  );
  if (withTimeline.length === 0) return null;
  const stallSeconds = (timeline: Timeline) =>
    findStalls(timeline).reduce((total, stall) => total + stall.durationSec, 0);
  const byStall = [...withTimeline].sort(
    (a, b) => stallSeconds(b.timeline) - stallSeconds(a.timeline),
  );
  let chosen = byStall[0]!;
  if (stallSeconds(chosen.timeline) === 0) {
    const byP99 = [...withTimeline].sort((a, b) => a.p99 - b.p99);
    chosen = byP99[Math.floor((byP99.length - 1) / 2)]!;
  }
  const count = aggregate.trials.length;
  const label = count > 1 ? `trial ${chosen.index + 1} of ${count}` : 'the trial';
  return timelineView(chosen.timeline, label);
}

/** The endpoint with the highest p99 (then p95), and how it compares with the median endpoint. */
export interface SlowestEndpoint {
  name: string;
  p95Ms: number;
  p99Ms: number;
  medianP99Ms: number;
  /** p99 / the median endpoint's p99; null when that is 0. */
  ratio: number | null;
}

export function slowestEndpoint(endpoints: readonly EndpointFigures[]): SlowestEndpoint | null {
  const measured = endpoints.filter((endpoint) => endpoint.latencyMs.count > 0);
  if (measured.length < 2) return null;
  const slowest = [...measured].sort(
    (a, b) =>
      b.latencyMs.p99 - a.latencyMs.p99 ||
      b.latencyMs.p95 - a.latencyMs.p95 ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  )[0]!;
  const medianP99Ms = median(measured.map((endpoint) => endpoint.latencyMs.p99));
  return {
    name: slowest.name,
    p95Ms: slowest.latencyMs.p95,
    p99Ms: slowest.latencyMs.p99,
    medianP99Ms,
    ratio: medianP99Ms > 0 ? slowest.latencyMs.p99 / medianP99Ms : null,
  };
}

/** "Slowest endpoint: **Name**, p99 120 ms (p95 80 ms), 2.4× the median endpoint's 50 ms." */
export function slowestEndpointLine(endpoints: readonly EndpointFigures[]): string | null {
  const slowest = slowestEndpoint(endpoints);
  if (!slowest) return null;
  const name = slowest.name.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`);
  const versus =
    slowest.ratio === null
      ? ''
      : `, ${formatNumber(slowest.ratio, slowest.ratio < 10 ? 1 : 0)}× the median endpoint's ${formatMs(slowest.medianP99Ms)} ms`;
  return `Slowest endpoint: **${name}**, p99 ${formatMs(slowest.p99Ms)} ms (p95 ${formatMs(slowest.p95Ms)} ms)${versus}.`;
}

interface ChartPoint {
  second: number;
  p99Ms: number | null;
  deliveredPerSec: number;
  publishedPerSec: number;
}

/** At most `maxPoints` points: adjacent ones merged, rates averaged, the worst p99 kept. */
function chartPoints(view: TimelineView, maxPoints: number): ChartPoint[] {
  const group = Math.max(1, Math.ceil(view.seconds.length / maxPoints));
  const points: ChartPoint[] = [];
  for (let start = 0; start < view.seconds.length; start += group) {
    const end = Math.min(start + group, view.seconds.length);
    const p99s = view.p99Ms.slice(start, end).filter((value): value is number => value !== null);
    const mean = (values: readonly number[]) =>
      values.reduce((total, value) => total + value, 0) / values.length;
    points.push({
      second: view.seconds[start]!,
      p99Ms: p99s.length > 0 ? Math.max(...p99s) : null,
      deliveredPerSec: mean(view.deliveredPerSec.slice(start, end)),
      publishedPerSec: mean(view.publishedPerSec.slice(start, end)),
    });
  }
  return points;
}

function chartNumber(value: number): string {
  return String(
    Math.abs(value) >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100,
  );
}

function mermaid(lines: readonly string[]): string {
  return ['```mermaid', 'xychart-beta', ...lines.map((line) => `  ${line}`), '```'].join('\n');
}

/** The two mermaid charts: p99 per second, and deliveries (bars) and events published (line) per second. */
export function timelineCharts(view: TimelineView, maxPoints = CHART_MAX_POINTS): string[] {
  const points = chartPoints(view, maxPoints);
  const width = view.bucketSec * Math.max(1, Math.ceil(view.seconds.length / maxPoints));
  const per = width === 1 ? 'per second' : `per ${width} s`;
  const axis = `x-axis "second" [${points.map((point) => `"${point.second}"`).join(', ')}]`;
  const p99 = points.map((point) => point.p99Ms ?? 0);
  const delivered = points.map((point) => point.deliveredPerSec);
  const published = points.map((point) => point.publishedPerSec);
  return [
    mermaid([
      `title "p99 latency ${per} (ms; 0 = nothing delivered)"`,
      axis,
      `y-axis "ms" 0 --> ${chartNumber(niceCeiling(Math.max(...p99)))}`,
      `line [${p99.map(chartNumber).join(', ')}]`,
    ]),
    mermaid([
      `title "Throughput ${per}: bars = webhooks delivered, line = events published"`,
      axis,
      `y-axis "/s" 0 --> ${chartNumber(niceCeiling(Math.max(...delivered, ...published)))}`,
      `bar [${delivered.map(chartNumber).join(', ')}]`,
      `line [${published.map(chartNumber).join(', ')}]`,
    ]),
  ];
}

/** The timeline's markdown without a wrapper: the reading, then the charts. */
export function timelineMarkdown(view: TimelineView): string {
  const reading = view.reading.charAt(0).toUpperCase() + view.reading.slice(1);
  const note =
    view.bucketSec > 1 ? ` Points of ${view.bucketSec} s (the run was long; worst p99 kept).` : '';
  return [
    `**Timeline of ${view.label}** (seconds after the first scheduled send; publishing ended at ${formatNumber(view.publishEndSec, 1)} s): ${reading}${note}`,
    ...timelineCharts(view),
  ].join('\n\n');
}

/**
 * The folded section of the comment: the slowest endpoint and the timeline of the trial shown.
 * Null when no trial has a timeline (result files from before timelines).
 */
export function timelineDetails(aggregate: TrialAggregate): string | null {
  const view = shownTrialTimeline(aggregate);
  if (!view) return null;
  const stall = view.stalls[0];
  const summary = `Timeline (${view.label})${stall ? ` ⚠️ ${describeStall(stall)}` : ''}`;
  const slowest = slowestEndpointLine(aggregate.endpoints);
  const body = [...(slowest ? [slowest] : []), timelineMarkdown(view)];
  return `<details>\n<summary>${summary}</summary>\n\n${body.join('\n\n')}\n\n</details>`;
}

/**
 * A side's timelines of one paired round, one per trial: "head, round 2" or, when the round
 * measured several, "head, round 2, trial 1" ...
 */
export function roundTimelines(round: PairedRound, side: SideName): TimelineView[] {
  const { results } = round[side];
  return results.flatMap((result, index) =>
    result.timeline
      ? [
          timelineView(
            result.timeline,
            `${side}, round ${round.round}${results.length > 1 ? `, trial ${index + 1}` : ''}`,
          ),
        ]
      : [],
  );
}

/**
 * The paired A/B report's folded section: the head's and the base's timelines of the last round.
 * Null when that round recorded none.
 */
export function lastRoundTimelineDetails(run: PairedRun): string | null {
  const last = run.rounds[run.rounds.length - 1];
  if (!last) return null;
  const views = (['head', 'base'] as const).flatMap((side) => roundTimelines(last, side));
  if (views.length === 0) return null;
  const stalls = views.flatMap((view) =>
    view.stalls.length > 0 ? [`${view.label.split(',')[0]} ${describeStall(view.stalls[0]!)}`] : [],
  );
  const summary = `Timeline of the last round (${last.round})${stalls.length > 0 ? ` ⚠️ ${stalls.join('; ')}` : ''}`;
  return `<details>\n<summary>${summary}</summary>\n\n${views.map(timelineMarkdown).join('\n\n')}\n\n</details>`;
}
