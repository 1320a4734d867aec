import type { MetricDefinition, MetricUnit } from './metrics.js';

/** Number formatting shared by the verdict's reasons and the reports; locale-independent. */

function groupThousands(integer: string): string {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : '—';
  const fixed = Math.abs(value).toFixed(decimals);
  const [integer = '0', fraction] = fixed.split('.');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${groupThousands(integer)}${fraction ? `.${fraction}` : ''}`;
}

/** Milliseconds with precision that suits their size: 0.42, 12.3, 1,234. */
export function formatMs(ms: number): string {
  const magnitude = Math.abs(ms);
  return formatNumber(ms, magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0);
}

export function formatValue(unit: MetricUnit, value: number): string {
  switch (unit) {
    case 'ms':
      return formatMs(value);
    case 'deliveries/s':
    case 'events/s':
      return formatNumber(value, 1);
    case 'ratio':
      return `${formatNumber(value * 100, 2)}%`;
    case 'count':
      return formatNumber(value, 0);
  }
}

/** The value with its unit, as it reads in a sentence: "12.3 ms", "99.80%", "3". */
export function formatWithUnit(metric: Pick<MetricDefinition, 'unit'>, value: number): string {
  const text = formatValue(metric.unit, value);
  return metric.unit === 'ratio' || metric.unit === 'count' ? text : `${text} ${metric.unit}`;
}

export function formatPercent(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return '—';
  const rounded = Math.abs(percent) < 10 ? percent.toFixed(1) : percent.toFixed(0);
  if (Number(rounded) === 0) return '0%';
  return `${percent > 0 ? '+' : ''}${rounded}%`;
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '∞x';
  return `${ratio.toFixed(2)}x`;
}
