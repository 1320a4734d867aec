import { describe, expect, it } from 'vitest';
import { chartFigure, svgChart, yTicks, type ChartSpec } from './svg.js';

/** The x of each point of the series' polylines, in the order they are drawn. */
function polylineXs(svg: string, series: string): number[][] {
  const group = new RegExp(`<g class="series" data-series="${series}">(.*?)</g>`).exec(svg)?.[1];
  if (!group) throw new Error(`no series ${series}`);
  return [...group.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((match) =>
    (match[1] as string).split(' ').map((point) => Number(point.split(',')[0])),
  );
}

const ys = (svg: string, series: string): number[] => {
  const group = new RegExp(`<g class="series" data-series="${series}">(.*?)</g>`).exec(svg)![1]!;
  return [...group.matchAll(/<circle [^>]*cy="([^"]*)"/g)].map((match) => Number(match[1]));
};

const spec = (overrides: Partial<ChartSpec> = {}): ChartSpec => ({
  id: 'chart-test',
  title: 'Latency by night',
  description: 'three nights',
  x: { kind: 'category', labels: ['01-01', '01-02', '01-03'], title: 'night, oldest → newest' },
  yTitle: 'latency (ms)',
  unit: 'ms',
  series: [{ name: 'p99', values: [10, 30, 20] }],
  ...overrides,
});

describe('yTicks', () => {
  it('ends just above the top value on a round number, from 0 in even steps', () => {
    expect(yTicks(96.8)).toEqual({ max: 120, ticks: [0, 20, 40, 60, 80, 100, 120] });
    expect(yTicks(100).max).toBe(120);
    expect(yTicks(169).max).toBe(200);
    expect(yTicks(2040).max).toBe(2500);
    expect(yTicks(0.42).max).toBe(0.5);
    expect(yTicks(0).max).toBe(1);
    for (const top of [0.013, 1, 7.3, 58.8, 137, 999, 12_345]) {
      const { max, ticks } = yTicks(top);
      expect(max).toBeGreaterThanOrEqual(top * 1.05);
      expect(max).toBeLessThanOrEqual(top * 1.6);
      expect(ticks[0]).toBe(0);
      expect(ticks[ticks.length - 1]).toBe(max);
      expect(ticks.length).toBeGreaterThanOrEqual(5);
    }
  });
});

describe('svgChart', () => {
  it('has a title, axis titles with units, a legend entry per series and the y maximum', () => {
    const svg = svgChart(
      spec({
        series: [
          { name: 'p50', values: [5, 6, 7] },
          { name: 'p99', values: [10, 30, 96.8] },
        ],
      }),
    );
    expect(svg).toMatch(
      /^<svg [^>]*role="img"[^>]*><title id="chart-test-title">Latency by night<\/title>/,
    );
    expect(svg).toContain('data-y-max="120"');
    expect(svg).toContain('>latency (ms)</text>');
    expect(svg).toContain('>night, oldest → newest</text>');
    const legend = /<g class="legend">(.*?)<\/g><line/.exec(svg)?.[1] ?? '';
    expect([...legend.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual([
      'p50',
      'p99',
    ]);
    // The top tick is the maximum; the axis labels run 0..120.
    expect([...svg.matchAll(/class="tick y-tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '0',
      '20',
      '40',
      '60',
      '80',
      '100',
      '120',
    ]);
  });

  it('draws points in data order, left to right, higher values higher up', () => {
    const svg = svgChart(spec());
    const [xs] = polylineXs(svg, 'p99');
    expect(xs).toHaveLength(3);
    expect(xs![0]).toBeLessThan(xs![1]!);
    expect(xs![1]).toBeLessThan(xs![2]!);
    const [first, second, third] = ys(svg, 'p99');
    // SVG y grows downwards: 30 is the highest point, 10 the lowest.
    expect(second).toBeLessThan(third!);
    expect(third).toBeLessThan(first!);
    const labels = [...svg.matchAll(/class="tick x-tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(['01-01', '01-02', '01-03']);
  });

  it('leaves a gap for a missing value and places linear x values by their value', () => {
    const svg = svgChart(
      spec({
        x: { kind: 'linear', values: [0.5, 1.5, 2.5, 3.5], domain: [0, 4], title: 'time (s)' },
        series: [{ name: 'trial 1', values: [1, null, 2, 3] }],
      }),
    );
    const runs = polylineXs(svg, 'trial 1');
    expect(runs.map((run) => run.length)).toEqual([1, 2]);
    // 0..4 s across the plot: 0.5 s and 2.5 s are a half plot width apart.
    const plot = 720 - 64 - 16;
    expect(runs[1]![0]! - runs[0]![0]!).toBeCloseTo(plot / 2, 0);
  });

  it('shades a band over its x range and names it in the legend and its tooltip', () => {
    const svg = svgChart(
      spec({
        x: { kind: 'linear', values: [0.5, 1.5, 2.5, 3.5], domain: [0, 4], title: 'time (s)' },
        series: [{ name: 'trial 1', values: [1, 0, 0, 3] }],
        bands: [{ from: 1, to: 3, label: 'stall', detail: 'trial 1: 2 s without deliveries' }],
      }),
    );
    const band =
      /<rect class="band" data-from="1" data-to="3" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*><title>trial 1: 2 s without deliveries<\/title>/.exec(
        svg,
      );
    expect(band).not.toBeNull();
    const plot = 720 - 64 - 16;
    expect(Number(band![1])).toBeCloseTo(64 + plot / 4, 0);
    expect(Number(band![2])).toBeCloseTo(plot / 2, 0);
    expect(svg).toMatch(/<g class="legend">.*<rect class="band"[^>]*\/><text [^>]*>stall<\/text>/);
  });

  it('puts bars side by side with their values, and escapes text', () => {
    const svg = svgChart(
      spec({
        title: 'a < b & "c"',
        series: [
          { name: 'base<line>', kind: 'bar', values: [1, 2, 3] },
          { name: 'head', kind: 'bar', values: [2, 3, 4] },
        ],
      }),
    );
    expect(svg).not.toContain('<line>');
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg.match(/<rect class="bar series-0" x=/g)).toHaveLength(3);
    expect(svg.match(/<rect class="bar series-1" x=/g)).toHaveLength(3);
    const xOf = (series: number) =>
      [...svg.matchAll(new RegExp(`<rect class="bar series-${series}" x="([\\d.]+)"`, 'g'))].map(
        (m) => Number(m[1]),
      );
    xOf(0).forEach((x, index) => expect(x).toBeLessThan(xOf(1)[index]!));
    expect(svg).toContain('>4</text>');
  });

  it('says so when there is nothing to draw', () => {
    expect(svgChart(spec({ series: [{ name: 'p99', values: [null, null, null] }] }))).toContain(
      '>no data</text>',
    );
  });

  it('writes figures with a few significant digits', () => {
    expect(chartFigure(0)).toBe('0');
    expect(chartFigure(0.0123)).toBe('0.012');
    expect(chartFigure(12.345)).toBe('12.3');
    expect(chartFigure(2040.4)).toBe('2040');
  });
});
