import { describe, expect, it } from 'vitest';
import { formatMs, formatNumber, formatPercent, formatRatio, formatValue } from './format.js';

describe('format', () => {
  it('formats numbers without depending on the locale', () => {
    expect(formatNumber(1234567.891, 2)).toBe('1,234,567.89');
    expect(formatNumber(-0.001, 2)).toBe('0.00');
    expect(formatNumber(-1500, 0)).toBe('-1,500');
    expect(formatNumber(Number.POSITIVE_INFINITY, 0)).toBe('∞');
  });

  it('gives milliseconds a precision that suits their size', () => {
    expect(formatMs(0.4234)).toBe('0.42');
    expect(formatMs(12.34)).toBe('12.3');
    expect(formatMs(1234.5)).toBe('1,235');
  });

  it('formats by unit, deltas with a sign, ratios', () => {
    expect(formatValue('ratio', 0.99512)).toBe('99.51%');
    expect(formatValue('count', 1200)).toBe('1,200');
    expect(formatValue('deliveries/s', 99.96)).toBe('100.0');
    expect(formatPercent(150)).toBe('+150%');
    expect(formatPercent(-2.04)).toBe('-2.0%');
    expect(formatPercent(0.01)).toBe('0%');
    expect(formatPercent(null)).toBe('—');
    expect(formatRatio(2.5)).toBe('2.50x');
    expect(formatRatio(Number.POSITIVE_INFINITY)).toBe('∞x');
  });
});
