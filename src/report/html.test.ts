import { describe, expect, it } from 'vitest';
import { analyseDrift } from '../compare/drift.js';
import {
  historyCharts,
  htmlPathFor,
  renderCheckHtml,
  spectrumChart,
  timelineCharts,
  trialTimelines,
} from './html.js';
import {
  baselineWithShift,
  pairedReport,
  regressedWithTimelines,
  timelineWithStall,
} from './html-fixtures.js';
import { timelineView } from './timeline.js';
import { baselineAggregate, baselineReport, baselineWithHistory } from './report-fixtures.js';

const PLOT_LEFT = 64;
const PLOT_WIDTH = 720 - 64 - 16;

describe('timelineCharts', () => {
  it('shades a 2-second stall at its seconds in every chart and says when it was', () => {
    const charts = timelineCharts(trialTimelines(regressedWithTimelines()));
    expect(charts.stalls).toEqual([
      'Trial 2: stall: 2 s from second 9 (p99 up to 2,040 ms, backlog 200).',
    ]);
    for (const svg of [charts.p99, charts.throughput, charts.backlog]) {
      const band =
        /<rect class="band" data-from="9" data-to="11" x="([\d.]+)"[^>]*width="([\d.]+)"/.exec(svg);
      expect(band).not.toBeNull();
      // 20 seconds across the plot: the band starts at 9/20 of it and is 2/20 wide.
      expect(Number(band![1])).toBeCloseTo(PLOT_LEFT + (PLOT_WIDTH * 9) / 20, 0);
      expect(Number(band![2])).toBeCloseTo((PLOT_WIDTH * 2) / 20, 0);
      expect(svg).toContain(
        '<title>trial 2: stall: 2 s from second 9 (p99 up to 2,040 ms, backlog 200)</title>',
      );
      // One legend entry per trial, then the stall.
      expect(svg).toMatch(/trial 1<\/text>.*trial 2<\/text>.*trial 3<\/text>.*>stall<\/text>/);
    }
    // The p99 line of the stalled trial breaks where nothing arrived; the y axis holds the spike.
    const stalled = /data-series="trial 2">(.*?)<\/g>/.exec(charts.p99)![1]!;
    expect(stalled.match(/<polyline /g)).toHaveLength(2);
    expect(charts.p99).toContain('data-y-max="2500"');
    expect(charts.p99).toContain('>latency p99 (ms)</text>');
    expect(charts.throughput).toContain('>throughput (deliveries/s)</text>');
    // Points sit mid-second, in order: second 0 first.
    const [xs] = [
      ...charts.throughput.matchAll(/data-series="trial 1"><polyline [^>]*points="([^"]*)"/g),
    ].map((m) => m[1]!.split(' ').map((point) => Number(point.split(',')[0])));
    expect(xs).toHaveLength(20);
    expect(xs![0]).toBeCloseTo(PLOT_LEFT + PLOT_WIDTH / 40, 0);
    xs!.slice(1).forEach((x, index) => expect(x).toBeGreaterThan(xs![index]!));
  });

  it('draws no band for a run without a stall, and groups the rounds of a side', () => {
    const charts = timelineCharts(trialTimelines(regressedWithTimelines(null)));
    expect(charts.stalls).toEqual([]);
    expect(charts.p99).not.toContain('class="band"');
    const grouped = timelineCharts(
      [1, 2].flatMap((round) =>
        (['base', 'head'] as const).map((side) => ({
          view: timelineView(timelineWithStall({ seed: round }), `${side}, round ${round}`),
          group: side,
        })),
      ),
    );
    const legend = /<g class="legend">(.*?)<\/g><line/.exec(grouped.p99)![1]!;
    expect([...legend.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual([
      'base',
      'head',
    ]);
    expect(grouped.p99.match(/<g class="series"/g)).toHaveLength(4);
  });
});

describe('spectrumChart', () => {
  it('puts the reference and this run side by side per percentile, low to high', () => {
    const svg = spectrumChart(
      [
        { id: 'p50', reference: 12, current: 27 },
        { id: 'p99', reference: 58.8, current: 137 },
      ],
      { reference: 'baseline', current: 'this run' },
    );
    expect(svg).toContain(
      '<title id="chart-spectrum-title">End-to-end latency by percentile: baseline vs this run</title>',
    );
    expect([...svg.matchAll(/class="tick x-tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      'p50',
      'p99',
    ]);
    expect(svg).toContain('data-y-max="150"');
    expect(svg).toMatch(/<g class="legend">.*>baseline<\/text>.*>this run<\/text>/);
  });

  it('shows only this run without a baseline', () => {
    const svg = spectrumChart([{ id: 'p50', reference: null, current: 27 }], {
      reference: 'baseline',
      current: 'this run',
    });
    expect(svg).not.toContain('>baseline</text>');
    expect(svg.match(/<rect class="bar /g)).toHaveLength(2); // the legend swatch and the bar
  });
});

describe('historyCharts', () => {
  it('charts the nights oldest first and marks the shift at its first night', () => {
    const baseline = baselineWithShift(30, 20, 1.3);
    const analysis = analyseDrift(baseline);
    const current = analysis.environments.find((item) => item.current)!;
    const shift = current.trends.find((trend) => trend.metric === 'p99')!.shifts[0]!;
    const [latency] = historyCharts(analysis);
    const labels = [...latency!.matchAll(/class="tick x-tick"[^>]*>([^<]*)</g)].map((m) => m[1]!);
    // Oldest → newest: each label is of a later night than the one before it.
    const nights = current.nights.map((night) => night.date.slice(5, 10));
    const order = labels.map((label) => nights.indexOf(label));
    expect(order[0]).toBe(0);
    order.slice(1).forEach((index, at) => expect(index).toBeGreaterThan(order[at]!));
    expect(labels[labels.length - 1]).toBe('01-14');
    const marker =
      /<g class="marker-group" data-at="(\d+)"><line class="marker" x1="([\d.]+)"/.exec(latency!);
    expect(Number(marker![1])).toBe(shift.index);
    // The first night at the new level is the shifted history night: its date is on the marker.
    expect(shift.firstAfter.date).toBe(baseline.history[20]!.date);
    const slot = PLOT_WIDTH / current.nights.length;
    expect(Number(marker![2])).toBeCloseTo(PLOT_LEFT + shift.index * slot, 0);
    expect(latency).toMatch(/p99 \+\d+%/);
    expect(latency).toMatch(
      /<g class="legend">.*Latency p50<\/text>.*Latency p95<\/text>.*Latency p99<\/text>.*detected shift<\/text>/,
    );
  });

  it('has nothing to chart with fewer than two nights', () => {
    expect(historyCharts(analyseDrift(baselineWithHistory(0)))).toEqual([]);
  });
});

describe('renderCheckHtml: against the committed baseline', () => {
  const baseline = baselineWithHistory(6);
  const report = baselineReport(regressedWithTimelines(), baseline);
  const html = renderCheckHtml(report, { history: baseline });

  it('is one page with no script and nothing to fetch', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html).not.toMatch(/\ssrc=/);
    // The only addresses: the SVG namespace, and the link to the workflow run.
    const addresses = [...html.matchAll(/https?:\/\/[^\s"<]+/g)].map((m) => m[0]);
    expect(new Set(addresses)).toEqual(
      new Set([
        'http://www.w3.org/2000/svg',
        'https://github.com/ethhook/ethhook/actions/runs/123456789',
      ]),
    );
  });

  it('starts with the verdict and its summary, then how it was reached, then the metrics', () => {
    const body = html.slice(html.indexOf('<main>'));
    expect(body).toMatch(
      /^<main>\n<header>\n<h1><span class="verdict fail">REGRESSION<\/span> Load test <code>steady<\/code><\/h1>\n<p class="summary">Regression: Latency p50/,
    );
    expect(body.indexOf('Each gated figure&#39;s change')).toBeLessThan(
      body.indexOf('<h2>Metrics'),
    );
    expect(html).toMatch(
      /<tr class="gated"><td>Latency p99<\/td><td class="num">[\d.]+<\/td><td class="num">[\d.]+<\/td><td>\+\d+% \[90% CI \+\d+%, \+\d+%\]<\/td><td><span class="badge fail">regression<\/span>/,
    );
  });

  it('has the spectrum, the timelines and the nightly trend, each titled', () => {
    const ids = [...html.matchAll(/<svg [^>]*id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual([
      'chart-spectrum',
      'chart-timeline-p99',
      'chart-timeline-throughput',
      'chart-timeline-backlog',
      'chart-history-ms',
      'chart-history-deliveries-s',
    ]);
    expect(html.match(/<svg [^>]*><title /g)).toHaveLength(6);
    expect(html).toContain(
      '<p class="note stall">Trial 2: stall: 2 s from second 9 (p99 up to 2,040 ms, backlog 200).</p>',
    );
  });

  it('leaves out what it does not have: no reference, no timeline', () => {
    const alone = renderCheckHtml(baselineReport(baselineAggregate(), null));
    expect([...alone.matchAll(/<svg [^>]*id="([^"]+)"/g)].map((m) => m[1])).toEqual([]);
    expect(alone).toContain('with no reference');
  });
});

describe('renderCheckHtml: the base measured here', () => {
  it('shows base vs head: the verdict, the interval per metric, the spectrum, the rounds', () => {
    const html = renderCheckHtml(pairedReport({ stall: true }));
    expect(html).toMatch(
      /<h1><span class="verdict fail">REGRESSION<\/span> Load test <code>quick<\/code><\/h1>/,
    );
    expect(html).toMatch(
      /<tr class="gated"><td>Latency p50<\/td><td class="num">\d+\.\d+<\/td><td class="num">\d+\.\d+<\/td><td>\+\d+% \[90% CI \+\d+%, \+\d+%\]<\/td><td><span class="badge fail">regression<\/span>/,
    );
    expect(html).toContain('End-to-end latency by percentile: base vs head');
    expect(html).toContain('in 3 alternating rounds');
    // Each side's three rounds, one legend entry per side; the head's stalled round is named.
    expect(html).toContain('<p class="note stall">Head, round 2: stall: 2 s from second 9');
    const p99 = /<svg [^>]*id="chart-timeline-p99".*?<\/svg>/.exec(html)![0];
    expect(p99.match(/<g class="series"/g)).toHaveLength(6);
    expect(p99).toMatch(/<g class="legend">.*>base<\/text>.*>head<\/text>.*>stall<\/text>/);
  });
});

describe('htmlPathFor', () => {
  it('puts report.html beside report.md', () => {
    expect(htmlPathFor('out/report.md')).toBe('out/report.html');
    expect(htmlPathFor('summary.MD')).toBe('summary.html');
    expect(htmlPathFor('report')).toBe('report.html');
  });
});
