/**
 * Charts as inline SVG, built in Node for report.html: no script, no font or image to fetch.
 * Each chart reads on its own: a <title>, axis labels with units, a legend, a y axis from 0 to a
 * round value just above the top figure, and x in data order (oldest → newest, left → right).
 * Colours are CSS classes (series-0, series-1, ...) the page styles for light and dark.
 */

export interface Series {
  name: string;
  /** One value per x position (categories) or per `x` (linear); null leaves a gap. */
  values: readonly (number | null)[];
  /** Bars (categories only) or a line with a dot per point. */
  kind?: 'bar' | 'line';
  /** The colour slot: series-<n> in the page's stylesheet; the series' index by default. */
  colour?: number;
  /** Lines of one legend entry: only the first of a group is named in the legend. */
  legendGroup?: string;
}

/** A shaded stretch of x (e.g. a stall), in x units; `to` exclusive. */
export interface Band {
  from: number;
  to: number;
  label: string;
  /** The tooltip. */
  detail: string;
}

/** A vertical line at x (e.g. a detected shift), in x units, drawn before that position. */
export interface Marker {
  at: number;
  /** The legend's name for markers, e.g. "detected shift". */
  label: string;
  /** Written beside the line, e.g. "+31%". */
  short: string;
  /** The tooltip. */
  detail: string;
}

export type XAxis =
  | { kind: 'category'; labels: readonly string[]; title: string }
  | {
      kind: 'linear';
      values: readonly number[];
      title: string;
      /** The axis' ends; the values' own by default. */
      domain?: readonly [number, number];
    };

export interface ChartSpec {
  /** For the element id and the tests. */
  id: string;
  title: string;
  /** Said to screen readers after the title. */
  description: string;
  x: XAxis;
  /** The y axis title, with its unit, e.g. "latency (ms)". */
  yTitle: string;
  /** Tooltip unit after a value, e.g. "ms". */
  unit: string;
  series: readonly Series[];
  bands?: readonly Band[];
  markers?: readonly Marker[];
}

const WIDTH = 720;
const HEIGHT = 320;
const MARGIN = { top: 56, right: 16, bottom: 48, left: 64 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
/** Past this many points a line has no dots (their tooltips would outweigh the chart). */
const MAX_DOTS = 150;
/** Past this many categories only every n-th x label is written. */
const MAX_X_LABELS = 12;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A figure as the chart writes it: at most 3 significant decimals, no trailing zeros. */
export function chartFigure(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(value.toFixed(digits)));
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * The y axis: from 0 to the smallest round maximum at least 5% above the top value, in 4 to 6
 * even steps of 1, 2, 2.5 or 5 times a power of ten (96.8 → 0..120 by 20, not 0..200).
 */
export function yTicks(top: number): { max: number; ticks: number[] } {
  const target = top > 0 && Number.isFinite(top) ? top * 1.05 : 1;
  let best: { max: number; step: number; steps: number } | null = null;
  for (const steps of [4, 5, 6]) {
    const raw = target / steps;
    const power = 10 ** Math.floor(Math.log10(raw));
    const factor = [1, 2, 2.5, 5, 10].find((item) => item * power >= raw * (1 - 1e-9)) ?? 10;
    const step = Number((factor * power).toPrecision(6));
    const max = Number((step * steps).toPrecision(6));
    if (!best || max < best.max) best = { max, step, steps };
  }
  const { max, step, steps } = best as { max: number; step: number; steps: number };
  return {
    max,
    ticks: Array.from({ length: steps + 1 }, (_, index) => Number((step * index).toPrecision(6))),
  };
}

/** The x positions of the chart, in pixels, one per category or value. */
function xScale(axis: XAxis): { positions: number[]; of: (value: number) => number } {
  if (axis.kind === 'category') {
    const slot = PLOT_W / Math.max(axis.labels.length, 1);
    const of = (index: number) => MARGIN.left + (index + 0.5) * slot;
    return { positions: axis.labels.map((_, index) => of(index)), of };
  }
  const [low, high] = linearDomain(axis);
  const span = high > low ? high - low : 1;
  const of = (value: number) => MARGIN.left + ((value - low) / span) * PLOT_W;
  return { positions: axis.values.map(of), of };
}

function linearDomain(axis: Extract<XAxis, { kind: 'linear' }>): [number, number] {
  return axis.domain
    ? [axis.domain[0], axis.domain[1]]
    : [Math.min(...axis.values), Math.max(...axis.values)];
}

/** Category index or x value → the slot edges a band or marker covers. */
function edgeOf(axis: XAxis, at: number): number {
  if (axis.kind === 'category') {
    return MARGIN.left + (at * PLOT_W) / Math.max(axis.labels.length, 1);
  }
  return xScale(axis).of(at);
}

function xLabelOf(axis: XAxis, index: number): string {
  return axis.kind === 'category'
    ? (axis.labels[index] ?? '')
    : chartFigure(axis.values[index] as number);
}

/** Tick labels for a linear axis: round values between its ends. */
function linearTicks([low, high]: [number, number]): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / 6;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(low / step) * step; tick <= high + 1e-9; tick += step) {
    ticks.push(Number(tick.toPrecision(6)));
  }
  return ticks;
}

function legend(spec: ChartSpec): string {
  const entries: { swatch: string; text: string }[] = [];
  const groups = new Set<string>();
  spec.series.forEach((series, index) => {
    const group = series.legendGroup ?? series.name;
    if (groups.has(group)) return;
    groups.add(group);
    const colour = `series-${series.colour ?? index}`;
    entries.push({
      swatch:
        series.kind === 'bar'
          ? `<rect class="bar ${colour}" width="14" height="10" y="-9"/>`
          : `<line class="line ${colour}" x1="0" x2="14" y1="-4" y2="-4"/>`,
      text: group,
    });
  });
  if (spec.bands?.length) {
    entries.push({
      swatch: '<rect class="band" width="14" height="10" y="-9"/>',
      text: spec.bands[0]!.label,
    });
  }
  if (spec.markers?.length) {
    entries.push({
      swatch: '<line class="marker" x1="7" x2="7" y1="-11" y2="1"/>',
      text: spec.markers[0]!.label,
    });
  }
  // Laid out left to right; a rough 6.5 px per character of 12 px text.
  let x = MARGIN.left;
  const items = entries.map((entry) => {
    const item = `<g class="legend-item" transform="translate(${round1(x)},${MARGIN.top - 14})">${entry.swatch}<text x="19" y="0">${escapeXml(entry.text)}</text></g>`;
    x += 19 + entry.text.length * 6.5 + 18;
    return item;
  });
  return `<g class="legend">${items.join('')}</g>`;
}

/** The chart as an <svg> element; a chart with no value at all says so inside the frame. */
export function svgChart(spec: ChartSpec): string {
  const { x: axis } = spec;
  const count = axis.kind === 'category' ? axis.labels.length : axis.values.length;
  const all = spec.series.flatMap((series) =>
    series.values.filter((value): value is number => value !== null && Number.isFinite(value)),
  );
  const { max, ticks } = yTicks(Math.max(0, ...all));
  const yOf = (value: number) => MARGIN.top + PLOT_H - (value / max) * PLOT_H;
  const { positions } = xScale(axis);
  const titleId = `${spec.id}-title`;
  const descId = `${spec.id}-desc`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${escapeXml(spec.id)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${titleId} ${descId}" data-y-max="${max}"${axis.kind === 'linear' ? ` data-x-min="${linearDomain(axis)[0]}" data-x-max="${linearDomain(axis)[1]}"` : ''}>`,
    `<title id="${titleId}">${escapeXml(spec.title)}</title>`,
    `<desc id="${descId}">${escapeXml(spec.description)}</desc>`,
    `<text class="chart-title" x="${MARGIN.left}" y="18">${escapeXml(spec.title)}</text>`,
    legend(spec),
  ];

  // Grid and y axis: ticks from 0 to the round maximum.
  for (const tick of ticks) {
    const y = round1(yOf(tick));
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${y}" y2="${y}"/>`,
      `<text class="tick y-tick" x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${chartFigure(tick)}</text>`,
    );
  }
  parts.push(
    `<text class="axis-title y-title" transform="translate(14,${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yTitle)}</text>`,
    `<text class="axis-title x-title" x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeXml(axis.title)}</text>`,
  );

  // Bands under the data.
  for (const band of spec.bands ?? []) {
    const left = edgeOf(axis, band.from);
    const right = edgeOf(axis, band.to);
    parts.push(
      `<rect class="band" data-from="${band.from}" data-to="${band.to}" x="${round1(left)}" y="${MARGIN.top}" width="${round1(Math.max(right - left, 2))}" height="${PLOT_H}"><title>${escapeXml(band.detail)}</title></rect>`,
    );
  }

  // x tick labels.
  if (axis.kind === 'category') {
    const every = Math.ceil(count / MAX_X_LABELS);
    positions.forEach((position, index) => {
      if (index % every !== 0 && index !== count - 1) return;
      parts.push(
        `<text class="tick x-tick" x="${round1(position)}" y="${MARGIN.top + PLOT_H + 16}" text-anchor="middle">${escapeXml(xLabelOf(axis, index))}</text>`,
      );
    });
  } else {
    const scale = xScale(axis);
    for (const tick of linearTicks(linearDomain(axis))) {
      parts.push(
        `<text class="tick x-tick" x="${round1(scale.of(tick))}" y="${MARGIN.top + PLOT_H + 16}" text-anchor="middle">${chartFigure(tick)}</text>`,
      );
    }
  }

  // Bars, side by side within a category.
  const bars = spec.series.filter((series) => series.kind === 'bar');
  if (bars.length > 0 && axis.kind === 'category') {
    const slot = PLOT_W / Math.max(count, 1);
    const barWidth = (slot * 0.7) / bars.length;
    bars.forEach((series, barIndex) => {
      const colour = `series-${series.colour ?? spec.series.indexOf(series)}`;
      const rects = series.values.map((value, index) => {
        if (value === null) return '';
        const left = (positions[index] as number) - slot * 0.35 + barIndex * barWidth;
        const top = yOf(value);
        return `<rect class="bar ${colour}" x="${round1(left)}" y="${round1(top)}" width="${round1(barWidth - 2)}" height="${round1(MARGIN.top + PLOT_H - top)}"><title>${escapeXml(`${series.name}, ${xLabelOf(axis, index)}: ${chartFigure(value)} ${spec.unit}`)}</title></rect><text class="bar-value" x="${round1(left + (barWidth - 2) / 2)}" y="${round1(top - 4)}" text-anchor="middle">${chartFigure(value)}</text>`;
      });
      parts.push(`<g class="series" data-series="${escapeXml(series.name)}">${rects.join('')}</g>`);
    });
  }

  // Lines: a polyline per unbroken run of values, a dot with a tooltip per point.
  spec.series.forEach((series, seriesIndex) => {
    if (series.kind === 'bar') return;
    const colour = `series-${series.colour ?? seriesIndex}`;
    const runs: string[][] = [[]];
    const dots: string[] = [];
    const withDots = series.values.length <= MAX_DOTS;
    series.values.forEach((value, index) => {
      if (value === null || !Number.isFinite(value)) {
        if ((runs[runs.length - 1] as string[]).length > 0) runs.push([]);
        return;
      }
      const px = round1(positions[index] as number);
      const py = round1(yOf(value));
      (runs[runs.length - 1] as string[]).push(`${px},${py}`);
      if (withDots) {
        dots.push(
          `<circle class="dot ${colour}" cx="${px}" cy="${py}" r="2.5"><title>${escapeXml(`${series.name}, ${xLabelOf(axis, index)}: ${chartFigure(value)} ${spec.unit}`)}</title></circle>`,
        );
      }
    });
    const lines = runs
      .filter((run) => run.length > 0)
      .map((run) => `<polyline class="line ${colour}" points="${run.join(' ')}"/>`);
    parts.push(
      `<g class="series" data-series="${escapeXml(series.name)}">${lines.join('')}${dots.join('')}</g>`,
    );
  });

  // Markers over the data.
  for (const marker of spec.markers ?? []) {
    const x = round1(edgeOf(axis, marker.at));
    parts.push(
      `<g class="marker-group" data-at="${marker.at}"><line class="marker" x1="${x}" x2="${x}" y1="${MARGIN.top - 4}" y2="${MARGIN.top + PLOT_H}"><title>${escapeXml(marker.detail)}</title></line><text class="marker-label" x="${x + 4}" y="${MARGIN.top + 10}">${escapeXml(marker.short)}</text></g>`,
    );
  }

  // The axes last, over the bars.
  parts.push(
    `<line class="axis y-axis" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_H}"/>`,
    `<line class="axis x-axis" x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${MARGIN.top + PLOT_H}" y2="${MARGIN.top + PLOT_H}"/>`,
  );
  if (all.length === 0) {
    parts.push(
      `<text class="empty" x="${MARGIN.left + PLOT_W / 2}" y="${MARGIN.top + PLOT_H / 2}" text-anchor="middle">no data</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The stylesheet rules the charts need; the page adds them to its own. */
export const CHART_CSS = `
svg.chart { width: 100%; height: auto; max-width: ${WIDTH}px; display: block; font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; }
svg.chart text { fill: var(--fg); }
svg.chart .chart-title { font-weight: 600; font-size: 14px; }
svg.chart .tick, svg.chart .bar-value { fill: var(--muted); font-size: 11px; }
svg.chart .bar-value { font-size: 10px; }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .line { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg.chart .band { fill: var(--band); }
svg.chart .marker { stroke: var(--marker); stroke-width: 2; stroke-dasharray: 5 3; }
svg.chart .marker-label { fill: var(--marker); font-size: 11px; font-weight: 600; }
svg.chart .empty { fill: var(--muted); font-size: 14px; }
${[0, 1, 2, 3, 4, 5]
  .map(
    (index) =>
      `svg.chart .series-${index}.line { stroke: var(--s${index}); } svg.chart .series-${index}.bar, svg.chart .series-${index}.dot { fill: var(--s${index}); }`,
  )
  .join('\n')}
`;
