import { describe, expect, it } from 'vitest';
import { compare } from '../compare/verdict.js';
import { golden } from './golden.js';
import {
  baselineWithHistory,
  regressedAggregate,
  reportContext,
  unchangedAggregate,
} from './report-fixtures.js';
import { renderTerminal } from './terminal.js';

describe('renderTerminal', () => {
  const baseline = baselineWithHistory();
  const current = regressedAggregate();
  const verdict = compare(current, baseline, { tolerance: 1.5 });

  it('renders the regression report (golden, without colour)', async () => {
    const text = renderTerminal(verdict, reportContext(current, baseline), { color: false });
    expect(text).toBe(await golden('terminal-regression.txt', text));
    expect(text).not.toMatch(/[`*]{2}|<details>|\|/);
  });

  it('ends with the verdict: a 24-row terminal shows it after the endpoints table', () => {
    const text = renderTerminal(verdict, reportContext(current, baseline), { color: false });
    const lines = text.trimEnd().split('\n');
    const last = lines.at(-1)!;
    expect(last).toMatch(/^ REGRESSION {2}Worse than the limit: Latency p50/);
    const screen = lines.slice(-23);
    expect(screen.some((line) => /Latency p50 \(ms\).*over limit/.test(line))).toBe(true);
    expect(lines.findIndex((line) => line.startsWith('Endpoints'))).toBeLessThan(lines.length - 23);
    // One verdict only: no second, absolute pass/fail beside it.
    expect(text).not.toMatch(/must be under|needs improvement/);
  });

  it('renders the no-baseline report (golden, without colour)', async () => {
    const alone = unchangedAggregate();
    const text = renderTerminal(
      compare(alone, null, { tolerance: 1.5 }),
      reportContext(alone, null),
      { color: false },
    );
    expect(text).toBe(await golden('terminal-no-baseline.txt', text));
  });

  it('colours the outcome and the statuses when asked', () => {
    const text = renderTerminal(verdict, reportContext(current, baseline), { color: true });
    // eslint-disable-next-line no-control-regex
    expect(text).toMatch(/\u001b\[41m/);
    expect(text).toContain('REGRESSION');
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toBe(
      renderTerminal(verdict, reportContext(current, baseline), { color: false }),
    );
  });
});
