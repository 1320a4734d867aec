import { describe, expect, it } from 'vitest';
import { historyChart, niceCeiling } from './chart.js';
import { historyRows } from './model.js';
import { baselineWithHistory } from './report-fixtures.js';

describe('charts', () => {
  it('rounds the axis up to a readable value', () => {
    expect(niceCeiling(137)).toBe(200);
    expect(niceCeiling(60)).toBe(100);
    expect(niceCeiling(21)).toBe(25);
    expect(niceCeiling(0.42)).toBe(0.5);
    expect(niceCeiling(0)).toBe(1);
  });

  it('draws the history only when there is a trend to see, with unique labels', () => {
    expect(historyChart(historyRows(baselineWithHistory(1)))).toBeNull();
    const rows = historyRows(baselineWithHistory(3));
    const doubled = [...rows, { ...rows[rows.length - 1]! }];
    const chart = historyChart(doubled)!;
    expect(chart).toMatch(/^```mermaid\nxychart-beta\n/);
    expect(chart).toContain('"01-14", "01-14 #2"');
    expect(chart.match(/^ {2}line \[/gm)).toHaveLength(3);
  });
});
