import { describe, expect, it } from 'vitest';
import { historyChart, niceCeiling } from './chart.js';
import { historyRows } from './model.js';
import { baselineWithHistory } from './report-fixtures.js';

describe('charts', () => {
  it('rounds the axis up to a readable value', () => {
    expect(niceCeiling(96.8)).toBe(110);
    expect(niceCeiling(137)).toBe(150);
    expect(niceCeiling(60)).toBe(70);
    expect(niceCeiling(21)).toBe(25);
    expect(niceCeiling(12.5)).toBe(14);
    expect(niceCeiling(0.42)).toBe(0.45);
    expect(niceCeiling(9.6)).toBe(11);
    expect(niceCeiling(0)).toBe(1);
    for (const value of [0.013, 1.9, 4.76, 5, 99, 180, 1234]) {
      const top = niceCeiling(value);
      expect(top).toBeGreaterThan(value);
      expect(top).toBeLessThanOrEqual(value * 1.25);
    }
  });

  it('draws the history only when there is a trend to see, with unique labels', () => {
    expect(historyChart(historyRows(baselineWithHistory(1)))).toBeNull();
    const rows = historyRows(baselineWithHistory(3));
    const doubled = [...rows, { ...rows[rows.length - 1]! }];
    const chart = historyChart(doubled)!;
    expect(chart.block).toMatch(/^```mermaid\n---\nconfig:\n[^]*\nxychart-beta\n/);
    expect(chart.block).toContain('"01-14", "01-14 #2"');
    expect(chart.block.match(/^ {2}line \[/gm)).toHaveLength(3);
    expect(chart.legend).toMatch(/^lines, bottom to top: 🟦 p50 · 🟧 p95 · 🟥 p99/);
  });

  it('leaves invalid nights out of the history chart, and says so', () => {
    const rows = historyRows(baselineWithHistory(6));
    expect(rows.filter((row) => !row.valid)).toHaveLength(1);
    const chart = historyChart(rows)!;
    expect(chart.block).not.toContain('"01-10"');
    expect(chart.block).toContain('"01-09", "01-11"');
    expect(chart.legend).toContain('1 invalid night left out of the chart');
  });
});
